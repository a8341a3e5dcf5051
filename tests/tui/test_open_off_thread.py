"""Opening a session off the UI thread (issue 11): the open worker replays it with progress, keys answer meanwhile,
Esc cancels and leaves the app as it was, a session past the replay budget is refused with a sentence before any
work, and a normal open ends in exactly the state the synchronous replay reaches.

"While it opens" is a state the test holds (a threading.Event the worker waits on before an action), never a race
against the clock.
"""

from __future__ import annotations

import json
import threading

import pytest

from tests.tui.conftest import SIZE
from tui import samples, session
from tui.replay import Replayer
from tui.screens.help import HelpScreen
from tui.screens.session_files import OpenedSession
from tui.widgets.timeline import Timeline

SMALL = {"data": {"samples": 40}, "model": {"layers": [6, 1]}}


def recorded_session(tmp_path, trains=(60, 60, 60)) -> OpenedSession:
    """A real recorded session (evaluate, backward, a few train actions), saved and loaded back."""
    wb = session.new_workbench(SMALL, "a = Value(2.0)\nb = a * a + a\n")
    wb.backward()
    for steps in trains:
        wb.train(steps)
    path = tmp_path / "recorded.json"
    session.save(session.Session.from_workbench(wb, title="Recorded [b]x[/]", description="d"), path)
    return OpenedSession(path, session.load(path))


def gate_seek(monkeypatch, holds) -> threading.Event:
    """Replayer.seek, when run with checks (in a worker), waits at the first player state `holds(player)` is true
    for until the test sets the returned event; its `.reached` is set when it got there."""
    event, reached = threading.Event(), threading.Event()
    real = Replayer.seek

    def gated(self, position, substep=0, check=None):
        if check is None:
            return real(self, position, substep)

        def wait_then_check(player):
            if holds(player) and not event.is_set():
                reached.set()
                event.wait(timeout=60)
            check(player)

        return real(self, position, substep, check=wait_then_check)

    monkeypatch.setattr(Replayer, "seek", gated)
    event.reached = reached
    return event


@pytest.fixture
def gate(monkeypatch):
    """Holds the open worker before it applies action 2 until the test sets the event."""
    return gate_seek(monkeypatch, lambda player: player.position == 2)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    for _ in range(5):
        await pilot.pause()


