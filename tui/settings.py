"""The training form's settings as one table: label, default, text <-> value, check, and what a change costs.

Each `Setting` is one field of the form and one key of the `Config` (tui/config.py): the form builds its
widgets from `SETTINGS`, `Config` validates and fills defaults from it, messages and the replay timeline use
its `label` and `words`. A new setting is one entry here (its section's defaults come from the table).

`live` settings apply to the current model (and between steps of a running train); the others need a new
model, built from its seed. No Textual here (a test guards that).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from micrograd import datasets, features, losses, nn, optim
from tui.limits import (  # the bounds the session format shares (tui/limits.py)
    MAX_DECAY_FACTOR,
    MAX_L2,
    MAX_LAYER_WIDTH,
    MAX_LAYERS,
    MAX_LR,
    MAX_NOISE,
    MAX_SAMPLES,
    MAX_SCHEDULE_STEPS,
    MAX_SEED,
    MAX_TEST_PERCENT,
)

ENGINES = ("compiled", "reference")
SECTIONS = ("data", "model", "training")


# ---- checks: (value, label) -> the value to keep, or ValueError "label: expected ..., not ..." ---------


def check_integer(value, where: str, low: int, high: int | None = None, shown: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"from {low:,} to {high:,}" if high is not None else f"of at least {low:,}"
        raise ValueError(f"{where}: expected a whole number {bound}, not {shown or _shown(value)}")
    return value


def check_real(
    value, where: str, low: float, high: float | None = None, *, above: bool = False, below: bool = False
) -> float:
    """A finite number in [low, high]; `above`/`below` make that end exclusive."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (value > low if above else value >= low)
        and (high is None or (value < high if below else value <= high))
    )
    if not ok:
        lower = f"above {low:g}" if above else f"from {low:g}" if high is not None else f"of at least {low:g}"
        upper = "" if high is None else f" to below {high:g}" if below else f" to {high:g}"
        raise ValueError(f"{where}: expected a number {lower}{upper}, not {_shown(value)}")
    return float(value)


def check_choice(value, where: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{where}: expected one of {', '.join(choices)}, not {_shown(value)}")
    return value


def _shown(value) -> str:
    return (
        repr(value)
        if isinstance(value, str) or not isinstance(value, (int, float))
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


# ---- text <-> value -----------------------------------------------------------------------------------


def _typed(text: str) -> str:
    """The user's text in a message: quoted, at most 40 characters of it."""
    text = text.strip()
    return repr(text) if len(text) <= 40 else repr(text[:39] + "…")


def parse_int(text: str) -> int:
    digits = text.strip().replace("_", "").replace(",", "")
    if len(digits.lstrip("+-")) > 30:  # far past any count or seed; int() of 5,000 digits raises, of 1 MB is slow
        raise ValueError(f"{_typed(text)} has {len(digits):,} digits; that is not a usable whole number")
    try:
        return int(digits)
    except ValueError:
        raise ValueError(f"{_typed(text)} is not a whole number") from None


def parse_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"{_typed(text)} is not a number") from None


def parse_layers(text: str) -> list[int]:
    """ "16,16,1" -> [16, 16, 1]."""
    parts = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not parts:
        raise ValueError("give the layer sizes, like 16,16,1")
    return [parse_int(part) for part in parts]


def format_layers(layers) -> str:
    return ",".join(str(n) for n in layers) if isinstance(layers, list) else str(layers)


def parse_batch(text: str) -> int | None:
    """ "all" (or empty) means full batch."""
    return None if text.strip().lower() in ("", "all", "full") else parse_int(text)


def format_batch(batch) -> str:
    return "all" if batch is None else str(batch)


def parse_lr(text: str) -> dict:
    """ "0.05" | "constant 0.05" | "linear 1.0 0.1 100" | "cosine 0.1 0.001 200" | "step_decay 0.1 0.5 100"."""
    words = text.split()
    if not words:
        raise ValueError("give a rate like 0.05, or a schedule like linear 1.0 0.1 100")
    if len(words) == 1:
        return {"schedule": "constant", "lr": parse_float(words[0])}
    kind, numbers = words[0], words[1:]
    if kind not in optim.SCHEDULES:
        raise ValueError(f"unknown schedule {kind!r}: choose {', '.join(optim.SCHEDULES)}")
    fields = optim.SCHEDULES[kind].fields
    if len(numbers) > len(fields):
        raise ValueError(f"{kind} takes {len(fields)} numbers: {' '.join(fields)}")
    config = {"schedule": kind}
    for name, word in zip(fields, numbers):
        config[name] = parse_int(word) if name in ("steps", "every") else parse_float(word)
    return config


def format_lr(config) -> str:
    if not isinstance(config, dict):
        return str(config)
    kind = config.get("schedule")
    if kind == "constant" and "lr" in config:
        return str(config["lr"])
    fields = optim.SCHEDULES[kind].fields if kind in optim.SCHEDULES else ()
    return " ".join([str(kind)] + [str(config[name]) for name in fields if name in config])


def describe_lr(config) -> str:
    """`0.05 (constant)`, `1 → 0.1 over 100 steps (linear)`: the words messages and the timeline use."""
    if not isinstance(config, dict):
        return str(config)
    kind, c = config.get("schedule"), config
    try:
        if kind == "constant":
            return f"{c['lr']:g} (constant)"
        if kind in ("linear", "cosine"):
            return f"{c['start']:g} → {c['end']:g} over {c['steps']} steps ({kind})"
        if kind == "step_decay":
            return f"{c['start']:g} × {c.get('factor', 0.5):g} every {c.get('every', 100)} steps (step_decay)"
    except (KeyError, TypeError, ValueError):
        pass
    return format_lr(config)


def parse_steps(text: str) -> int | None:
    """How many steps Train runs: a number, or "∞"/"0"/empty for until paused."""
    if text.strip().lower() in ("", "0", "inf", "∞", "forever"):
        return None
    return parse_int(text)


def format_steps(steps) -> str:
    return "∞" if steps is None else str(steps)


def parse_features(text: str) -> list[str]:
    """ "x1^2, x2^2" (or spaces between) -> ["x1^2", "x2^2"]; "raw" (or empty) for x1, x2."""
    names = [part for part in text.replace(",", " ").split() if part]
    return list(features.RAW) if not names or names == ["raw"] else names


def format_features(names) -> str:
    return ",".join(names) if isinstance(names, list) else str(names)


def _check_features(names, where: str) -> list:
    try:
        return features.check(names)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def _check_layers(layers, where: str) -> list:
    if not isinstance(layers, list) or not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"{where}: expected 1 to {MAX_LAYERS} layer sizes like 16,16,1, not {format_layers(layers)}")
    for i, width in enumerate(layers):
        check_integer(width, f"{where} (layer {i + 1})", 1, MAX_LAYER_WIDTH)
    return list(layers)


