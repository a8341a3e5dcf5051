"""Golden snapshots: the whole screen at 100x30, as plain text, compared with tests/tui/snapshots/<name>.txt.

Cursor blink is off on every TextArea and Input and notifications are not drawn (they are recorded only), so the
picture holds nothing that depends on timing. The one masked field is the "N steps/s" figure of the status line
(a wall-clock rate): its number becomes '#'. Everything else is compared character for character.

To accept a changed screen after a deliberate change, rewrite the files and read the diff in git:

    UPDATE_SNAPSHOTS=1 python -m pytest tests/tui/test_snapshots.py
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tests.tui.conftest import SIZE, screen_text, wait_for_training
from tui import session
from tui.app import MicrogradApp
from tui.screens.session_files import OpenedSession
from tui.widgets.timeline import Timeline

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_sessions"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
_RATE = re.compile(r"[\d,.]+ steps/s")


@pytest.fixture
def app():
    """The app with notifications recorded in `app.notes` but never shown (no toasts in the picture)."""
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


async def settle(app, pilot) -> None:
    """Blink off everywhere, no toasts, and a couple of refreshes so the screen is drawn as it now is."""
    for widget in [*app.screen.query(TextArea), *app.screen.query(Input)]:
        widget.cursor_blink = False
    app.clear_notifications()
    for _ in range(3):
        await pilot.pause()


def check_snapshot(app, name: str) -> None:
    text = _RATE.sub("# steps/s", screen_text(app)) + "\n"
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), (f"no snapshot {path}; create it with "
                           f"UPDATE_SNAPSHOTS=1 python -m pytest tests/tui/test_snapshots.py")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                            fromfile=f"snapshots/{name}.txt (stored)", tofile=f"{name} (screen now)"))
        pytest.fail(f"the screen differs from snapshots/{name}.txt:\n{diff}\n"
                    f"If the change is intended: UPDATE_SNAPSHOTS=1 python -m pytest tests/tui/test_snapshots.py",
                    pytrace=False)


async def test_start_screen(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        check_snapshot(app, "start_screen")


async def test_moons_demo_trained_to_the_end(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert len(app.workbench.history) == app.train_steps == 100
        await settle(app, pilot)
        check_snapshot(app, "moons_trained")


async def test_backprop_stepper_after_three_steps(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b", "right", "right", "right")
        await settle(app, pilot)
        assert app.workbench.stepping.position == 3
        check_snapshot(app, "stepper_step_3")


async def test_replay_of_tanh_vs_relu_at_position_1(app, tick):
    path = SAMPLES / "tanh_vs_relu.json"
    app.open_on_start(OpenedSession(path, session.load(path)), replay=True, speed=1)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the session opens after the first refresh
            await pilot.pause()
            if app.query(Timeline):
                break
        await pilot.press("home", "right")
        await settle(app, pilot)
        line = app.query_one(Timeline)
        assert line.replayer.position == 1 and not line.playing
        check_snapshot(app, "replay_tanh_vs_relu_1")
