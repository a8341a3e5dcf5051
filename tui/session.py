"""Sessions: a workbench's starting state plus the ordered log of actions it applied, as versioned JSON.

A session file is what a teacher records and a learner replays. It is plain JSON (never pickle), written so a
`git diff` of two sessions reads line by line, and validated field by field on load, because a file from disk
is untrusted input: every problem becomes one `SessionError` sentence naming the field path
(`actions[3].steps: expected a positive integer`), never a traceback.

Replay builds a fresh `Workbench` from the starting state and applies the actions in order. The datasets,
weights and engines are seeded, so the recomputed step results must equal the recorded ones; a difference
beyond 1e-9 is reported as a mismatch naming the action and the step.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable, TextIO

FORMAT = "micrograd-tui/session"
VERSION = 1
MAX_BYTES = 10 * 1024 * 1024  # a long lecture is well under 1 MB; refuse more before reading it whole
TOLERANCE = 1e-9
RESULT_FIELDS = ("step", "loss", "data_loss", "reg_loss", "accuracy", "lr")
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
        return {
            k: fields.get(k, json_value)(v, f"{path}.{k}" if path else k) for k, v in value.items()
        }

    return check


# Config fields are type- and range-checked here so a hostile file cannot ask for 10**12 samples; which names
# are valid (datasets, losses, optimizers) is `Config.from_dict`'s business, checked after this.
CONFIG_SECTIONS = {
    "data": obj({"name": text(64), "samples": integer(1, 100_000), "noise": number(0, 100),
                 "seed": integer()}),
    "model": obj({"inputs": integer(1, 1024), "layers": array(integer(1, 4096), 64, 1),
                  "activation": text(64), "output_activation": text(64), "seed": integer()}),
    "training": obj({"loss": text(64), "l2": number(0, 1e6), "optimizer": text(64),
                     "lr": obj({}), "momentum": number(0, 1), "batch_size": optional(integer(1, 1_000_000)),
                     "engine": text(64)}),
}
CONFIG = obj(CONFIG_SECTIONS)
RESULT = obj({"step": integer(), "loss": number(nonfinite=True), "data_loss": number(nonfinite=True),
              "reg_loss": number(nonfinite=True), "accuracy": number(0, 1, nonfinite=True),
              "lr": number(nonfinite=True)}, required=RESULT_FIELDS)
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
    "train": obj({"steps": integer(1, MAX_STEPS), "results": array(RESULT, MAX_STEPS)},
                 required=("steps", "results")),
    "reset": obj({}),
    "configure": obj({"changes": CONFIG}, required=("changes",)),
    "select": obj({"label": text(1000)}, required=("label",)),
    # the backprop/forward stepper (tui/stepping.py): its whole state, so replay lands on the same screen
    "stepper": obj({"mode": text(16), "position": integer(), "overwrite": _flag, "graph": text(16)},
                   required=("mode", "position")),
    "forget_zero_grad": obj({"on": _flag}, required=("on",)),
    "trace": obj({"sample": integer(0, 100_000)}, required=("sample",)),
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


TOP_LEVEL = obj({"format": text(), "version": integer(1), "created": text(64), "title": text(200),
                 "description": text(10_000), "expression": text(100_000), "config": CONFIG,
                 "actions": array(action, 100_000), "history": array(RESULT, 1_000_000)},
                required=("format", "version", "expression", "config", "actions"))


# ---------------------------------------------------------------------------------------------------------------
# The session
# ---------------------------------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Session:
    """The starting state (expression text, `Config.to_dict()`), the action log, and the step history."""

    expression: str
    config: dict
    actions: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    title: str = "Untitled session"
    description: str = ""
    created: str = field(default_factory=_now)
    extra: dict = field(default_factory=dict)  # unknown top-level keys, kept so a round trip loses nothing

    @classmethod
    def from_workbench(cls, wb: Any, *, title: str = "Untitled session", description: str = "") -> Session:
        """Record `wb`: the state it was built with plus everything it has done since."""
        config, expression = starting_state(wb)
        session = cls(expression=expression, config=config, actions=list(wb.log), history=list(wb.history),
                      title=title, description=description)
        # A round trip through the schema turns NumPy scalars into floats and catches a malformed log now,
        # at the user's keypress, rather than in the file.
        return cls.from_dict(json.loads(dumps(session)))

    @property
    def steps(self) -> int:
        return sum(len(a.get("results", ())) for a in self.actions)

    def to_dict(self) -> dict:
        known = {"format": FORMAT, "version": VERSION, "created": self.created, "title": self.title,
                 "description": self.description, "expression": self.expression, "config": self.config,
                 "actions": self.actions, "history": self.history}
        return {**self.extra, **known}

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        if not isinstance(data, dict):
            raise SessionError("expected a JSON object at the top level of a session file")
        if data.get("format") != FORMAT:
            raise SessionError(f'format: expected "{FORMAT}"; this is not a micrograd-tui session file')
        version = data.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise SessionError(f"this session was written by a newer micrograd-tui (version {version}); "
                               f"this one reads version {VERSION}")
        checked = TOP_LEVEL(data, "")
        _check_config_names(checked["config"])
        extra = {k: v for k, v in checked.items() if k not in TOP_LEVEL_KEYS}
        return cls(expression=checked["expression"], config=checked["config"], actions=checked["actions"],
                   history=checked.get("history", []), title=checked.get("title", "Untitled session"),
                   description=checked.get("description", ""), created=checked.get("created", ""), extra=extra)


TOP_LEVEL_KEYS = {"format", "version", "created", "title", "description", "expression", "config", "actions",
                  "history"}


def _check_config_names(config: dict) -> None:
    from tui.workbench import Config  # imported late: validating the types above needs no workbench

    try:
        Config.from_dict(config)
    except Exception as err:  # the file is untrusted: whatever Config makes of it must end in a sentence
        raise SessionError(f"config: {err}") from None


# ---------------------------------------------------------------------------------------------------------------
# JSON text: stable key order, containers of plain values on one line, so each step result is one diff line.
# ---------------------------------------------------------------------------------------------------------------

_TOP_ORDER = ["format", "version", "created", "title", "description", "expression", "config", "actions", "history"]


def _key_order(value: dict) -> list:
    """Stable, readable order: the header first, `do` first in an action, a result in its natural order."""
    if "format" in value:
        first = _TOP_ORDER
    elif "do" in value:
        first = ["do", "steps", "source", "label", "sample", "changes", "error"]
    elif all(name in value for name in RESULT_FIELDS):
        first = list(RESULT_FIELDS)
    else:
        first = []
    return [k for k in first if k in value] + sorted((k for k in value if k not in first), key=str)


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _encode(value[k]) for k in _key_order(value)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        return _encode(value.item())
    return value


def _render(value: Any, indent: int) -> str:
    flat = not isinstance(value, dict | list) or all(not isinstance(v, dict | list) for v in
                                                     (value.values() if isinstance(value, dict) else value))
    if flat:
        line = json.dumps(value, ensure_ascii=False, allow_nan=False)
        if len(line) + indent <= 200 or not isinstance(value, dict | list):
            return line
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_render(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if not value:
        return "[]"
    return "[\n" + ",\n".join(f"{inner}{_render(v, indent + 2)}" for v in value) + f"\n{pad}]"


def dumps(session: Session) -> str:
    return _render(_encode(session.to_dict()), 0) + "\n"


def loads(source: str | bytes, name: str = "this session") -> Session:
    """Parse and validate; every failure is a `SessionError` with one sentence."""
    if len(source) > MAX_BYTES:
        raise SessionError(f"{name} is larger than {MAX_BYTES // 2**20} MB; that is not a session file")
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as err:
            raise SessionError(f"{name} is not UTF-8 text (byte {err.start}); it is not a session file") from None
    try:
        data = json.loads(source, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise SessionError(f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
                           "it may be truncated or not a session file") from None
    except RecursionError:
        raise SessionError(f"{name} nests lists or objects too deeply to be a session file") from None
    except ValueError as err:
        raise SessionError(f"{name} is not a usable JSON file ({err})") from None
    return Session.from_dict(data)


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > 30:  # far beyond any count or seed; int() of a 1 MB digit string is slow
        raise ValueError(f"the integer {digits[:12]}... has {len(digits)} digits")
    return int(digits)


def load(path: str | os.PathLike) -> Session:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            # fstat on the open file, so a file swapped after a check cannot sneak past the limit
            if os.fstat(handle.fileno()).st_size > MAX_BYTES:
                raise SessionError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB; that is not a session file")
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise SessionError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        return loads(raw, path.name)
    except SessionError as err:
        message = str(err)
        raise SessionError(message if message.startswith(path.name) else f"{path.name}: {message}") from None


def save(session: Session, path: str | os.PathLike) -> None:
    """Write atomically: a temp file beside the target, fsync, read it back, then rename over the old file."""
    path = Path(path)
    data = dumps(session).encode("utf-8")
    if len(data) > MAX_BYTES:
        raise SessionError(f"this session is larger than {MAX_BYTES // 2**20} MB; not saved")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = path.stat().st_mode & 0o777  # keep an existing file's permissions
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        if dumps(loads(Path(tmp).read_bytes(), "the written copy")) != data.decode("utf-8"):
            raise SessionError("the written copy reads back differently")
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise SessionError(f"{path.name} was not saved: {err.strerror or err}") from None
    except SessionError as err:
        raise SessionError(f"{path.name} was not saved: {err}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def new_workbench(config: Any = None, expression: str | None = None) -> Any:
    """A fresh Workbench built from a session's starting state (a config dict or Config, and the expression)."""
    from tui.workbench import DEFAULT_EXPRESSION, Config, Workbench

    config = config if isinstance(config, Config) else Config.from_dict(config or {})
    return Workbench(config, expression=DEFAULT_EXPRESSION if expression is None else expression)


