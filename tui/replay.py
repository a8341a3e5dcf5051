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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from micrograd import graph
from micrograd.files import printable
from tui.budget import INLINE_SOURCE_CHARS
from tui.replay_budget import (
    GRAPH_ACTIONS,
    GRAPH_RATE,
    Meter,
    TooMuchWork,
    action_training_seconds,
    config_step_seconds,
)
from tui.samples import resolve
from tui.session import Session, SessionError, encode, load, new_workbench
from tui.session_schema import RESULT_FIELDS, TEST_FIELDS

TOLERANCE = 1e-9
CHUNK_SECONDS = 0.05  # estimated training per unit of a cancellable move: Esc waits about this long at most


class ReplayCancelled(Exception):
    """Raised by a move's `check` (the app's worker was cancelled): the replayer stays where it got to."""


Check = Callable[["Replayer"], None]  # called before each unit of a move; raises ReplayCancelled to stop it


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
        return new_workbench(session.config, session.expression, getattr(session, "version", 1))
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
    for name in ("loss", "accuracy"):  # what a hand-set weight (set_parameter) led to
        if name in recorded and not _same(recorded[name], entry.get(name)):
            return Mismatch(index, None, f"{name} recorded {recorded[name]!r} but replayed {entry.get(name)!r}")
    old, new = recorded.get("results", []), entry.get("results", [])
    for was, now in zip(old, new):
        for name in RESULT_FIELDS + tuple(k for k in TEST_FIELDS if k in was or k in now):
            if not _same(was.get(name), now.get(name)):
                return Mismatch(index, was["step"], f"{name} recorded {was[name]!r} but replayed {now.get(name)!r}")
    if len(old) != len(new):
        return Mismatch(index, None, f"recorded {len(old)} step results but replay produced {len(new)}")
    return None


def apply_action(wb: Any, index: int, recorded: dict) -> tuple[dict | None, Mismatch | None]:
    """Apply one recorded action to `wb`; return the new log entry and how it differs from the recording."""
    before, raised = len(wb.log), None
    try:
        wb.apply(json.loads(json.dumps(encode(recorded))))  # a copy: the workbench may keep what it is given
    except (MemoryError, RecursionError):
        raise  # not an outcome to compare: the replay itself cannot go on (check says so, with exit code 3 or 2)
    except Exception as err:  # a bad expression is a recorded outcome; anything else becomes a mismatch
        raised = err
    entry = wb.log[-1] if len(wb.log) > before else None
    return entry, _compare(index, recorded, entry, raised)


def graph_size(wb: Any) -> int:
    """Nodes in the workbench's expression graph (0 without one): what its graph actions cost."""
    return 0 if wb.output is None else sum(1 for _ in graph.walk(wb.output))


def checked_workbench(session: Session, name: str = "this session") -> Any:
    """The session's fresh workbench, once its training and its first graph's actions are estimated within the
    budget (TooMuchWork, a SessionError, otherwise): what the app checks before it replays a session."""
    meter = Meter(session, name)
    wb = fresh_workbench(session)
    meter.before_graph_actions(graph_size(wb), 0)
    return wb


def replay(
    session: Session,
    *,
    on_action: Callable[[int, dict | None], None] | None = None,
    name: str = "this session",
    budget: float | None = None,
) -> ReplayReport:
    """Apply every action to a fresh workbench, stopping at the first result that differs from the recording.
    TooMuchWork (a SessionError) before the training, or before a graph's actions, estimated past `budget`."""
    meter = Meter(session, name) if budget is None else Meter(session, name, budget)
    wb = fresh_workbench(session)
    meter.before_graph_actions(graph_size(wb), 0)
    for index, recorded in enumerate(session.actions):
        entry, mismatch = apply_action(wb, index, recorded)
        if recorded.get("do") == "evaluate":
            meter.before_graph_actions(graph_size(wb), index + 1)
        if on_action is not None:
            on_action(index, entry)
        if mismatch is not None:
            return ReplayReport(session, wb, index + 1, mismatch)
    report = ReplayReport(session, wb, len(session.actions))
    if session.history:
        now = list(wb.history)
        for was, new in zip(session.history, now):
            if not all(
                _same(was.get(name), new.get(name))
                for name in RESULT_FIELDS + tuple(k for k in TEST_FIELDS if k in was)
            ):
                report.mismatch = Mismatch(None, was["step"], f"recorded {was} but replayed {new}")
                break
        else:
            if len(now) != len(session.history):
                report.mismatch = Mismatch(None, None, f"recorded {len(session.history)} steps, replayed {len(now)}")
    return report


