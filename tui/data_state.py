"""The points the network learns from: generated from the data settings or imported from a CSV file, split
into training and held-out test points, and edited by hand -- no Textual here (a test guards that).

The workbench owns one `DataState` and routes the data actions to it (`add_point`, `remove_point`,
`import_data`); each is logged with everything it needs to replay exactly: the point's coordinates and class,
the index removed, the imported rows themselves (a session does not depend on a file that may have moved).

A point placed by hand is a training point: the learner put it there to see the network bend to it. The test
split is a seeded mask over the points (`micrograd.datasets.held_out_mask`); it is drawn again when the test
percentage or the data change, and an edit keeps every other point where it was.
"""

from __future__ import annotations

import io
import math

import numpy as np

from micrograd import datasets
from tui.limits import MAX_CLASS, MAX_COORDINATES, MAX_NAME, MAX_POINTS, MAX_TARGET  # shared with the format

MAX_COORDINATE = 1e308  # a number the session format writes (it refuses 1.5e308, a finite float)


def generate(data: dict):
    """(X, y) for a data section of the config (the lecture's `tiny` takes no size, noise or seed)."""
    make = datasets.DATASETS[data["name"]]
    if data["name"] == "tiny":
        return make()
    return make(n=data["samples"], noise=data["noise"], seed=data["seed"])


def _coordinate(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= MAX_COORDINATE


class DataState:
    """X (n, d) raw points, y (n,) classes or targets, held_out (n,) the test mask, and where they came from."""

    def __init__(self, X, y, *, regression: bool, origin: str, test_percent: int = 0, seed: int = 0):
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64 if regression else np.intp)
        self.regression = regression
        self.origin = origin  # "generated", or the name of the imported file
        self.edits = 0  # how many hand edits since the data was generated or imported
        self.generated_from: dict | None = None  # the data settings in effect when these points were made
        self.test_percent, self.seed = test_percent, seed
        self.held_out = datasets.held_out_mask(len(self.X), test_percent, seed)

    @classmethod
    def from_config(cls, data: dict) -> DataState:
        X, y = generate(data)
        return cls(
            X,
            y,
            regression=data["name"] in datasets.REGRESSION,
            origin="generated",
            test_percent=data.get("test_percent", 0),
            seed=data["seed"],
        )

    # ---- what training sees ---------------------------------------------------------------------------

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X[~self.held_out], self.y[~self.held_out]

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X[self.held_out], self.y[self.held_out]

    @property
    def num_classes(self) -> int:
        return 0 if self.regression or not len(self.y) else int(self.y.max()) + 1

    def split(self, test_percent: int, seed: int) -> None:
        """Draw the test mask again (a new percentage or seed)."""
        self.held_out = datasets.held_out_mask(len(self.X), test_percent, seed)
        self.test_percent, self.seed = test_percent, seed

    # ---- edits: each checks everything before it changes anything -------------------------------------

    def check_point(self, position, label, classes: int):
        """(position as a (d,) array, label) or ValueError naming what is wrong."""
        point = position if isinstance(position, list) else None
        if (
            point is None
            or len(point) != self.X.shape[1]
            or not all(
                isinstance(v, (int, float))
                and not isinstance(v, bool)
                and math.isfinite(v)
                and abs(v) <= MAX_COORDINATE
                for v in point
            )
        ):
            raise ValueError(f"add_point: the position needs {self.X.shape[1]} finite numbers, not {position!r}")
        if len(self.X) >= MAX_POINTS:
            raise ValueError(f"add_point: the data already has the most points allowed ({MAX_POINTS:,})")
        if self.regression:
            if (
                isinstance(label, bool)
                or not isinstance(label, (int, float))
                or not math.isfinite(label)
                or abs(label) > MAX_TARGET
            ):
                raise ValueError(
                    f"add_point: a regression target must be a number from -{MAX_TARGET:g} to "
                    f"{MAX_TARGET:g}, not {label!r}"
                )
            return np.array(point, dtype=float), float(label)
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label < classes:
            raise ValueError(f"add_point: the class must be one of 0 to {classes - 1}, not {label!r}")
        return np.array(point, dtype=float), label

    def add(self, position, label, classes: int) -> int:
        """Append a training point; returns its index."""
        point, label = self.check_point(position, label, classes)
        self.X = np.vstack([self.X, point[None, :]])
        self.y = np.append(self.y, label).astype(self.y.dtype)
        self.held_out = np.append(self.held_out, False)
        self.edits += 1
        return len(self.X) - 1

    def check_removal(self, index) -> int:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.X):
            raise ValueError(f"remove_point: expected a point index from 0 to {len(self.X) - 1}, not {index!r}")
        if not self.held_out[index] and (~self.held_out).sum() <= 1:
            raise ValueError("remove_point: that is the last training point; training needs at least one")
        return index

    def remove(self, index) -> None:
        index = self.check_removal(index)
        keep = np.arange(len(self.X)) != index
        self.X, self.y, self.held_out = self.X[keep], self.y[keep], self.held_out[keep]
        self.edits += 1

    def nearest(self, position) -> int:
        """The index of the point nearest (Euclidean) to `position`."""
        point = np.asarray(position, dtype=float).ravel()
        if point.shape != (self.X.shape[1],) or not np.isfinite(point).all():
            raise ValueError(f"a position needs {self.X.shape[1]} finite numbers, not {len(point)}")
        return int(np.argmin(((self.X - point) ** 2).sum(axis=1)))

    @classmethod
    def imported(cls, name: str, points, labels, *, test_percent: int, seed: int) -> DataState:
        """Data from a file, as an `import_data` action carries it: rows of numbers and their class indices."""
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise ValueError(f"import_data: expected the file's name (1 to {MAX_NAME} characters)")
        try:
            X, y = np.asarray(points, dtype=float), np.asarray(labels)
        except (TypeError, ValueError, OverflowError):
            raise ValueError("import_data: expected rows of numbers and one class index each") from None
        if (
            X.ndim != 2
            or not 1 <= X.shape[1] <= MAX_COORDINATES
            or not 2 <= len(X) <= MAX_POINTS
            or y.shape != (len(X),)
        ):
            raise ValueError(
                f"import_data: expected 2 to {MAX_POINTS:,} rows of 1 to {MAX_COORDINATES} numbers and one class "
                f"each, got {X.shape} and {y.shape}"
            )
        if (
            not np.isfinite(X).all()
            or np.abs(X).max() > MAX_COORDINATE
            or not np.issubdtype(y.dtype, np.integer)
            or y.min() < 0
            or y.max() > MAX_CLASS
        ):
            raise ValueError(
                f"import_data: the numbers must be finite (at most 1e308) and the classes 0, 1, 2, ... {MAX_CLASS}"
            )
        if len(np.unique(y)) < 2:
            raise ValueError(f"import_data: {name} has only one class; a classifier needs at least two")
        return cls(X, y, regression=False, origin=name, test_percent=test_percent, seed=seed)

    def csv_text(self) -> str:
        """All points as CSV with a header: x1, x2, ..., then label (a class index, or a regression target),
        numbers written exactly (repr). `micrograd.datasets.load_csv` reads a classification set back."""
        out = io.StringIO()
        columns = [f"x{j + 1}" for j in range(self.X.shape[1])]
        out.write(",".join(columns + ["label"]) + "\n")
        for row, label in zip(self.X.tolist(), self.y.tolist()):
            out.write(",".join(repr(float(v)) for v in row) + f",{label!r}\n")
        return out.getvalue()