def starting_state(wb: Any) -> tuple[dict, str]:
    """(config dict, expression) the workbench was built from: a session replays from there."""
    return wb.start["config"], wb.start["expression"]


# ---------------------------------------------------------------------------------------------------------------
# Replay
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Mismatch:
    """Where a replay first differed from the recording, as one sentence."""

    index: int | None  # the action's index, None for the final history comparison
    step: int | None
    problem: str

    def __str__(self) -> str:
        where = "history" if self.index is None else f"actions[{self.index}]"
        return f"{where}{'' if self.step is None else f' step {self.step}'}: {self.problem}"


@dataclass
class ReplayReport:
    session: Session
    workbench: Any  # the workbench after the replay, ready to keep exploring from
    applied: int
    mismatch: Mismatch | None = None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def fresh_workbench(session: Session) -> Any:
    try:
        return new_workbench(session.config, session.expression)
    except Exception as err:  # a hostile or stale file must end in a sentence, whatever the workbench raised
        raise SessionError(f"the session's starting state cannot be built: {err}") from None


def _same(recorded: Any, replayed: Any) -> bool:
    try:
        a, b = float(recorded), float(replayed)
    except (TypeError, ValueError):
        return recorded == replayed
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _compare(index: int, recorded: dict, entry: dict | None, raised: Exception | None) -> Mismatch | None:
    if entry is None or (raised is not None and "error" not in entry):
        return Mismatch(index, None, f"{recorded['do']} failed on replay: {raised}")
    if recorded.get("error") != entry.get("error"):
        return Mismatch(index, None, f"error recorded {recorded.get('error')!r} but replayed {entry.get('error')!r}")
    old, new = recorded.get("results", []), entry.get("results", [])
    for was, now in zip(old, new):
        for name in RESULT_FIELDS:
            if not _same(was[name], now.get(name)):
                return Mismatch(index, was["step"], f"{name} recorded {was[name]!r} but replayed {now.get(name)!r}")
    if len(old) != len(new):
        return Mismatch(index, None, f"recorded {len(old)} step results but replay produced {len(new)}")
    return None


