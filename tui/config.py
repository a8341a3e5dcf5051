"""What to train: the data, model and training settings, their defaults and limits, and their validation.

A `Config` is three JSON-ready dicts (see DEFAULTS), so a session stores it as is. The settings themselves --
labels, defaults, text <-> value, each one's check -- are the table in tui/settings.py. Here a whole config is
checked on the way in (from the form, a `configure` action or a session file): first every value, then how the
values fit together (a two-class loss on three classes, a last layer that does not match the loss, a batch
larger than the data) and what it would cost to build (micrograd/cost.py). A problem becomes one `SettingError`
sentence in the form's words (`n: expected a whole number from 2 to 10,000, not 0`) naming the field, and,
where one exists, the change that fixes it. No Textual here (a test guards that).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache

from micrograd import cost, datasets, features, losses
from tui.settings import (
    DEFAULTS,
    ENGINES,
    MAX_LAYER_WIDTH,
    MAX_LAYERS,
    MAX_SAMPLES,
    SECTIONS,
    SETTINGS,
    check_choice,
    check_integer,
    check_real,
    describe_changes,
    format_layers,
)

__all__ = [
    "DEFAULTS",
    "ENGINES",
    "MAX_LAYERS",
    "MAX_LAYER_WIDTH",
    "MAX_SAMPLES",
    "SECTIONS",
    "Config",
    "SettingError",
    "check_choice",
    "check_integer",
    "check_real",
    "make_dataset",
    "needs_new_model",
]


class SettingError(ValueError):
    """One sentence about the form; `key` names the field (tui/settings.py), `fix` the changes that mend it."""

    def __init__(self, message: str, key: str | None = None, fix: dict | None = None, advice: str = ""):
        super().__init__(f"{message}; {advice}" if advice else message)
        self.problem, self.key, self.fix = message, key, fix  # the form shows problem + its fix key

    @property
    def fix_words(self) -> str:
        return describe_changes(self.fix) if self.fix else ""


def make_dataset(data: dict):
    """(X, y) for a data section; the same section gives the same arrays (copies: callers may keep them)."""
    X, y = _dataset(data["name"], data["samples"], data["noise"], data["seed"])
    return X.copy(), y.copy()


@lru_cache(maxsize=8)
def _dataset(name: str, samples: int, noise: float, seed: int):
    make = datasets.DATASETS[name]
    if name == "tiny":  # the lecture's fixed 4 samples take no size, noise or seed
        return make()
    return make(n=samples, noise=noise, seed=seed)


def _check_section(name: str, section) -> dict:
    if not isinstance(section, dict):
        raise SettingError(f"{name}: expected an object, not {section!r}")
    checked = copy.deepcopy(DEFAULTS[name])
    # Unknown keys are dropped rather than fatal, so a newer session still opens.
    checked.update({key: copy.deepcopy(value) for key, value in section.items() if key in checked})
    for s in SETTINGS:
        if s.section == name:
            try:
                checked[s.name] = s.check(checked[s.name], s.label)
            except ValueError as err:
                raise SettingError(str(err), s.key) from None
    return checked


def _check_whole(config: Config) -> None:
    """How the settings fit together, each problem with the change that fixes it."""
    data, model, training = config.data, config.model, config.training
    X, y = make_dataset(data)
    layers = model["layers"]
    loss = losses.LOSSES[training["loss"]]
    regression = data["name"] in datasets.REGRESSION  # real-number targets: one output, the squared error
    if regression and not loss.regression:
        raise SettingError(
            f"loss: {data['name']} is a regression set (real-number targets), not for {loss.name}",
            "loss",
            {"training": {"loss": "mse_regression"}, "model": {"layers": layers[:-1] + [1]}},
            "use mse_regression",
        )
    if loss.regression and not regression:
        raise SettingError(
            f"loss: mse_regression needs a regression set ({', '.join(sorted(datasets.REGRESSION))}),"
            f" and {data['name']} has classes",
            "loss",
            {"training": {"loss": "svm_max_margin"}},
            "use svm_max_margin",
        )
    if X.shape[1] != 2 and list(model["features"]) != list(features.RAW):
        raise SettingError(
            f"inputs: input features need points with 2 coordinates; {data['name']} has {X.shape[1]}",
            "features",
            {"model": {"features": list(features.RAW)}},
        )
    classes = 1 if regression else max(2, int(y.max()) + 1)
    if not loss.multiclass and classes > 2:
        raise SettingError(
            f"loss: {loss.name} is a two-class loss, but {data['name']} has {classes} classes",
            "loss",
            {"training": {"loss": "cross_entropy"}, "model": {"layers": layers[:-1] + [classes]}},
            f"use cross_entropy with a last layer of {classes}",
        )
    outputs = loss.outputs(classes)
    if layers[-1] != outputs:
        raise SettingError(
            f"layers: {loss.name} on {classes} classes needs a last layer of {outputs} "
            f"output{'s' if outputs != 1 else ''}, not {format_layers(layers)}",
            "layers",
            {"model": {"layers": layers[:-1] + [outputs]}},
        )
    batch = training["batch_size"]
    if batch is not None and batch > len(X):
        raise SettingError(
            f"batch: at most the {len(X):,} samples of {data['name']}, not {batch:,}",
            "batch",
            {"training": {"batch_size": None}},
        )

    def estimate(engine):
        return cost.estimate(
            inputs=X.shape[1] if X.shape[1] != 2 else len(model["features"]),
            layers=layers,
            samples=len(X),
            batch_size=batch,
            engine=engine,
            classes=classes,
            multiclass=loss.multiclass,
            loss=loss.name,
            activation=model["activation"],
            output_activation=model["output_activation"],
            l2=bool(training["l2"]),
        )

    problem = cost.refusal(estimate(training["engine"]))
    if problem is not None:
        fix = None  # the compiled engine is the way out when it fits
        if training["engine"] == "reference" and cost.refusal(estimate("compiled")) is None:
            fix = {"training": {"engine": "compiled"}}
        raise SettingError(problem, None, fix)


@dataclass
class Config:
    """What to train: data, model and training settings, as JSON-ready dicts (see DEFAULTS)."""

    data: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["data"]))
    model: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["model"]))
    training: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["training"]))

    def to_dict(self) -> dict:
        return {
            "data": copy.deepcopy(self.data),
            "model": copy.deepcopy(self.model),
            "training": copy.deepcopy(self.training),
        }

    @classmethod
    def from_dict(cls, d) -> Config:
        """A validated Config; missing keys take the defaults; raises SettingError naming the bad field."""
        if not isinstance(d, dict):
            raise SettingError(f"config: expected an object, not {d!r}")
        config = cls(**{name: _check_section(name, d.get(name, {})) for name in SECTIONS})
        _check_whole(config)
        return config

    def merged(self, changes: dict) -> Config:
        """A new validated Config with nested `changes` ({"training": {"lr": {...}}}) applied."""
        if not isinstance(changes, dict) or set(changes) - set(SECTIONS):
            raise SettingError(f"changes: expected an object with keys among {', '.join(SECTIONS)}, not {changes!r}")
        d = self.to_dict()
        for section, values in changes.items():
            if not isinstance(values, dict):
                raise SettingError(f"{section}: expected an object, not {values!r}")
            for key, value in values.items():
                if key not in d[section]:
                    raise SettingError(f"{section}.{key}: not a setting (settings: {', '.join(d[section])})")
                d[section][key] = copy.deepcopy(value)
        return Config.from_dict(d)

    def changed(self, other: Config) -> dict:
        """The nested changes that turn this config into `other`."""
        mine, theirs = self.to_dict(), other.to_dict()
        return {
            section: diff
            for section in SECTIONS
            if (diff := {k: v for k, v in theirs[section].items() if mine[section].get(k) != v})
        }


def needs_new_model(old: Config, new: Config) -> bool:
    """Whether going from `old` to `new` needs a new model (data, layers, activations, seeds changed)."""
    from tui.settings import setting

    return any(
        not (s := setting(section, name)) or not s.live
        for section, values in old.changed(new).items()
        for name in values
    )
