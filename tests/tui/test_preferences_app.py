"""Remembered settings in the real app: the theme chosen in the palette comes back next time, --theme is for one
run, a bad settings file is one notice, recent sessions come first in the open dialog, and screenshots land in
the export folder with a notice naming the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.tui.conftest import SIZE
from tui import cli, samples
from tui import preferences as settings
from tui.app import MicrogradApp
from tui.screens.session_files import OpenSessionScreen


def settings_path() -> Path:
    return Path(os.environ["MICROGRAD_TUI_CONFIG"])  # a fresh one per test (tests/conftest.py)


def recording(app: MicrogradApp) -> MicrogradApp:
    app.notes = []
    original = app.notify

    def notify(message, *args, **kwargs):
        app.notes.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    app.notify = notify
    return app


async def test_a_theme_chosen_in_the_palette_is_used_next_time(app):
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == settings.DEFAULT_THEME
        await pilot.press("ctrl+p", *"theme", "enter")  # Textual's own "Theme" command: a list of themes
        await pilot.pause()
        await pilot.press(*"nord", "enter")
        await pilot.pause()
        assert app.theme == "nord"
    assert json.loads(settings_path().read_text())["theme"] == "nord"
    again = MicrogradApp()
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_the_theme_option_is_for_this_run_only_and_bad_names_are_refused(capsys):
    app = MicrogradApp()
    app.start_theme = "gruvbox"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"
    assert not settings_path().exists()
    with pytest.raises(SystemExit) as exited:
        cli.main(["--theme", "no-such-theme"])
    assert exited.value.code == 2 and "no theme called 'no-such-theme'; the themes are" in capsys.readouterr().err


async def test_a_bad_settings_file_means_defaults_and_one_notice():
    settings_path().write_text('{"version": 1, "theme": ')
    app = recording(MicrogradApp())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == settings.DEFAULT_THEME and app.is_running
        warnings = [m for m, severity in app.notes if severity == "warning"]
        assert len(warnings) == 1 and "is not valid JSON; using the defaults." in warnings[0]


async def test_an_opened_session_is_remembered_and_listed_first(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        picker = app.screen
        files = picker.query_one("#files", OptionList)
        files.highlighted = files.get_option_index(
            next(k for k, p in picker.paths.items() if p.name == "tiny_mlp_mse.json")
        )
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert json.loads(settings_path().read_text())["recent"] == [str(samples.find("tiny_mlp_mse").path.resolve())]
    again = MicrogradApp()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        picker = again.screen
        assert isinstance(picker, OpenSessionScreen)
        files = picker.query_one("#files", OptionList)
        prompts = [str(files.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[0] == "Recent" and prompts[1].startswith("  tiny_mlp_mse.json  ") and prompts[2] == "Samples"


async def test_a_screenshot_goes_to_the_export_folder_and_the_notice_names_it(tmp_path):
    folder = tmp_path / "not" / "there yet"
    settings.save(settings.Settings(export_folder=str(folder)), settings_path())
    app = recording(MicrogradApp())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"screenshot", "enter")  # Textual's "Screenshot" command
        for _ in range(50):
            await pilot.pause(0.05)
            if list(folder.glob("*.svg")):
                break
        (shot,) = folder.glob("*.svg")
        assert "<svg" in shot.read_text()[:200]
        assert (f"Screenshot saved to {shot}", "information") in app.notes


async def test_an_export_remembers_its_folder_and_the_next_export_is_offered_there(app, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        field = app.screen.query_one("#export-path")
        field.value = str(folder / "graph.dot")
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert (folder / "graph.dot").exists()
    assert json.loads(settings_path().read_text())["export_folder"] == str(folder.resolve())
    again = MicrogradApp()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert again.screen.query_one("#export-path").value.startswith(str(folder.resolve()))
