"""Hostile input through the real app (issue 11): what a user types, opens or saves never crashes it.

Each test drives MicrogradApp with real key presses (Pilot) and reproduces one of the crashes the issue lists,
then checks the sentence the user gets instead, that the app still answers keys, and that nothing was lost.
With the last-resort handler in place an unexpected exception no longer exits the app, so every test also
asserts that it was *not* needed (`app.unexpected_errors` is empty): a fix is a sentence, not a caught crash.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, set_program
from tui import crash_log


@pytest.fixture(autouse=True)
def log_folder(tmp_path, monkeypatch):
    """The last resort's log file goes to a temporary folder, never the user's."""
    folder = tmp_path / "log"
    monkeypatch.setattr(crash_log, "folder", lambda: folder)
    return folder


def last_resort_notes(app) -> list[str]:
    return [text for text, _ in app.notes if text.startswith("Something went wrong")]


async def evaluates(app, pilot, source: str) -> None:
    """F5 works: the editor evaluates `source` (the app still answers keys)."""
    set_program(app, source)
    await pilot.press("f5")
    for _ in range(100):
        await pilot.pause()
        if app.workbench.source == source and not app.workbench.training:
            break
    assert app.workbench.error is None, app.workbench.error
    assert app.workbench.output is not None and app.workbench.source == source


# ---- the last resort ------------------------------------------------------------------------------------


async def test_an_exception_in_a_key_handler_becomes_a_notice_and_the_app_keeps_running(app, log_folder):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def broken():
            raise RuntimeError("injected [bold]failure[/]")

        app.workbench.backward = broken
        await pilot.press("f2")  # backward
        await pilot.pause()
        assert app.is_running
        (note,) = last_resort_notes(app)
        assert note.startswith("Something went wrong in the f2 key: RuntimeError: injected [bold]failure[/].")
        assert "Your work is kept; ctrl+s saves it." in note
        (log,) = log_folder.glob("errors-*.log")
        assert str(log) in note and "injected [bold]failure[/]" in log.read_text() and "Traceback" in log.read_text()
        assert [type(e) for e in app.unexpected_errors] == [RuntimeError]
        await evaluates(app, pilot, "x = Value(2.0)\ny = x * x")  # a later action works
        assert app.workbench.output.data == 4.0
        app.unexpected_errors.clear()


async def test_an_exception_in_a_timer_or_a_worker_becomes_a_notice(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def timer_fails():
            raise KeyError("from a timer")

        def worker_fails():
            raise ZeroDivisionError("from a worker")

        app.set_timer(0.01, timer_fails)
        app.run_worker(worker_fails, thread=True)  # exit_on_error defaults to True: Textual would exit
        for _ in range(100):
            await pilot.pause(0.02)
            if len(last_resort_notes(app)) == 2:
                break
        notes = last_resort_notes(app)
        assert any("KeyError" in n and "a timer" in n for n in notes), notes
        assert any("ZeroDivisionError: from a worker" in n and "a background task" in n for n in notes), notes
        assert app.is_running
        await evaluates(app, pilot, "z = Value(3.0)")
        app.unexpected_errors.clear()
