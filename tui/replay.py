"""Replay: a session's actions applied in order to a fresh workbench — no Textual here.

The datasets, weights and engines are seeded, so the recomputed step results must equal the recorded ones; a
difference beyond 1e-9 is reported as a `Mismatch` naming the action and the step. `replay` runs a whole session
at full speed (`micrograd-tui check` prints its verdict through `check_main`); `Replayer` puts a session on a
timeline the app steps through, forward and back. Reading and writing session files is tui/session.py.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import Any, Callable, TextIO

from tui.session import Session, SessionError, encode, load, new_workbench
from tui.session_schema import RESULT_FIELDS

TOLERANCE = 1e-9


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
        wb.apply(json.loads(json.dumps(encode(recorded))))  # a copy: the workbench may keep what it is given
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