async def open_by_path(pilot, path) -> None:
    """ctrl+o, type the path, enter: the real keys."""
    await pilot.press("ctrl+o")
    await pilot.pause()
    pilot.app.screen.query_one("#path").value = str(path)
    pilot.app.screen.query_one("#path").focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_keys_answer_while_a_session_opens_and_esc_cancels_it(app, gate, tmp_path):
    opened = recorded_session(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        before, log_before = app.workbench, list(app.workbench.log)
        focused = app.focused
        await open_by_path(pilot, opened.path)
        for _ in range(200):  # until the worker waits at action 2 (no clock: the gate says when)
            if gate.reached.wait(0.01):
                break
            await pilot.pause()
        await pilot.pause(0.2)  # the progress message gets drawn
        assert app.opening is not None and app.workbench is before
        progress = str(app.query_one("#session-progress").render())
        assert progress.startswith("opening Recorded [b]x[/]") and "Esc cancels" in progress  # plain text
        assert app.query_one("#main").disabled  # the panes wait: nothing done there could be lost
        await pilot.press("f1")  # keys answer: help opens over the open
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")  # closes help, does not cancel the open
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and app.opening is not None
        await pilot.press("f9")  # dimmed while opening: no training on the workbench about to be replaced
        await pilot.pause()
        assert app._run is None and app.workbench.log == log_before
        await pilot.press("escape")  # cancels the open
        gate.set()
        await settle(app, pilot)
        assert app.opening is None
        assert app.workbench is before and app.workbench.log == log_before  # as it was before the open
        assert not app.query("#timeline") and not app.query("#session-progress")
        assert not app.query_one("#main").disabled and app.focused is focused
        assert app.session_path is None
        assert app.notes[-1][0] == "Opening Recorded [b]x[/] was cancelled; everything is as it was before."
        await pilot.press("f5")  # the app answers as before
        await pilot.pause()
        assert app.workbench.log[-1]["do"] == "evaluate"


async def test_progress_names_the_action_being_replayed(app, gate, tmp_path):
    opened = recorded_session(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_session(opened)
        for _ in range(200):
            if gate.reached.wait(0.01):
                break
            await pilot.pause()
        for _ in range(50):  # the progress line posted before the gate shows
            await pilot.pause(0.02)
            text = str(app.query_one("#session-progress").render())
            if "replaying" in text:
                break
        assert "replaying action" in text and "of 4 (" in text, text
        gate.set()
        await settle(app, pilot)
        assert app.opening is None and app.query_one(Timeline).replayer.at_end


async def test_a_session_past_the_budget_is_refused_with_a_sentence_and_nothing_changes(app, tmp_path):
    data = {
        "format": "micrograd-tui/session",
        "version": 2,
        "title": "huge",
        "expression": "a = Value(2.0)\n",
        "config": {"data": {"samples": 1000}, "model": {"layers": [64, 64, 1]}},
        "actions": [{"do": "train", "steps": 100_000, "results": []}],  # the most a session holds, ~37 minutes
        "history": [],
    }
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    applied = []
    real = Replayer.seek
    async with app.run_test(size=SIZE) as pilot:
        before = app.workbench
        Replayer.seek = lambda self, *a, **k: applied.append(a) or real(self, *a, **k)
        try:
            await open_by_path(pilot, path)
            await settle(app, pilot)
        finally:
            Replayer.seek = real
        assert applied == []  # refused before a single action was replayed
        assert app.workbench is before and not app.query("#timeline") and app.opening is None
        message, severity = app.notes[-1]
        assert severity == "error"
        assert message.startswith("huge.json would take about ") and "to replay (100,000 training steps)" in message
        assert message.endswith("the limit is 5.0 minutes, so it was not replayed")
        assert not app.query_one("#main").disabled


@pytest.mark.parametrize("name", ["moons_demo", "spiral_test_split"])
async def test_a_sample_opens_in_the_state_the_synchronous_replay_reaches(app, name):
    path = samples.resolve(name)
    opened = OpenedSession(path, session.load(path))
    expected = Replayer(session.load(path))
    expected.seek(len(expected))
    async with app.run_test(size=SIZE) as pilot:
        app.open_session(opened)
        await settle(app, pilot)
        player = app.query_one(Timeline).replayer
        assert player.at_end and player.mismatch is None and app.workbench is player.workbench
        wb, want = app.workbench, expected.workbench
        assert wb.history == want.history and wb.log == want.log and wb.source == want.source
        assert [p.data for p in wb.model.parameters()] == [p.data for p in want.model.parameters()]
        assert app.session_title == opened.session.title and app.focused is app.query_one(Timeline)


def test_a_train_action_replayed_in_chunks_gives_the_same_numbers_and_log(tmp_path, monkeypatch):
    """The worker's unit inside a long train action is a chunk of steps: the result is the one-go replay's."""
    opened = recorded_session(tmp_path, trains=(95, 40))
    whole = Replayer(opened.session)
    whole.seek(len(whole))
    monkeypatch.setattr(Replayer, "chunk_steps", lambda self: 7)  # 95 steps: 13 chunks and a rest
    seen = []
    chunked = Replayer(opened.session)
    chunked.seek(len(chunked), check=lambda player: seen.append((player.position, player.substep)))
    assert (1, 7) in seen and (1, 91) in seen  # it did go a chunk at a time through the train 95
    assert chunked.mismatch is None and whole.mismatch is None
    assert chunked.workbench.history == whole.workbench.history
    assert chunked.workbench.log == whole.workbench.log
    assert [p.data for p in chunked.workbench.model.parameters()] == [
        p.data for p in whole.workbench.model.parameters()
    ]


# ---- the timeline: a long move (a big train action, a rebuild) runs in a worker too ----------------------------


@pytest.fixture
def chunk_gate(monkeypatch):
    """Holds the timeline's move worker inside the train action at actions[1], after its first chunk."""
    return gate_seek(monkeypatch, lambda player: player.position == 1 and player.substep > 0)


async def test_a_long_train_action_plays_in_the_worker_keys_answer_and_esc_stops_it(app, chunk_gate, tmp_path):
    opened = recorded_session(tmp_path, trains=(1500, 40))  # ~0.15 s estimated: past the inline limit
    whole = Replayer(opened.session)
    whole.seek(len(whole))
    async with app.run_test(size=SIZE) as pilot:
        app.open_session(opened, replay=True)  # at the start, paused by the test below
        await settle(app, pilot)
        line = app.query_one(Timeline)
        line.playing = False
        player = line.replayer
        assert player.at_start and player.move_seconds(2) > 0.1
        line.focus()
        await pilot.press("right")  # backward: short, inline
        await pilot.pause()
        assert player.position == 1 and line.moving is None
        await pilot.press("right")  # train 1500: the worker, a chunk at a time
        for _ in range(200):
            if chunk_gate.reached.wait(0.01):
                break
            await pilot.pause()
        await pilot.pause()
        assert line.moving == (2, 0) and app.replay_moving and app.query_one("#main").disabled
        assert "working… to action 2 (esc stops)" in str(line.render())
        await pilot.press("f1")  # keys answer
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and line.moving is not None
        await pilot.press("f9")  # the worker's workbench is not trained on meanwhile
        await pilot.pause()
        assert app._run is None
        await pilot.press("escape")  # stops the move where it got to: a whole chunk into the train action
        chunk_gate.set()
        await settle(app, pilot)
        assert line.moving is None and not app.replay_moving and not app.query_one("#main").disabled
        assert player.position == 1 and 0 < player.substep < 1500 and player.mismatch is None
        assert app.workbench is player.workbench and len(app.workbench.history) == player.substep
        assert app.query("#timeline")  # still replaying: Esc stopped the move, it did not leave
        await pilot.press("end")  # the rest, to the end: the same numbers as replaying in one go
        await settle(app, pilot)
        assert player.at_end and player.mismatch is None
        assert app.workbench.history == whole.workbench.history and app.workbench.log == whole.workbench.log
