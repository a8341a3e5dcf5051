"""The open dialog in the real app: the shipped samples under "Samples" with their titles, the working folder's
session files only (an exported mlp.json is not a session), and a bad file's sentence naming it once."""

from __future__ import annotations

import json

from textual.widgets import Input, OptionList, Static

from micrograd.export import mlp_to_json
from micrograd.nn import MLP
from tests.tui.conftest import SIZE, screen_text
from tui import samples, session
from tui.screens.session_files import OpenSessionScreen


def option_texts(picker) -> list[str]:
    files = picker.query_one("#files", OptionList)
    return [str(files.get_option_at_index(i).prompt) for i in range(files.option_count)]


async def test_the_dialog_lists_samples_by_title_and_only_session_files(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlp.json").write_text(json.dumps(mlp_to_json(MLP(2, [4, 1]))))  # what ctrl+l exports
    (tmp_path / "list.json").write_text("[1, 2, 3]")
    mine = session.Session(
        expression="a = Value(2.0)", config=session.new_workbench().start["config"], title="[b]my[/b] lesson"
    )
    session.save(mine, tmp_path / "mine.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, OpenSessionScreen)
        listed = {p.name for p in picker.paths.values()}
        assert listed == {s.path.name for s in samples.samples()} | {"mine.json"}
        texts = option_texts(picker)
        assert texts[0] == "Samples" and any(t.startswith("Working folder") for t in texts)
        moons = samples.find("moons_demo")
        width = max(len(s.name) for s in samples.samples())  # names in a column, titles beside them
        assert f"  {'moons_demo':<{width}}  {moons.title}" in texts
        assert "  mine.json  [b]my[/b] lesson" in texts  # a title is shown as typed, never as markup


async def test_a_bad_session_names_itself_once_in_the_preview_and_the_error(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = json.loads(samples.find("tanh_neuron").path.read_text())
    data["actions"][0] = {"do": "levitate"}
    (tmp_path / "broken.json").write_text(json.dumps(data))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen
        files = picker.query_one("#files", OptionList)
        files.highlighted = files.get_option_index(next(k for k, p in picker.paths.items() if p.name == "broken.json"))
        await app.workers.wait_for_complete()  # the preview loads off the UI thread
        await pilot.pause()
        preview = str(picker.query_one("#preview", Static).render())
        assert "actions[0]" in preview and preview.count("broken.json") == 1, preview
        picker.query_one("#path", Input).value = "broken.json"
        picker.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(picker.query_one("#error", Static).render())
        assert app.screen is picker and "actions[0]" in error and error.count("broken.json") == 1, error


async def test_typing_a_path_in_the_picker_fills_the_path_field_and_enter_opens_that_file(app):
    """A file-open dialog takes a typed path whichever part has focus: the list keeps the arrow keys and Enter,
    the first printable key moves to the path field with it (before, every key typed went to the list, unseen)."""
    sample = samples.find("tanh_neuron").path
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, OpenSessionScreen)
        path = picker.query_one("#path", Input)
        await pilot.press(*str(sample))
        assert path.value == str(sample) and app.focused is path
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the open worker replays the session
        for _ in range(5):
            await pilot.pause()
        assert app.screen is not picker and app.session_path == sample
        assert app.workbench.log == app.query_one("#timeline").replayer.session.actions


async def test_the_list_keeps_arrows_and_enter_and_up_or_down_from_the_path_field_returns_to_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = app.screen
        files, path = picker.query_one("#files", OptionList), picker.query_one("#path", Input)
        assert app.focused is files
        await pilot.press("down")
        second = files.highlighted
        await pilot.press("x", "backspace")  # typed, then taken back: the field is empty again
        assert app.focused is path and path.value == ""
        await pilot.press("down")  # back in the list, one further down
        assert app.focused is files and files.highlighted == second + 1
        chosen = picker.paths[files.get_option_at_index(files.highlighted).id]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        for _ in range(5):
            await pilot.pause()
        assert app.screen is not picker and app.session_path == chosen


async def test_at_80x24_every_file_is_one_line_and_the_list_shows_more_than_a_few(app):
    """A title too long for 80 columns is cut with "…" (the preview shows it whole), not wrapped onto a line that
    reads as a file of its own; the preview gives way so the list keeps its rows."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        files = app.screen.query_one("#files", OptionList)
        assert files.virtual_size.height == files.option_count + 1  # and the rule between the two folders
        assert files.scrollable_content_region.height >= 7
        text = screen_text(app)
        assert "backprop_walkthrough" in text and "…" in text
        assert "type a path (a .json session or .csv data), then enter" in text
