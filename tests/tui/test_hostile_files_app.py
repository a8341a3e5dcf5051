"""Issue 11's file crashes, reproduced through the real app: a deeply nested session highlighted in the ctrl+o
picker (crash 3: the UI froze ~200 s, then a RecursionError ended the app), a NUL or a folder typed as the
save dialog's path (crash 7: a ValueError from mkstemp ended it), and a named pipe in the picker (its open()
blocked forever). Each must end in one sentence on screen, with the app running and nothing lost."""

from __future__ import annotations

import json
import os

import pytest
from textual.widgets import Input, OptionList, Static

from tests.tui.conftest import SIZE
from tui import samples, session
from tui.screens.session_files import OpenSessionScreen, SaveSessionScreen


def deep_session(depth: int) -> str:
    """A valid session but for an unknown key holding `depth` nested lists (the issue's 500-990 levels)."""
    data = json.loads(samples.find("tanh_neuron").path.read_text())
    text = json.dumps(data)
    return text[:-1] + ', "notes": ' + "[" * depth + "]" * depth + "}"


async def highlight(app, pilot, name: str) -> str:
    picker = app.screen
    assert isinstance(picker, OpenSessionScreen)
    files = picker.query_one("#files", OptionList)
    files.highlighted = files.get_option_index(next(k for k, p in picker.paths.items() if p.name == name))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(picker.query_one("#preview", Static).render())


@pytest.mark.parametrize("depth", [500, 990])
async def test_crash_3_a_deeply_nested_session_in_the_picker_is_one_sentence(app, tmp_path, monkeypatch, depth):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep.json").write_text(deep_session(depth))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        preview = await highlight(app, pilot, "deep.json")
        assert "deep.json nests lists or objects more than 32 levels deep (line 1, column" in preview, preview
        app.screen.query_one("#path", Input).value = "deep.json"  # and opening it says the same, in the dialog
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#error", Static).render())
        assert "more than 32 levels deep" in error and isinstance(app.screen, OpenSessionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, OpenSessionScreen)


async def test_a_named_pipe_typed_in_the_picker_is_refused_before_it_is_opened(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.json")  # open() on it would block the UI until a writer came: forever
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(tmp_path / "pipe.json")
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(app.screen.query_one("#error", Static).render())
        assert error == "pipe.json is a named pipe (FIFO), not a file; it was not read", error


@pytest.mark.parametrize(
    "typed, sentence",
    [
        ("bad\x00name.json", "Not saved: a file name cannot contain a NUL character (\\x00)."),
        ("{folder}", "Not saved: work is a folder; type a file name in it."),
        ("{folder}/pipe.json", "Not saved: it is a named pipe (FIFO), not a file."),
        (
            "{folder}/" + "n" * 300 + ".json",
            "Not saved: a file or folder name in that path is 305 bytes; the limit is 255.",
        ),
        ("{folder}/missing/x.json", "x.json was not saved: its folder does not exist"),
    ],
    ids=["NUL", "folder", "pipe", "name too long", "no such folder"],
)
async def test_crash_7_a_bad_path_in_the_save_dialog_is_one_sentence(app, tmp_path, monkeypatch, typed, sentence):
    folder = tmp_path / "work"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    monkeypatch.chdir(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")  # some work to lose: the default expression's backward pass
        await pilot.pause()
        log = list(app.workbench.log)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveSessionScreen)
        dialog.query_one("#file", Input).value = typed.format(folder=folder)
        dialog.query_one("#file", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(dialog.query_one("#error", Static).render())
        assert sentence in error and "\n" not in error, error
        assert app.screen is dialog and app.is_running  # the dialog stays open: fix the name and save again
        dialog.query_one("#file", Input).value = str(folder / "fine.json")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SaveSessionScreen)
        assert session.load(folder / "fine.json").actions == log  # nothing lost
        assert sorted(os.listdir(folder)) == ["fine.json", "pipe.json"]  # no temp file left behind
