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
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.session_schema import RESULT_FIELDS, TOP_LEVEL, SessionError

FORMAT = "micrograd-tui/session"
# 2: a configure of live settings (lr, optimizer, batch, engine, ...) keeps the model (issue 10); in version 1
# every configure rebuilt it. Version 1 files still load, and replay with version 1's meaning.
VERSION = 2
MAX_BYTES = 10 * 1024 * 1024  # a long lecture is well under 1 MB; refuse more before reading it whole


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
            title=title,
            description=description,
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
    return _render(encode(session.to_dict()), 0) + "\n"


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
        raise SessionError(
            f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
            "it may be truncated or not a session file"
        ) from None
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


def new_workbench(config: Any = None, expression: str | None = None, version: int = VERSION) -> Any:
    """A fresh Workbench built from a session's starting state (a config dict or Config, and the expression),
    whose actions mean what they meant in session format `version`."""
    from tui.config import Config
    from tui.workbench import DEFAULT_EXPRESSION, Workbench

    config = config if isinstance(config, Config) else Config.from_dict(config or {})
    return Workbench(
        config, expression=DEFAULT_EXPRESSION if expression is None else expression, session_version=version
    )