def apply_action(wb: Any, index: int, recorded: dict) -> tuple[dict | None, Mismatch | None]:
    """Apply one recorded action to `wb`; return the new log entry and how it differs from the recording."""
    before, raised = len(wb.log), None
    try:
        wb.apply(json.loads(json.dumps(_encode(recorded))))  # a copy: the workbench may keep what it is given
    except Exception as err:  # a bad expression is a recorded outcome; anything else becomes a mismatch
        raised = err
    entry = wb.log[-1] if len(wb.log) > before else None
    return entry, _compare(index, recorded, entry, raised)


def replay(session: Session, *, on_action: Callable[[int, dict | None], None] | None = None) -> ReplayReport:
    """Apply every action to a fresh workbench, stopping at the first result that differs from the recording."""
    wb = fresh_workbench(session)
    for index, recorded in enumerate(session.actions):
        entry, mismatch = apply_action(wb, index, recorded)
        if on_action is not None:
            on_action(index, entry)
        if mismatch is not None:
            return ReplayReport(session, wb, index + 1, mismatch)
    report = ReplayReport(session, wb, len(session.actions))
    if session.history:
        now = list(wb.history)
        for was, new in zip(session.history, now):
            if not all(_same(was[name], new.get(name)) for name in RESULT_FIELDS):
                report.mismatch = Mismatch(None, was["step"], f"recorded {was} but replayed {new}")
                break
        else:
            if len(now) != len(session.history):
                report.mismatch = Mismatch(None, None, f"recorded {len(session.history)} steps, replayed {len(now)}")
    return report


