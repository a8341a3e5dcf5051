"""Golden screens at 100x30 through pytest-textual-snapshot: each test's screen is an SVG stored in
tests/tui/__snapshots__/test_snapshots/<test>.svg and compared with what the app draws now.

Cursor blink is off on every TextArea and Input and notifications are not drawn (they are recorded only), so the
picture holds nothing that depends on timing. The one masked field is the "N steps/s" figure of the status line
(a wall-clock rate): its number becomes '#'.

A failing comparison writes snapshot_report.html (stored and current screen side by side, with a diff toggle).
To accept a changed screen after a deliberate change, rewrite the SVGs and look at them (and the git diff):

    python -m pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import re

import pytest
from textual.widgets import Input, Static, TextArea

from tests.tui.conftest import SIZE, wait_for_training
from tui import samples, session
from tui.app import MicrogradApp
from tui.screens.session_files import OpenedSession
from tui.widgets.status import StatusLine
from tui.widgets.timeline import Timeline

SAMPLES = samples.folder()
_RATE = re.compile(r"[\d,.]+ steps/s")


@pytest.fixture
def app(monkeypatch):
    """The app with notifications recorded in `app.notes` but never shown (no toasts in the picture), and the
    status line's steps/s figure masked (it is a wall-clock rate)."""

    def update(self, content="", *args, **kwargs):
        if isinstance(content, str):
            content = _RATE.sub("# steps/s", content)
        return Static.update(self, content, *args, **kwargs)

    monkeypatch.setattr(StatusLine, "update", update)
    app = MicrogradApp()
    app.notes = []

    def notify(message, *args, **kwargs):
        app.notes.append((str(message), kwargs.get("severity", "information")))

    app.notify = notify
    return app


@pytest.fixture
def tick(monkeypatch):
    """The timeline's timer ticks do nothing, so a replay stays where the keys put it."""
    monkeypatch.setattr(Timeline, "advance", lambda self: None)


async def settle(pilot) -> None:
    """Blink off everywhere, no toasts, and a couple of refreshes so the screen is drawn as it now is."""
    app = pilot.app
    for widget in [*app.screen.query(TextArea), *app.screen.query(Input)]:
        widget.cursor_blink = False
        if isinstance(widget, TextArea):
            # TextArea caches rendered lines under a key that leaves out whether the cursor is drawn: a line
            # cached in the blink's off phase would keep its cursor hidden. The SVG compares colours, so redraw.
            widget._line_cache.clear()
            widget.refresh()
    app.clear_notifications()
    for _ in range(3):
        await pilot.pause()


def test_start_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_moons_demo_trained_to_the_end(app, snap_compare):
    async def train(pilot):
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=train)
    assert len(app.workbench.history) == app.train_steps == 100


def test_backprop_stepper_after_three_steps(app, snap_compare):
    async def step(pilot):
        await pilot.press("ctrl+b", "right", "right", "right")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=step)
    assert app.workbench.stepping.position == 3


def test_replay_of_tanh_vs_relu_at_position_1(app, tick, snap_compare):
    path = SAMPLES / "tanh_vs_relu.json"
    app.open_on_start(OpenedSession(path, session.load(path)), replay=True, speed=1)

    async def replay(pilot):
        for _ in range(100):  # the session opens after the first refresh
            await pilot.pause()
            if app.query(Timeline):
                break
        await pilot.press("home", "right")
        await settle(pilot)
        line = app.query_one(Timeline)
        assert line.replayer.position == 1 and not line.playing

    assert snap_compare(app, terminal_size=SIZE, run_before=replay)


# ---- issue 12: the graph pane at every size ---------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_start_screen_at_the_smallest_and_a_large_size(app, snap_compare, size):
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_picture_mode_of_the_readme_expression(app, snap_compare):
    async def picture(pilot):
        await pilot.press("ctrl+down", "v", "left")
        await settle(pilot)
        assert app.query_one("#graph-pane").view == "picture"

    assert snap_compare(app, terminal_size=SIZE, run_before=picture)


def test_stepper_in_picture_mode_at_80x24(app, snap_compare):
    async def step(pilot):
        await pilot.press("ctrl+down", "v", "ctrl+b", "right", "right", "right")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=step)
    assert app.workbench.stepping.position == 3


def test_maximized_tree_at_160x48(app, snap_compare):
    async def maximize(pilot):
        await pilot.press("ctrl+down", "f11")
        await settle(pilot)
        assert app.screen.maximized is app.query_one("#graph-pane")

    assert snap_compare(app, terminal_size=(160, 48), run_before=maximize)
