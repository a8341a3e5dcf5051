"""Sessions: a workbench's starting state plus the ordered log of actions it applied, as versioned JSON.

A session file is what a teacher records and a learner replays. It is plain JSON (never pickle), written so a
`git diff` of two sessions reads line by line, and validated field by field on load, because a file from disk
is untrusted input: every problem becomes one `SessionError` sentence naming the field path
(`actions[3].steps: expected a positive integer`), never a traceback. The schema those checks follow is
tui/session_schema.py.

Replaying a session -- a fresh `Workbench` from the starting state, the actions applied in order, the
recomputed step results compared with the recorded ones -- is tui/replay.py, which builds on this module.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

from micrograd import files
from tui import limits as L
from tui.session_schema import RESULT_FIELDS, TOP_LEVEL, SessionError

FORMAT = "micrograd-tui/session"
# 2: a configure of live settings (lr, optimizer, batch, engine, ...) keeps the model (issue 10); in version 1
# every configure rebuilt it. Version 1 files still load, and replay with version 1's meaning.
VERSION = 2
MAX_BYTES = L.MAX_SESSION_BYTES  # a long lecture is well under 1 MB; refuse more before reading it whole
# A session written by this app nests 7 levels (top, actions, an action, changes, a section, layers, a number);
# hand-edited extra keys get room to spare. Deeper is refused before parsing: Python's own recursion (the JSON
# parser's, the schema's) gives out near 1,000 levels, with a RecursionError rather than a sentence.
MAX_DEPTH = 32


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
    version: int = VERSION  # what its actions mean (see VERSION); a workbench replaying it keeps that meaning

    @classmethod
    def from_workbench(cls, wb: Any, *, title: str = "Untitled session", description: str = "") -> Session:
        """Record `wb`: the state it was built with plus everything it has done since."""
        config, expression = wb.start["config"], wb.start["expression"]
        session = cls(
            expression=expression,
            config=config,
            actions=list(wb.log),
            history=list(wb.history),
            title=L.cut(title, L.MAX_TITLE),  # a branch's "… (branch at action 12)" may pass the limit
            description=L.cut(description, L.MAX_DESCRIPTION),
            version=getattr(wb, "session_version", VERSION),
        )
        # A round trip through the schema turns NumPy scalars into floats and catches a malformed log now,
        # at the user's keypress, rather than in the file.
        return cls.from_dict(json.loads(dumps(session)))

    @property
    def steps(self) -> int:
        return sum(len(a.get("results", ())) for a in self.actions)

    def to_dict(self) -> dict:
        known = {
            "format": FORMAT,
            "version": self.version,
            "created": self.created,
            "title": self.title,
            "description": self.description,
            "expression": self.expression,
            "config": self.config,
            "actions": self.actions,
            "history": self.history,
        }
        return {**self.extra, **known}

    @classmethod
    def from_dict(cls, data: Any) -> Session:
        if not isinstance(data, dict):
            raise SessionError("expected a JSON object at the top level of a session file")
        if data.get("format") != FORMAT:
            raise SessionError(f'format: expected "{FORMAT}"; this is not a micrograd-tui session file')
        version = data.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise SessionError(
                f"this session was written by a newer micrograd-tui (version {version}); "
                f"this one reads version {VERSION}"
            )
        checked = TOP_LEVEL(data, "")
        steps = sum(a["steps"] if a["do"] == "train" else a["do"] == "step" for a in checked["actions"])
        if steps > L.MAX_SESSION_STEPS:
            raise SessionError(
                f"actions: {steps:,} training steps in all; a session holds at most {L.MAX_SESSION_STEPS:,}"
            )
        _check_config_names(checked["config"])
        extra = {k: v for k, v in checked.items() if k not in TOP_LEVEL_KEYS}
        return cls(
            expression=checked["expression"],
            config=checked["config"],
            actions=checked["actions"],
            history=checked.get("history", []),
            title=checked.get("title", "Untitled session"),
            description=checked.get("description", ""),
            created=checked.get("created", ""),
            extra=extra,
            version=checked["version"],
        )


TOP_LEVEL_KEYS = {"format", "version", "created", "title", "description", "expression", "config", "actions", "history"}


def _check_config_names(config: dict) -> None:
    from tui.config import Config  # imported late: checking the types needs neither micrograd nor NumPy

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


def encode(value: Any) -> Any:
    """Plain JSON values in a stable key order: non-finite floats as "nan"/"inf"/"-inf", NumPy scalars as numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: encode(value[k]) for k in _key_order(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        return encode(value.item())
    return value


def _render(value: Any, indent: int) -> str:
    flat = not isinstance(value, dict | list) or all(
        not isinstance(v, dict | list) for v in (value.values() if isinstance(value, dict) else value)
    )
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
    text = _render(encode(session.to_dict()), 0) + "\n"
    # A lone surrogate (a label typed as '\ud800') has no UTF-8 form: written as JSON's escape \ud800, valid
    # JSON that reads back as the same string. It can only stand inside a string, so the escape is always right.
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(source: str | bytes, name: str = "this session") -> Session:
    """Parse and validate; every failure is a `SessionError` with one sentence."""
    if len(source) > MAX_BYTES:
        raise SessionError(f"{name} is larger than {MAX_BYTES // 2**20} MB; that is not a session file")
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")  # a byte order mark (some Windows editors write one) is not JSON
        except UnicodeDecodeError as err:
            raise SessionError(f"{name} is not UTF-8 text (byte {err.start}); it is not a session file") from None
    check_depth(source, name)
    try:
        data = json.loads(source, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        raise SessionError(
            f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
            "it may be truncated or not a session file"
        ) from None
    except RecursionError:
        raise SessionError(f"{name} nests lists or objects too deeply to be a session file") from None
    except ValueError as err:
        raise SessionError(f"{name} is not a usable JSON file ({err})") from None
    try:
        return Session.from_dict(data)
    except RecursionError:  # cannot happen below MAX_DEPTH; a sentence all the same
        raise SessionError(f"{name} nests lists or objects too deeply to be a session file") from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_CHANGE = {"[": 1, "{": 1, "]": -1, "}": -1}


def check_depth(text: str, name: str = "this session", limit: int = MAX_DEPTH) -> None:
    """SessionError, naming the line, when `text`'s lists and objects nest deeper than `limit`.

    A scan of the raw text (strings taken out, then a running count of the brackets), done before any parser
    recurses into it: linear in the size and in C loops, about 0.1 s for the 10 MB a file may have.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    if max(accumulate(map(_DEPTH_CHANGE.__getitem__, brackets)), default=0) <= limit:
        return
    depth, line, line_start = 0, 1, 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|\n', text):  # only now: where is it?
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
            continue
        depth += _DEPTH_CHANGE.get(token, 0)
        if depth > limit:
            raise SessionError(
                f"{name} nests lists or objects more than {limit} levels deep (line {line}, "
                f"column {match.start() - line_start + 1}); that is not a session file"
            )
    raise SessionError(f"{name} nests lists or objects more than {limit} levels deep; that is not a session file")


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > 30:  # far beyond any count or seed; int() of a 1 MB digit string is slow
        raise ValueError(f"the integer {digits[:12]}... has {len(digits)} digits")
    return int(digits)


def load(path: str | os.PathLike) -> Session:
    """Read and validate a session file: only a regular file of at most MAX_BYTES (a named pipe or a device is
    refused before it is opened for reading), every failure one `SessionError` sentence naming the file."""
    name = files.printable_name(path)
    try:
        raw = files.read_bytes(path, MAX_BYTES)
    except files.FileRefused as err:
        raise SessionError(str(err)) from None
    try:
        return loads(raw, name)
    except SessionError as err:
        message = str(err)
        raise SessionError(message if message.startswith(name) else f"{name}: {message}") from None


def save(session: Session, path: str | os.PathLike) -> Path:
    """Write atomically (`micrograd.files.write_atomic`: a temp file beside the target, fsync, read back and
    checked, then renamed over it; a symlink stays a link, the file's permission bits stay). Returns the file
    written: a symlink's target."""
    data = dumps(session).encode("utf-8")
    if len(data) > MAX_BYTES:
        raise SessionError(f"this session is larger than {MAX_BYTES // 2**20} MB; not saved")

    def verify(written: Path) -> None:
        if dumps(loads(written.read_bytes(), "the written copy")) != data.decode("utf-8"):
            raise SessionError("the written copy reads back differently")

    try:
        return files.write_atomic(path, data, verify)
    except (files.FileRefused, SessionError) as err:
        raise SessionError(f"{files.printable_name(path)} was not saved: {err}") from None


def target_path(text: str) -> Path:
    """What a path typed in the save dialog means: the text, `~` expanded, with `.json` added when it has another
    suffix. SessionError (a sentence) for text that cannot name a session file: a NUL, a name over 255 bytes, a
    folder, a named pipe or a device."""
    try:
        path = Path(files.check_path_text(Path(files.check_path_text(text)).expanduser()))
        if path.is_dir():
            raise files.FileRefused(f"{files.printable_name(path)} is a folder; type a file name in it")
        if path.suffix != ".json":
            path = Path(files.check_path_text(path.with_name(path.name + ".json")))
        files.write_target(path)
    except files.FileRefused as err:
        raise SessionError(str(err)) from None
    except OSError as err:
        raise SessionError(f"{files.printable_name(text)} cannot be used: {err.strerror or err}") from None
    return path


def new_workbench(config: Any = None, expression: str | None = None, version: int = VERSION) -> Any:
    """A fresh Workbench built from a session's starting state (a config dict or Config, and the expression),
    whose actions mean what they meant in session format `version`."""
    from tui.config import Config
    from tui.workbench import DEFAULT_EXPRESSION, Workbench

    config = config if isinstance(config, Config) else Config.from_dict(config or {})
    return Workbench(
        config, expression=DEFAULT_EXPRESSION if expression is None else expression, session_version=version
    )