def _check_lr(config, where: str) -> dict:
    """A schedule the optimizer understands, with positive rates (an end rate of 0 is allowed)."""
    try:
        config = optim.schedule_from_config(config).to_config()
    except (ValueError, TypeError) as err:
        raise ValueError(f"{where}: {err}") from None
    for name, value in config.items():
        if name == "schedule":
            continue
        if name in ("steps", "every"):
            check_integer(value, f"{where} ({name})", 1, MAX_SCHEDULE_STEPS)
        elif name == "factor":
            check_real(value, f"{where} ({name})", 0.0, MAX_DECAY_FACTOR, above=True)
        elif name == "end":
            check_real(value, f"{where} ({name})", 0.0, MAX_LR)
        else:
            check_real(value, f"{where} ({name})" if name != "lr" else where, 0.0, MAX_LR, above=True)
    return config


def _check_batch(batch, where: str):
    return None if batch is None else check_integer(batch, where, 1, MAX_SAMPLES, shown=str(batch))


def _check_steps(steps, where: str):
    return None if steps is None else check_integer(steps, where, 1, 10**9)


@dataclass(frozen=True)
class Setting:
    key: str  # the form's widget id suffix
    label: str  # the form's word for it: messages and the timeline use it too
    section: str  # config section, or "" for the app's own (steps)
    name: str  # the key in its section
    default: Any
    check: Callable[[Any, str], Any]  # (value, label) -> the value to keep, or ValueError naming the label
    parse: Callable[[str], Any] | None = None  # typed fields; None for a drop-down
    format: Callable[[Any], str] = str
    describe: Callable[[Any], str] | None = None  # words for messages and the timeline (default: format)
    choices: tuple[str, ...] = ()  # drop-down fields
    live: bool = False  # applies to the current model; otherwise a change builds a new one
    help: str = ""  # shown when the field has focus

    def words(self, value) -> str:
        try:
            return (self.describe or self.format)(value)
        except Exception:  # a value that failed its check: show it as it came
            return repr(value)


def _choice(choices):
    return lambda value, where: check_choice(value, where, choices)