class Replayer:
    """A session on a timeline: `position` actions applied, stepping forward and back, for the app.

    Stepping back rebuilds a fresh workbench and re-applies the first position-1 actions, rather than caching
    snapshots: the workbench holds Value graphs, a compiled trainer, optimizer moments and random generators,
    which deep copies reproduce neither faithfully nor cheaply (a training graph has ~40,000 nodes), while the
    seeded engine makes a rebuild exact by construction — it is the same code path `check` verifies. A rebuild
    costs a replay up to that point: milliseconds per training step on the compiled engine.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.workbench = fresh_workbench(session)
        self.position = 0
        self.mismatch: Mismatch | None = None
        self._log_length = 0  # the workbench's log length the replay left; more means the user acted on it

    @property
    def diverged(self) -> bool:
        """Something other than the replay acted on the workbench: the user has started a branch."""
        return len(self.workbench.log) != self._log_length or bool(getattr(self.workbench, "training", False))

    def __len__(self) -> int:
        return len(self.session.actions)

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position >= len(self)

    @property
    def last_action(self) -> dict | None:
        """The action most recently applied (what the panes show the result of)."""
        return self.session.actions[self.position - 1] if self.position else None

    def forward(self) -> dict | None:
        if self.at_end:
            return None
        entry, mismatch = apply_action(self.workbench, self.position, self.session.actions[self.position])
        self.position += 1
        self._log_length = len(self.workbench.log)
        self.mismatch = self.mismatch or mismatch
        return entry

    def back(self) -> None:
        self.seek(self.position - 1)

    def seek(self, position: int) -> None:
        position = max(0, min(position, len(self)))
        if position < self.position:
            self.workbench, self.position, self.mismatch = fresh_workbench(self.session), 0, None
            self._log_length = 0
        while self.position < position:
            self.forward()

    def branch(self) -> Any:
        """Leave replay: the workbench at this position, whose log holds the actions so far, to explore on."""
        return self.workbench


def check_main(paths: list[str], out: TextIO = sys.stdout) -> int:
    """`micrograd-tui check SESSION...`: replay each headlessly; exit 0 all OK, 1 a mismatch, 2 a bad file."""
    status = 0 if paths else 2
    if not paths:
        print("usage: micrograd-tui check SESSION [SESSION ...]", file=out)
    for path in paths:
        try:
            session = load(path)
            report = replay(session)
        except SessionError as err:
            print(f"ERROR  {path}  {err}", file=out)
            status = 2
            continue
        if report.ok:
            print(f"OK  {path}  ({len(session.actions)} actions, {session.steps} steps)", file=out)
        else:
            print(f"MISMATCH  {path}  {report.mismatch}", file=out)
            status = max(status, 1)
    return status
