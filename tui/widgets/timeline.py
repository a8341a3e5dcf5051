"""The replay timeline: a one-line transport bar over a `tui.replay.Replayer`.

Keys (while it has focus): space play/pause, right/left one action forward/back, home/end jump to the start or
end, +/- faster/slower, escape leaves replay. Only space and escape go in the app footer (at 100 columns the
app's own keys fill it); the others are spelled out at the end of the progress bar. After every move it posts
`Timeline.Moved`; the host re-renders its panes from `replayer.workbench` (editor text, graph with data and
grad, chart up to that step). Leaving posts `Timeline.Left` with the workbench at that point, which the host
keeps exploring from: a new branch of the session, whose log already holds the actions replayed so far.

Playing goes one tick at a time: one action per tick, except inside a recorded `train N`, which plays in
chunks of max(1, N // PLAY_CHUNKS) steps per tick, so the chart grows through the run rather than jumping by
it, and space pauses it anywhere. There the bar reads "action i/N · step k/M". Left/right still move by whole
actions: from inside a train action, right finishes it and left goes back to its start. Stepping back rebuilds
from the start (see `Replayer`), which is exact.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from tui.plain import shown
from tui.replay import ReplayCancelled, Replayer
from tui.settings import describe_changes

MIN_SPEED, MAX_SPEED = 1 / 8, 64.0  # ticks per second; faster/slower double or halve it
PLAY_CHUNKS = 20  # a recorded train action plays in about this many ticks (at least one step per tick)
# The state words: plain glyphs every terminal font has ("⏸" is missing from many and shows as a box).
PLAYING, PAUSED = "▶ playing", "|| paused"
# After the progress bar. The footer is already full with the app's own keys at 100 columns, so the timeline's
# keys are listed here, in the bar, rather than crowding the app's keys out of the footer.
KEYS_HINT = "  space play · ←/→ step · home/end · +/- speed · esc leave"
BRANCH_CHECK = 0.25  # seconds between looks for a user action on the replayed workbench
INLINE_MOVE_SECONDS = 0.1  # a move estimated longer (Replayer.move_seconds) runs in a worker; Esc stops it


def _number(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else str(x)


def describe(action: dict | None) -> str:
    """One line for what an action did, for the timeline and the status line."""
    if action is None:
        return "the starting state"
    do, results = action.get("do"), action.get("results") or []
    if do == "evaluate":
        lines = action.get("source", "").count("\n") + 1
        return f"evaluate ({lines} lines)" + (f": {action['error']}" if action.get("error") else "")
    if do in ("step", "train") and results:
        last = results[-1]
        steps = action.get("steps", len(results))
        count = (
            f"train {len(results)}{'' if steps == len(results) else f' of {steps}'} steps"
            if do == "train"
            else f"step {last['step']}"
        )
        return f"{count}: loss {_number(last['loss'])}, accuracy {last['accuracy']:.0%} at step {last['step']}"
    if do == "configure":  # in the form's words: "configure lr = 0.05 (constant)"
        return "configure " + describe_changes(action.get("changes", {}))
    if do == "preset":
        return f"preset {action.get('name')}"
    if do == "select":
        return f"select {action.get('label')}"
    if do == "forget_zero_grad":
        return "pitfall: forget zero_grad " + ("on (grads accumulate)" if action.get("on") else "off")
    if do == "stepper":
        if action.get("mode") == "off":
            return "stepper off"
        pitfall = " (= instead of +=)" if action.get("overwrite") else ""
        where = " on the traced sample" if action.get("graph") == "sample" else ""
        return f"{action.get('mode')} stepper at step {action.get('position')}{where}{pitfall}"
    if do == "trace":
        return f"trace sample {action.get('sample')}"
    return {"zero_grad": "zero the gradients"}.get(do, str(do))


class Timeline(Widget, can_focus=True):
    """Play/pause, step, jump and speed controls for replaying a session."""

    DEFAULT_CSS = """
    Timeline { height: 3; padding: 0 1; background: $boost; }
    Timeline:focus { background: $boost 200%; }
    """
    # None of these go in the app footer: at 100 columns the app's own keys fill it already. They are spelled
    # out after the progress bar (KEYS_HINT), in the help screen, and in the README.
    BINDINGS = [
        Binding("space", "toggle_play", "Play/pause", show=False),
        Binding("right", "forward", "Step", show=False),
        Binding("left", "back", "Back", show=False),
        Binding("home", "to_start", "Start", show=False),
        Binding("end", "to_end", "End", show=False),
        Binding("plus,equals_sign", "faster", "Faster", show=False),
        Binding("minus", "slower", "Slower", show=False),
        Binding("escape", "leave", "Leave", show=False),
    ]

    playing: reactive[bool] = reactive(False)
    speed: reactive[float] = reactive(1.0)

    class Moved(Message):
        """The replay position changed: re-render from `replayer.workbench`."""

        def __init__(self, replayer: Replayer) -> None:
            super().__init__()
            self.replayer = replayer

    class Working(Message):
        """A long move started (True) or ended (False) in the worker: the host must not touch
        `replayer.workbench` meanwhile (the worker is changing it), and gets `Moved` after the end."""

        def __init__(self, replayer: Replayer, working: bool) -> None:
            super().__init__()
            self.replayer, self.working = replayer, working

    class MoveDone(Message, bubble=False):
        """The move worker's last act (to the timeline itself): the error it met, if any."""

        def __init__(self, error: Exception | None) -> None:
            super().__init__()
            self.error = error

    class Left(Message):
        """The user left replay: keep exploring from `workbench` (a new branch of the session)."""

        def __init__(self, replayer: Replayer) -> None:
            super().__init__()
            self.replayer = replayer
            self.workbench = replayer.branch()

    def __init__(self, replayer: Replayer, *, speed: float = 1.0, autoplay: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.replayer = replayer
        self.set_reactive(Timeline.speed, min(max(float(speed), MIN_SPEED), MAX_SPEED))
        self._autoplay = autoplay
        self._timer: Timer | None = None
        self._left = False
        self.moving: tuple[int, int] | None = None  # the (position, substep) a worker is moving to
        self._moving_redraw: Timer | None = None

    def on_mount(self) -> None:
        # The host's own keys (evaluate, step, train...) act on the replayed workbench; when they do, the
        # user has left replay by acting, so the timeline steps aside instead of replaying over their work.
        self.set_interval(BRANCH_CHECK, self._check_branch)
        if self._autoplay:
            self.playing = True

    def _check_branch(self) -> bool:
        if self.moving is not None:
            return False  # the worker is changing the log: not the user
        if self.replayer.diverged:
            self.action_leave()
            return True
        return False

    # ---- transport ------------------------------------------------------------------------------------------

    def watch_playing(self, playing: bool) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if playing:
            if self.replayer.at_end:  # play from the end starts over, like any media player
                self._go(0)
            self._timer = self.set_interval(1.0 / self.speed, self.advance)
        self.refresh()

    def watch_speed(self) -> None:
        if self.playing:  # restart the timer at the new pace
            self.watch_playing(True)
        self.refresh()

    @property
    def chunk(self) -> int:
        """Training steps per tick while playing a train action: it plays in about PLAY_CHUNKS ticks."""
        return max(1, self.replayer.steps // PLAY_CHUNKS)

    def advance(self) -> None:
        """One tick of playback: a chunk of the train action being played, else the next action; stop at the
        end."""
        if self.moving is not None or self._check_branch():
            return  # a tick while the worker is still on the last one is skipped, not queued
        player = self.replayer
        if player.at_end:
            self.playing = False
            return
        total = player.steps
        if not total or player.substep + self.chunk >= total:
            self._go(player.position + 1)
        else:
            self._go(player.position, player.substep + self.chunk)
        if player.at_end:
            self.playing = False

    def _go(self, position: int, substep: int = 0) -> None:
        """Move the replay there: inline when it is estimated short, else in the move worker (the bar says so,
        keys answer, Esc stops it at the action or chunk it reached)."""
        if self.moving is not None or self._check_branch():
            return
        player = self.replayer
        if player.move_seconds(position, substep) > INLINE_MOVE_SECONDS:
            self.moving = player.target(position, substep)
            self.post_message(self.Working(player, True))
            self._moving_redraw = self.set_interval(0.1, self.refresh)
            self._move_worker(position, substep)
            self.refresh()
            return
        before = (player.position, player.substep)
        player.seek(position, substep)
        if (player.position, player.substep) != before:  # a sub-step counts: the chart grew
            self.post_message(self.Moved(player))
        self.refresh()

    @work(thread=True, exclusive=True, exit_on_error=False, group="timeline", name="replaying")
    def _move_worker(self, position: int, substep: int) -> None:
        worker = get_current_worker()

        def check(player: Replayer) -> None:
            if worker.is_cancelled:
                raise ReplayCancelled

        error: Exception | None = None
        try:
            self.replayer.seek(position, substep, check=check)
        except ReplayCancelled:
            pass
        except Exception as err:  # a session that fails on the way: a sentence, the replayer where it got to
            error = err
        finally:
            self.post_message(self.MoveDone(error))

    def on_timeline_move_done(self, message: MoveDone) -> None:
        self.moving = None
        if self._moving_redraw is not None:
            self._moving_redraw.stop()
            self._moving_redraw = None
        self.post_message(self.Working(self.replayer, False))
        self.post_message(self.Moved(self.replayer))
        if message.error is not None:
            self.playing = False
            self.notify(f"Replay stopped: {type(message.error).__name__}: {message.error}", severity="error")
        if self.replayer.at_end:
            self.playing = False
        self.refresh()

    def stop_moving(self) -> None:
        """Esc during a long move: the worker stops before its next action or chunk."""
        self.playing = False
        for worker in self.workers:
            if worker.group == "timeline":
                worker.cancel()

    def action_toggle_play(self) -> None:
        self.playing = not self.playing

    def action_forward(self) -> None:
        self.playing = False
        if not self.replayer.at_end:
            self._go(self.replayer.position + 1)  # from inside a train action: the rest of it

    def action_back(self) -> None:
        self.playing = False
        player = self.replayer
        if not player.at_start:
            self._go(player.position if player.substep else player.position - 1)  # to a train action's start

    def action_to_start(self) -> None:
        self.playing = False
        self._go(0)

    def action_to_end(self) -> None:
        self.playing = False
        self._go(len(self.replayer))

    def action_faster(self) -> None:
        self.speed = min(self.speed * 2, MAX_SPEED)

    def action_slower(self) -> None:
        self.speed = max(self.speed / 2, MIN_SPEED)

    def action_leave(self) -> None:
        if self.moving is not None:  # Esc stops a long move first; a second one leaves
            self.stop_moving()
            return
        self.playing = False
        if not self._left:  # once: a second escape or branch check must not branch twice
            self._left = True
            self.post_message(self.Left(self.replayer))

    # ---- drawing --------------------------------------------------------------------------------------------

    def render(self) -> Text:
        player = self.replayer
        state = PLAYING if self.playing else PAUSED
        if self.moving is not None:
            state = f"working… to action {self.moving[0]}" + (f" step {self.moving[1]}" if self.moving[1] else "")
            state += " (esc stops)"
        where = f"  action {player.position}/{len(player)}"
        if player.substep:  # inside a train action: the action being played, and how far into it
            where = f"  action {player.position + 1}/{len(player)} · step {player.substep}/{player.steps}"
        head = Text.assemble(
            (state, "bold"),
            where,
            f"  ·  {self.speed:g}× speed",
            ("  ·  replay: ", "dim"),
            (shown(player.session.title), "italic"),
        )
        full = max(self.size.width - 2, 10)
        hint = KEYS_HINT if full >= len(KEYS_HINT) + 30 else ""  # a narrow bar keeps its width for progress
        width = full - len(hint)
        done = round(width * player.progress) if player.at_end else min(round(width * player.progress), width - 1)
        bar = Text.assemble(
            ("━" * done, "bold green"),
            ("●" if not player.at_end else "", "bold"),
            ("─" * max(width - done - 1, 0), "dim"),
            (hint, "dim"),
        )
        if player.mismatch is not None:
            last = Text(shown(f"⚠ differs from the recording: {player.mismatch}"), style="bold red")
        else:
            last = Text(shown(describe(player.last_action)), style="dim")
        return Text("\n").join([head, bar, last])