class Replayer:
    """A session on a timeline, stepping forward and back, for the app.

    The position is (`position`, `substep`): `position` whole actions applied, then `substep` training steps
    of the next action -- only ever non-zero when that action is a `train`, so a recorded `train 100` can be
    watched (and paused) step by step. The state at (i, k) is the first i actions applied to a fresh workbench
    and then `train k`: seeded, so its k results must equal the first k recorded ones (compared like `replay`
    does), and leaving replay there branches with a log that ends in `train k`, which replays exactly.

    Moving back rebuilds a fresh workbench and re-applies everything up to the target, rather than caching
    snapshots: the workbench holds Value graphs, a compiled trainer, optimizer moments and random generators,
    which deep copies reproduce neither faithfully nor cheaply (a training graph has ~40,000 nodes), while the
    seeded engine makes a rebuild exact by construction -- it is the same code path `check` verifies. A rebuild
    costs a replay up to that point: milliseconds per training step on the compiled engine. Moving forward
    within a train action continues the same run (`train(delta)`, whose log entry is merged into the partial
    one), which gives the same numbers as a rebuild: the trainer is the same object either way.
    """

    def __init__(self, session: Session, name: str = "this session") -> None:
        self.session = session
        self.workbench = checked_workbench(session, name)  # TooMuchWork names the file `name`
        self.position = 0
        self.substep = 0  # training steps of actions[position] applied; 0 unless it is a train action
        self.mismatch: Mismatch | None = None
        self._log_length = 0  # the workbench's log length the replay left; more means the user acted on it
        self._training: list[float] | None = None  # each action's estimated training seconds, once asked

    @property
    def diverged(self) -> bool:
        """Something other than the replay acted on the workbench: the user has started a branch."""
        return len(self.workbench.log) != self._log_length or bool(getattr(self.workbench, "training", False))

    def __len__(self) -> int:
        return len(self.session.actions)

    @property
    def at_start(self) -> bool:
        return self.position == 0 and self.substep == 0

    @property
    def at_end(self) -> bool:
        return self.position >= len(self)

    def steps_of(self, index: int) -> int:
        """How many sub-steps actions[index] has: its recorded step results for a train action, else 0."""
        if not 0 <= index < len(self):
            return 0
        action = self.session.actions[index]
        if action.get("do") != "train":
            return 0
        return min(len(action.get("results") or ()), int(action.get("steps", 0)))

    @property
    def steps(self) -> int:
        """The sub-steps of the action being played (the next one): 0 unless it is a train action."""
        return self.steps_of(self.position)

    @property
    def progress(self) -> float:
        """How far along the timeline, 0..1, counting a partly played train action by its steps."""
        if not len(self):
            return 1.0
        part = self.substep / self.steps if self.substep and self.steps else 0.0
        return min((self.position + part) / len(self), 1.0)

    @property
    def last_action(self) -> dict | None:
        """The action most recently applied (what the panes show the result of): inside a train action, that
        action with the results replayed so far (its "steps" still the recorded count)."""
        if self.substep:
            action = self.session.actions[self.position]
            return {**action, "results": list(action["results"][: self.substep])}
        return self.session.actions[self.position - 1] if self.position else None

    def forward(self, check: Check | None = None) -> dict | None:
        """One whole action forward; from inside a train action, the rest of it."""
        if self.at_end:
            return None
        if check is not None:
            return self.seek(self.position + 1, check=check)
        index, recorded = self.position, self.session.actions[self.position]
        if self.substep:
            entry = self._train_on(int(recorded["steps"]) - self.substep, recorded)
        else:
            entry, mismatch = apply_action(self.workbench, index, recorded)
            self.mismatch = self.mismatch or mismatch
        self.position, self.substep = index + 1, 0
        self._log_length = len(self.workbench.log)
        return entry

    def advance(self, steps: int = 1, check: Check | None = None) -> dict | None:
        """One tick of playback: `steps` training steps further into the next action when it is a train action
        (completing it when that reaches its end), or else one whole action."""
        total = self.steps
        if self.at_end or not total or self.substep + max(1, steps) >= total:
            return self.forward(check)
        return self.seek(self.position, self.substep + max(1, steps), check=check)

    def back(self, check: Check | None = None) -> None:
        """One whole action back; from inside a train action, to its start."""
        self.seek(self.position if self.substep else self.position - 1, check=check)

    def chunk_steps(self) -> int:
        """Training steps of about CHUNK_SECONDS on the workbench's setup now: a cancellable move's unit."""
        return max(1, int(CHUNK_SECONDS / config_step_seconds(self.workbench.config)))

    def target(self, position: int, substep: int = 0) -> tuple[int, int]:
        """Where `seek(position, substep)` goes: clamped, and a substep at its action's end the next position."""
        position = max(0, min(position, len(self)))
        substep = max(0, min(substep, self.steps_of(position)))
        if substep and substep >= self.steps_of(position):
            position, substep = position + 1, 0
        return position, substep

    def move_seconds(self, position: int, substep: int = 0) -> float:
        """The estimated seconds of `seek(position, substep)` (tui/replay_budget.py's rates): what the app weighs
        to run a move inline or in a worker. A long program to evaluate counts as infinite."""
        position, substep = self.target(position, substep)
        start = (self.position, self.substep)
        if (position, substep) < start:
            start = (0, 0)  # back: a rebuild from the start
            if len(self.session.expression or "") > INLINE_SOURCE_CHARS:
                return math.inf
        if self._training is None:
            self._training = action_training_seconds(self.session)
        seconds, graph_actions = 0.0, 0
        for index in range(start[0], min(position + 1, len(self))):
            action = self.session.actions[index]
            done = start[1] if index == start[0] else 0
            goal = substep if index == position else self.steps_of(index)
            if index == position and not substep:
                break
            steps = self.steps_of(index)
            part = (goal - done) / steps if steps else 1.0
            seconds += self._training[index] * max(part, 0.0)
            do = action.get("do")
            if do == "evaluate" and len(action.get("source", "")) > INLINE_SOURCE_CHARS:
                return math.inf
            graph_actions += do in GRAPH_ACTIONS
        if graph_actions:
            seconds += graph_actions * graph_size(self.workbench) / GRAPH_RATE  # today's graph: the likely size
        return seconds

    def seek(self, position: int, substep: int = 0, check: Check | None = None) -> dict | None:
        """Go to (position, substep); a substep past the action's steps (or on an action that has none) is
        clamped, a substep at its end is the next whole position.

        With `check` (the app's worker), the move goes in units -- an action, or a chunk of about CHUNK_SECONDS
        of a train action's steps -- calling `check(self)` before each: it may raise ReplayCancelled, which
        leaves the replayer at a whole unit (a valid position), or post progress. Chunks continue the same run,
        so the numbers are the same as in one go (see the class docstring)."""
        position, substep = self.target(position, substep)
        if (position, substep) < (self.position, self.substep):
            if check is not None:
                check(self)
            self.workbench, self.position, self.substep, self.mismatch = fresh_workbench(self.session), 0, 0, None
            self._log_length = 0
        entry = None
        while (self.position, self.substep) < (position, substep):
            goal = self.steps if self.position < position else substep  # this action's sub-steps to reach
            if check is not None:
                check(self)
                chunk = self.chunk_steps() if self.steps else 0
                if chunk and goal - self.substep > chunk:  # a long train action: a chunk at a time
                    entry = self._train_on(chunk, self.session.actions[self.position])
                    self.substep += chunk
                    self._log_length = len(self.workbench.log)
                    continue
            if self.position < position:
                entry = self.forward()
            else:
                entry = self._train_on(substep - self.substep, self.session.actions[self.position])
                self.substep = substep
                self._log_length = len(self.workbench.log)
        return entry

    def _train_on(self, steps: int, recorded: dict) -> dict | None:
        """`steps` more steps of the train action at `position`, `substep` of them done: one log entry for the
        action so far, compared with the recorded results it should have produced."""
        wb, index, done = self.workbench, self.position, self.substep
        before, raised = len(wb.log), None
        try:
            wb.train(steps)
        except Exception as err:  # anything the workbench raised becomes a mismatch, as in `apply_action`
            raised = err
        entry = wb.log[-1] if len(wb.log) > before else None
        if entry is not None and done:  # continue the same run: merge into the partial entry it continues
            partial = wb.log[-2] if len(wb.log) >= 2 else None
            if partial is not None and partial.get("do") == "train":
                results = list(partial.get("results", ())) + list(entry.get("results", ()))
                entry = {**entry, "steps": len(results), "results": results}
                wb.log[-2:] = [entry]
        total = done + steps
        if total < int(recorded["steps"]):
            expected = {**recorded, "steps": total, "results": list(recorded.get("results", ()))[:total]}
        else:
            expected = recorded
        self.mismatch = self.mismatch or _compare(index, expected, entry, raised)
        return entry

    def branch(self) -> Any:
        """Leave replay: the workbench at this position, whose log holds the actions so far (ending in `train k`
        when left inside a train action), to explore on."""
        return self.workbench