SETTINGS: tuple[Setting, ...] = (
    # data
    Setting(
        "dataset",
        "data",
        "data",
        "name",
        "moons",
        _choice(tuple(datasets.DATASETS)),
        choices=tuple(datasets.DATASETS),
        help="the dataset",
    ),
    Setting(
        "samples",
        "n",
        "data",
        "samples",
        100,
        lambda v, w: check_integer(v, w, 2, MAX_SAMPLES),
        parse_int,
        help=f"how many samples, 2 to {MAX_SAMPLES:,}",
    ),
    Setting(
        "noise",
        "noise",
        "data",
        "noise",
        0.1,
        lambda v, w: check_real(v, w, 0.0, MAX_NOISE),
        parse_float,
        lambda v: f"{v:g}",
        help=f"the data's noise, 0 to {MAX_NOISE:g}",
    ),
    Setting(
        "seed",
        "seed",
        "data",
        "seed",
        1337,
        lambda v, w: check_integer(v, w, 0, MAX_SEED),
        parse_int,
        help="the data's random seed",
    ),
    Setting(
        "test",
        "test%",
        "data",
        "test_percent",
        0,
        lambda v, w: check_integer(v, w, 0, MAX_TEST_PERCENT),
        parse_int,
        help=f"percent of the points held out for testing (drawn hollow), 0 to {MAX_TEST_PERCENT}",
    ),
    # model
    Setting(
        "layers",
        "layers",
        "model",
        "layers",
        [16, 16, 1],
        _check_layers,
        parse_layers,
        format_layers,
        help="layer sizes, the last one is the outputs: 16,16,1",
    ),
    Setting(
        "activation",
        "act",
        "model",
        "activation",
        "relu",
        _choice(nn.ACTIVATIONS),
        choices=nn.ACTIVATIONS,
        help="the hidden layers' activation",
    ),
    Setting(
        "output",
        "out",
        "model",
        "output_activation",
        "linear",
        _choice(nn.ACTIVATIONS),
        choices=nn.ACTIVATIONS,
        help="the output layer's activation",
    ),
    Setting(
        "init",
        "init",
        "model",
        "seed",
        1337,
        lambda v, w: check_integer(v, w, 0, MAX_SEED),
        parse_int,
        help="the seed of the starting weights",
    ),
    Setting(
        "features",
        "inputs",
        "model",
        "features",
        list(features.RAW),
        _check_features,
        parse_features,
        format_features,
        help="input features: x1 x2 x1^2 x2^2 x1*x2 sin(x1) sin(x2), e.g. x1^2,x2^2",
    ),
    # training
    Setting(
        "loss",
        "loss",
        "training",
        "loss",
        "svm_max_margin",
        _choice(tuple(losses.LOSSES)),
        choices=tuple(losses.LOSSES),
        live=True,
        help="the loss",
    ),
    Setting(
        "lr",
        "lr",
        "training",
        "lr",
        {"schedule": "linear", "start": 1.0, "end": 0.1, "steps": 100},
        _check_lr,
        parse_lr,
        format_lr,
        describe_lr,
        live=True,
        help="learning rate: 0.05, or linear 1 0.1 100, cosine …, step_decay 0.1 0.5 100",
    ),
    Setting(
        "optimizer",
        "optim",
        "training",
        "optimizer",
        "sgd",
        _choice(tuple(optim.OPTIMIZERS)),
        choices=tuple(optim.OPTIMIZERS),
        live=True,
        help="the optimizer (a new one starts from step 0)",
    ),
    Setting(
        "momentum",
        "mom",
        "training",
        "momentum",
        0.0,
        lambda v, w: check_real(v, w, 0.0, 1.0, below=True),
        parse_float,
        lambda v: f"{v:g}",
        live=True,
        help="SGD momentum, 0 to below 1",
    ),
    Setting(
        "l2",
        "l2",
        "training",
        "l2",
        1e-4,
        lambda v, w: check_real(v, w, 0.0, MAX_L2),
        parse_float,
        lambda v: f"{v:g}",
        live=True,
        help=f"L2 regularisation strength, 0 to {MAX_L2:g}",
    ),
    Setting(
        "batch",
        "batch",
        "training",
        "batch_size",
        None,
        _check_batch,
        parse_batch,
        format_batch,
        live=True,
        help="samples per step: a number, or all",
    ),
    Setting(
        "engine",
        "engine",
        "training",
        "engine",
        "compiled",
        _choice(ENGINES),
        choices=ENGINES,
        live=True,
        help="compiled (NumPy) or reference (micrograd's Values)",
    ),
    Setting(
        "steps",
        "steps",
        "",
        "steps",
        100,
        _check_steps,
        parse_steps,
        format_steps,
        live=True,
        help="how many steps F9 trains: a number, or ∞ until paused",
    ),
)

BY_KEY = {s.key: s for s in SETTINGS}
BY_NAME = {(s.section, s.name): s for s in SETTINGS}
DEFAULTS = {section: {s.name: s.default for s in SETTINGS if s.section == section} for section in SECTIONS}


def setting(section: str, name: str) -> Setting | None:
    return BY_NAME.get((section, name))


def describe_changes(changes: dict) -> str:
    """`lr = 0.05 (constant), layers = 16,16,3`: a configure action in the form's words."""
    parts = []
    for section, values in (changes or {}).items():
        for name, value in (values or {}).items() if isinstance(values, dict) else ():
            s = setting(section, name)
            parts.append(f"{s.label} = {s.words(value)}" if s else f"{section}.{name} = {value!r}")
    return ", ".join(parts)
