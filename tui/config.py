"""What to train: the data, model and training settings, their defaults and limits, and their validation.

A `Config` is three JSON-ready dicts (see DEFAULTS), so a session stores it as is. Every value is checked on the
way in -- from the controls, a `configure` action or a session file -- and a bad one becomes one ValueError
sentence naming the field (`data.samples: expected a whole number between 2 and 10000, not 0`). The workbench
builds its dataset, model and trainer from a Config (tui/workbench.py), and uses the same checkers for the
arguments of its actions. No Textual here (a test guards that).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from micrograd import datasets, losses, nn, optim

ENGINES = ("compiled", "reference")
SECTIONS = ("data", "model", "training")

# Defaults = micrograd's moons demo (demo.ipynb): make_moons(100, noise=0.1) with seed 1337, MLP(2, [16, 16, 1]),
# svm max-margin loss + 1e-4 L2, SGD with lr 1.0 - 0.9*k/100, full batch.
DEFAULTS = {
    "data": {"name": "moons", "samples": 100, "noise": 0.1, "seed": 1337},
    "model": {"layers": [16, 16, 1], "activation": "relu", "output_activation": "linear", "seed": 1337},
    "training": {"loss": "svm_max_margin", "l2": 1e-4, "optimizer": "sgd",
                 "lr": {"schedule": "linear", "start": 1.0, "end": 0.1, "steps": 100},
                 "momentum": 0.0, "batch_size": None, "engine": "compiled"},
}

MAX_SAMPLES = 10_000  # the reference engine builds one Value per number: keep a click from freezing the app
MAX_LAYER_WIDTH = 512
MAX_LAYERS = 8


# ---- validation: one sentence naming the field ---------------------------------------------------------


def check_integer(value, where: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{where}: expected a whole number {bound}, not {value!r}")
    return value


def check_real(value, where: str, low: float, high: float | None = None) -> float:
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value < low or (high is not None and value >= high)):
        bound = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{where}: expected a finite number {bound}, not {value!r}")
    return float(value)


def check_choice(value, where: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"{where}: expected one of {', '.join(choices)}, not {value!r}")
    return value


def _check_section(name: str, section) -> dict:
    if not isinstance(section, dict):
        raise ValueError(f"{name}: expected an object, not {section!r}")
    merged = copy.deepcopy(DEFAULTS[name])
    # Unknown keys are dropped rather than fatal, so a newer session still opens.
    merged.update({key: copy.deepcopy(value) for key, value in section.items() if key in merged})
    return merged


def _check_data(d: dict) -> dict:
    check_choice(d["name"], "data.name", tuple(datasets.DATASETS))
    check_integer(d["samples"], "data.samples", 2, MAX_SAMPLES)
    d["noise"] = check_real(d["noise"], "data.noise", 0.0, 10.0)
    check_integer(d["seed"], "data.seed", 0, 2**32 - 1)  # numpy's RandomState range
    return d


def _check_model(d: dict) -> dict:
    layers = d["layers"]
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"model.layers: expected a list of 1 to {MAX_LAYERS} layer sizes, not {layers!r}")
    for i, width in enumerate(layers):
        check_integer(width, f"model.layers[{i}]", 1, MAX_LAYER_WIDTH)
    check_choice(d["activation"], "model.activation", nn.ACTIVATIONS)
    check_choice(d["output_activation"], "model.output_activation", nn.ACTIVATIONS)
    check_integer(d["seed"], "model.seed", 0)
    return d


def _check_training(d: dict) -> dict:
    check_choice(d["loss"], "training.loss", tuple(losses.LOSSES))
    d["l2"] = check_real(d["l2"], "training.l2", 0.0)
    check_choice(d["optimizer"], "training.optimizer", tuple(optim.OPTIMIZERS))
    try:
        d["lr"] = optim.schedule_from_config(d["lr"]).to_config()
    except (ValueError, TypeError) as err:
        raise ValueError(f"training.lr: {err}") from None
    d["momentum"] = check_real(d["momentum"], "training.momentum", 0.0, 1.0)
    if d["batch_size"] is not None:
        check_integer(d["batch_size"], "training.batch_size", 1)
    check_choice(d["engine"], "training.engine", ENGINES)
    return d


@dataclass
class Config:
    """What to train: data, model and training settings, as JSON-ready dicts (see DEFAULTS)."""

    data: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["data"]))
    model: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["model"]))
    training: dict = field(default_factory=lambda: copy.deepcopy(DEFAULTS["training"]))

    def to_dict(self) -> dict:
        return {"data": copy.deepcopy(self.data), "model": copy.deepcopy(self.model),
                "training": copy.deepcopy(self.training)}

    @classmethod
    def from_dict(cls, d) -> Config:
        """A validated Config; missing keys take the defaults; raises ValueError naming the bad field."""
        if not isinstance(d, dict):
            raise ValueError(f"config: expected an object, not {d!r}")
        return cls(data=_check_data(_check_section("data", d.get("data", {}))),
                   model=_check_model(_check_section("model", d.get("model", {}))),
                   training=_check_training(_check_section("training", d.get("training", {}))))

    def merged(self, changes: dict) -> Config:
        """A new validated Config with nested `changes` ({"training": {"lr": {...}}}) applied."""
        if not isinstance(changes, dict) or set(changes) - set(SECTIONS):
            raise ValueError(f"changes: expected an object with keys among {', '.join(SECTIONS)}, not {changes!r}")
        d = self.to_dict()
        for section, values in changes.items():
            if not isinstance(values, dict):
                raise ValueError(f"{section}: expected an object, not {values!r}")
            for key, value in values.items():
                if key not in d[section]:
                    raise ValueError(f"{section}.{key}: not a setting (settings: {', '.join(d[section])})")
                d[section][key] = copy.deepcopy(value)
        return Config.from_dict(d)