MAX_SHOWN = 500  # characters of a message `check` prints: a file's text can be megabytes


def _verdict(path: str) -> tuple[int, str, str]:
    """(exit code, word, sentence) for one SESSION argument."""
    name = Path(path).name or path
    try:
        session = load(resolve(path))  # a file, or a shipped sample's name
        report = replay(session, name=name)
    except TooMuchWork as err:
        return 3, "TOO LARGE", str(err)
    except SessionError as err:
        message = str(err)  # it names the file already; say the name once
        return 2, "ERROR", message[len(name) + 2 :] if message.startswith(f"{name}: ") else message
    except MemoryError:
        return 3, "TOO LARGE", "replaying it ran out of memory, so it was not checked to the end"
    except RecursionError:
        return 2, "ERROR", "replaying it nested too deeply for Python, so it was not checked to the end"
    except Exception as err:
        return 2, "ERROR", f"replaying it failed: {type(err).__name__}: {err}"
    if report.ok:
        return 0, "OK", f"({len(session.actions)} actions, {session.steps} steps)"
    return 1, "MISMATCH", str(report.mismatch)


def check_main(paths: list[str], out: TextIO = sys.stdout) -> int:
    """`micrograd-tui check SESSION...`: replay each headlessly; exit 0 all OK, 1 a mismatch, 2 an unreadable or
    invalid file, 3 a session refused as too large to replay (the largest code of all the files). Everything that
    came from a file or an argument is printed escaped: a key holding an escape sequence cannot retitle the
    terminal, and a lone surrogate cannot crash the print."""
    status = 0 if paths else 2
    if not paths:
        print("usage: micrograd-tui check SESSION [SESSION ...]", file=out)
    for path in paths:
        code, word, sentence = _verdict(path)
        print(f"{word}  {printable(path, 200)}  {printable(sentence, MAX_SHOWN)}", file=out, flush=True)
        status = max(status, code)
    return status
