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
            "name": text(64),
            "samples": integer(1, 100_000),
            "noise": number(0, 100),
            "seed": integer(),
            "test_percent": integer(0, 99),
        }
    ),
    "model": obj(
        {
            "inputs": integer(1, 1024),
            "layers": array(integer(1, 4096), 64, 1),
            "activation": text(64),
            "output_activation": text(64),
            "seed": integer(),
            "features": array(text(16), 16, 1),
        }
    ),
    "training": obj(
        {
            "loss": text(64),
            "l2": number(0, 1e6),
            "optimizer": text(64),
            "lr": obj({}),
            "momentum": number(0, 1),
            "batch_size": optional(integer(1, 1_000_000)),
            "engine": text(64),
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
MAX_STEPS = 100_000  # per train action: replaying more would keep `check` busy for hours


def _flag(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "expected true or false")
    return value


ACTIONS: dict[str, Checker] = {
    "evaluate": obj({"source": text(100_000), "error": text(10_000)}, required=("source",)),
    "backward": obj({}),
    "zero_grad": obj({}),
    "step": obj({"results": array(RESULT, 1, 1)}, required=("results",)),
    "train": obj({"steps": integer(1, MAX_STEPS), "results": array(RESULT, MAX_STEPS)}, required=("steps", "results")),
    "reset": obj({}),
    "configure": obj({"changes": CONFIG}, required=("changes",)),
    "preset": obj({"name": text(64), "config": CONFIG}, required=("name", "config")),  # tui/presets.py
    "select": obj({"label": text(1000)}, required=("label",)),
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
            "value": number(-1e6, 1e6),
            "loss": number(nonfinite=True),
            "accuracy": number(0, 1, nonfinite=True),
        },
        required=("layer", "neuron", "parameter", "value"),
    ),
    # the learner's own data (tui/data_edits.py): a point by hand, a point removed, a file's rows
    "add_point": obj({"position": array(number(), 64, 1), "label": number(-1e6, 1e6)}, required=("position", "label")),
    "remove_point": obj({"index": integer(0, 100_000)}, required=("index",)),
    "import_data": obj(
        {
            "name": text(200),
            "points": array(array(number(), 64, 1), 10_000, 2),
            "labels": array(integer(0, 1000), 10_000, 2),
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
        "title": text(200),
        "description": text(10_000),
        "expression": text(100_000),
        "config": CONFIG,
        "actions": array(action, 100_000),
        "history": array(RESULT, 1_000_000),
    },
    required=("format", "version", "expression", "config", "actions"),
)
