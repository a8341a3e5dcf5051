"""The session file's schema (version 1), as a table of small checkers — no Textual here.

A file from disk is untrusted input, so `tui.session` runs every field through these checkers before it builds
a `Session`: each problem becomes one `SessionError` sentence naming the field path
(`actions[3].steps: expected a positive integer`), never a traceback. The checkers only bound types and sizes;
whether a name is a known dataset, loss or optimizer is `Config.from_dict`'s business (tui/config.py).
`SessionError` is defined here because every checker raises it; `tui.session` is where its users import it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tui import limits as L  # the bounds the workbench shares

RESULT_FIELDS = ("step", "loss", "data_loss", "reg_loss", "accuracy", "lr")
TEST_FIELDS = ("test_loss", "test_accuracy")  # present only when the data has a held-out test set
# JSON has no NaN or infinity, yet a diverging run produces them: result numbers may be these strings instead.
NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class SessionError(Exception):
    """A session that cannot be read, saved or replayed; `str()` is one sentence for the user."""


# ---------------------------------------------------------------------------------------------------------------
# The schema, as a table of small checkers. Each checker takes (value, path) and returns the value to keep,
# or raises SessionError("<path>: expected ..."). Unknown keys in objects are kept, never fatal, so a file
# written by a later minor edit of this version still opens.
# ---------------------------------------------------------------------------------------------------------------

Checker = Callable[[Any, str], Any]
BIG = 2**63 - 1  # seeds and counts beyond this are nonsense, and would overflow NumPy's int64


def _fail(path: str, problem: str) -> SessionError:
    return SessionError(f"{path}: {problem}" if path else problem)


def integer(lo: int = 0, hi: int = BIG) -> Checker:
    kind = "a positive integer" if lo == 1 else "a non-negative integer" if lo == 0 else "an integer"

    def check(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < lo:
            raise _fail(path, f"expected {kind}")
        if value > hi:
            raise _fail(path, f"expected at most {hi}")
        return value

    return check


def number(lo: float = -math.inf, hi: float = math.inf, *, nonfinite: bool = False) -> Checker:
    tokens = ' or "nan", "inf", "-inf"' if nonfinite else ""

    def check(value: Any, path: str) -> float:
        if nonfinite and isinstance(value, str) and value in NONFINITE:
            return NONFINITE[value]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, f"expected a number{tokens}")
        if abs(value) > 1e308 or not math.isfinite(value):  # 1e999 parses as inf; JSON's NaN token as nan
            raise _fail(path, f"expected a finite number{tokens}")
        if not lo <= value <= hi:
            raise _fail(path, f"expected a number from {lo:g} to {hi:g}")
        return value

    return check


def text(max_len: int = 1_000_000) -> Checker:
    def check(value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise _fail(path, "expected a string")
        if len(value) > max_len:
            raise _fail(path, f"expected at most {max_len} characters")
        return value

    return check


def optional(inner: Checker) -> Checker:
    return lambda value, path: None if value is None else inner(value, path)


def array(item: Checker, max_len: int = 1_000_000, min_len: int = 0) -> Checker:
    def check(value: Any, path: str) -> list:
        if not isinstance(value, list):
            raise _fail(path, "expected a list")
        if not min_len <= len(value) <= max_len:
            raise _fail(path, f"expected a list of {min_len} to {max_len} items")
        return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return check


def json_value(value: Any, path: str) -> Any:
    """Free-form JSON (an lr schedule, an unknown key): only the numbers need checking."""
    if isinstance(value, dict):
        return {k: json_value(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number()(value, path)
    return value


def obj(fields: dict[str, Checker], required: tuple[str, ...] = ()) -> Checker:
    def check(value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise _fail(path, "expected an object")
        for name in required:
            if name not in value:
                raise _fail(f"{path}.{name}" if path else name, "required field is missing")
        return {k: fields.get(k, json_value)(v, f"{path}.{k}" if path else k) for k, v in value.items()}

    return check


# Config fields are type- and range-checked here so a hostile file cannot ask for 10**12 samples; which names
# are valid (datasets, losses, optimizers) is `Config.from_dict`'s business, checked after this.
CONFIG_SECTIONS = {
    "data": obj(
        {
            "name": text(L.MAX_CHOICE),
            "samples": integer(1, L.MAX_SAMPLES),
            "noise": number(0, L.MAX_NOISE),
            "seed": integer(0, L.MAX_SEED),
            "test_percent": integer(0, L.MAX_TEST_PERCENT),
        }
    ),
    "model": obj(
        {
            "inputs": integer(1, L.MAX_INPUTS),
            "layers": array(integer(1, L.MAX_LAYER_WIDTH), L.MAX_LAYERS, 1),
            "activation": text(L.MAX_CHOICE),
            "output_activation": text(L.MAX_CHOICE),
            "seed": integer(0, L.MAX_SEED),
            "features": array(text(16), L.MAX_FEATURES, 1),
        }
    ),
    "training": obj(
        {
            "loss": text(L.MAX_CHOICE),
            "l2": number(0, L.MAX_L2),
            "optimizer": text(L.MAX_CHOICE),
            "lr": obj(
                {
                    "schedule": text(L.MAX_CHOICE),
                    "lr": number(0, L.MAX_LR),
                    "start": number(0, L.MAX_LR),
                    "end": number(0, L.MAX_LR),
                    "factor": number(0, L.MAX_DECAY_FACTOR),
                    "steps": integer(1, L.MAX_SCHEDULE_STEPS),
                    "every": integer(1, L.MAX_SCHEDULE_STEPS),
                }
            ),
            "momentum": number(0, 1),
            "batch_size": optional(integer(1, L.MAX_BATCH)),
            "engine": text(L.MAX_CHOICE),
        }
    ),
}
CONFIG = obj(CONFIG_SECTIONS)
RESULT = obj(
    {
        "step": integer(),
        "loss": number(nonfinite=True),
        "data_loss": number(nonfinite=True),
        "reg_loss": number(nonfinite=True),
        "accuracy": number(0, 1, nonfinite=True),
        "lr": number(nonfinite=True),
        "test_loss": number(nonfinite=True),
        "test_accuracy": number(0, 1, nonfinite=True),
    },
    required=RESULT_FIELDS,
)
MAX_STEPS = L.MAX_TRAIN_STEPS  # per train action: replaying more would keep `check` busy for hours


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "expected true or false")
    return value


ACTIONS: dict[str, Checker] = {
    "evaluate": obj({"source": text(L.MAX_SOURCE), "error": text(L.MAX_ERROR)}, required=("source",)),
    "backward": obj({}),
    "zero_grad": obj({}),
    "step": obj({"results": array(RESULT, 1, 1)}, required=("results",)),
    "train": obj({"steps": integer(1, MAX_STEPS), "results": array(RESULT, MAX_STEPS)}, required=("steps", "results")),
    "reset": obj({}),
    "configure": obj({"changes": CONFIG}, required=("changes",)),
    "preset": obj({"name": text(64), "config": CONFIG}, required=("name", "config")),  # tui/presets.py
    "select": obj({"label": text(L.MAX_LABEL)}, required=("label",)),
    # the backprop/forward stepper (tui/stepping.py): its whole state, so replay lands on the same screen
    "stepper": obj(
        {"mode": text(16), "position": integer(), "overwrite": _flag, "graph": text(16)}, required=("mode", "position")
    ),
    "forget_zero_grad": obj({"on": _flag}, required=("on",)),
    "trace": obj({"sample": integer(0, 100_000)}, required=("sample",)),
    # the network view (tui/network_view_state.py): a selected neuron, and a weight or bias set by hand
    "select_neuron": obj(
        {"layer": integer(0, 64), "neuron": integer(0, 4096), "parameter": integer(0, 4096)},
        required=("layer", "neuron"),
    ),
    "set_parameter": obj(
        {
            "layer": integer(0, 64),
            "neuron": integer(0, 4096),
            "parameter": text(16),
            "value": number(-L.MAX_TARGET, L.MAX_TARGET),
            "loss": number(nonfinite=True),
            "accuracy": number(0, 1, nonfinite=True),
        },
        required=("layer", "neuron", "parameter", "value"),
    ),
    # the learner's own data (tui/data_edits.py): a point by hand, a point removed, a file's rows
    "add_point": obj(
        {"position": array(number(), L.MAX_COORDINATES, 1), "label": number(-L.MAX_TARGET, L.MAX_TARGET)},
        required=("position", "label"),
    ),
    "remove_point": obj({"index": integer(0, 100_000)}, required=("index",)),
    "import_data": obj(
        {
            "name": text(L.MAX_NAME),
            "points": array(array(number(), L.MAX_COORDINATES, 1), L.MAX_POINTS, 2),
            "labels": array(integer(0, L.MAX_CLASS), L.MAX_POINTS, 2),
        },
        required=("name", "points", "labels"),
    ),
}


def action(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "expected an object")
    do = value.get("do")
    if not isinstance(do, str) or do not in ACTIONS:
        raise _fail(f"{path}.do", f"expected one of {', '.join(ACTIONS)}")
    checked = ACTIONS[do](value, path)
    if do == "train" and len(checked["results"]) > checked["steps"]:
        raise _fail(f"{path}.results", f"expected at most {checked['steps']} results (one per step)")
    return checked


TOP_LEVEL = obj(
    {
        "format": text(),
        "version": integer(1),
        "created": text(64),
        "title": text(L.MAX_TITLE),
        "description": text(L.MAX_DESCRIPTION),
        "expression": text(L.MAX_SOURCE),
        "config": CONFIG,
        "actions": array(action, L.MAX_ACTIONS),
        "history": array(RESULT, L.MAX_SESSION_STEPS),
    },
    required=("format", "version", "expression", "config", "actions"),
)
