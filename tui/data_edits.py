"""The data actions -- a point added by hand, a point removed, a CSV file imported -- and which points a
rebuilt model trains on. No Textual here (a test guards that); the workbench routes its actions here.

A hand edit keeps the network as it is and carries on training from there on the new points
(`Trainer.with_data`: the same weights, optimizer state and step count), the way ConvNetJS's 2-D demo lets a
learner watch the network adapt; the chart keeps its history and marks the step. An import is new data, so it
builds a new model from its seed. Each action is logged with what it needs to replay exactly.
"""

from __future__ import annotations

import copy
import os

from micrograd import datasets, features
from tui.data_state import DataState

ACTIONS = ("add_point", "remove_point", "import_data")
GENERATING = ("name", "samples", "noise", "seed")  # the data settings that draw the points


def generating(config) -> dict:
    return {key: config.data[key] for key in GENERATING}


def points_for(wb, config, imported: DataState | None = None) -> DataState:
    """The points a model built from `config` trains on: an import, or the current points (edits and imports
    kept) while the settings that draw them are unchanged, or points drawn afresh; split by the config's test %."""
    test_percent, seed = config.data.get("test_percent", 0), config.data["seed"]
    current = imported if imported is not None else wb.data
    if current is None or (imported is None and current.generated_from != generating(config)):
        points = DataState.from_config(config.data)
    else:
        points = copy.copy(current)  # edits replace its arrays, never change them in place
    points.generated_from = generating(config) if imported is None else points.generated_from
    if (points.test_percent, points.seed) != (test_percent, seed):
        points.split(test_percent, seed)
    return points


def apply(wb, action: dict) -> dict:
    """Replay one data action."""
    do = action["do"]
    if do == "add_point":
        return add_point(wb, action["position"], action["label"])
    if do == "remove_point":
        return remove_point(wb, action["index"])
    return import_data(wb, action["name"], action["points"], action["labels"])


def add_point(wb, position, label) -> dict:
    """A training point of class `label` (a target number for a regression set) at `position`."""
    wb._check_idle()
    wb._check_room()
    points = copy.copy(wb.data)
    classes = 0 if points.regression else wb.trainer.num_classes
    index = points.add(list(position) if isinstance(position, tuple) else position, label, classes)
    kind = f"target {label:g}" if points.regression else f"class {label}"
    _carry_on(wb, points, f"point {index} added ({kind})")
    return wb._record({"do": "add_point", "position": [float(v) for v in position], "label": label})


def remove_point(wb, index) -> dict:
    """Remove point `index` (the app finds the one nearest to a click or the cursor)."""
    wb._check_idle()
    wb._check_room()
    points = copy.copy(wb.data)
    points.remove(index)
    if wb.traced is not None:  # the traced point's index moves down past the removed one
        wb.traced = None if wb.traced == index else wb.traced - (wb.traced > index)
    _carry_on(wb, points, f"point {index} removed")
    return wb._record({"do": "remove_point", "index": index})


def import_data(wb, name, points, labels) -> dict:
    """New data from a file's rows: a new model from its seed (the input count may have changed)."""
    wb._check_idle()
    wb._check_room()
    state = DataState.imported(
        name, points, labels, test_percent=wb.config.data.get("test_percent", 0), seed=wb.config.data["seed"]
    )
    state.generated_from = generating(wb.config)
    wb._build(wb.config, imported=state)
    return wb._record({"do": "import_data", "name": name, "points": state.X.tolist(), "labels": state.y.tolist()})


def read_csv(path) -> tuple[str, list, list]:
    """(file name, rows, classes) from a CSV file through the library's loader; ValueError names the line."""
    X, y = datasets.load_csv(path)
    return os.path.basename(os.fspath(path)), X.tolist(), y.tolist()


def _carry_on(wb, points: DataState, text: str) -> None:
    chosen = wb.config.model.get("features", features.RAW)
    inputs = (lambda X: features.transform(X, chosen)) if points.X.shape[1] == 2 else (lambda X: X)
    X, y = points.train
    X_test, y_test = points.test
    trainer = wb.trainer.with_data(inputs(X), y, test=(inputs(X_test), y_test) if len(X_test) else None)
    wb.data, wb.trainer = points, trainer
    if wb.history:
        wb.marks.append({"step": trainer.steps_done, "text": text})
