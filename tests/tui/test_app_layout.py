"""What the screen shows at fixed sizes (text of app.export_screenshot, cursor blink off), and the CLI."""

from __future__ import annotations

import re

import pytest

from tests.tui.conftest import SIZE, screen_text, wait_for_training
from tui import cli
from tui.app import MicrogradApp


async def test_main_screen_at_100x30_shows_four_panes_status_and_footer(app):
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#editor-text").cursor_blink = False
        await pilot.pause()
        text = screen_text(app)
        for title in (
            "Expression",
            "Graph: expression",
            "Training",
            "Loss & accuracy",
            "F5 evaluate",
            "v picture · ctrl+g",
            "F4 decision boundary",
        ):
            assert title in text, title
        assert re.search(r"g \+ +24\.7041 +1\.0000", text)  # the root, data and grad in their columns
        assert "g += 10.0 / f" in text and "g.backward()" in text  # all 13 lines of the README example
        assert "data" in text and "moons" in text and "linear 1.0 0.1 100" in text and "16,16,1" in text
        assert "step - · loss - · acc - · compiled · ready" in text
        for key in (
            "f5",
            "Eval",
            "f2",
            "Backward",
            "f3",
            "Zero",
            "f8",
            "Step",
            "f9",
            "Train",
            "Reset",
            "Save",
            "Open",
            "Help",
            "Quit",
        ):
            assert key in text, key


async def test_footer_shows_pause_while_training_and_train_after(app):
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert "f9 Pause" in screen_text(app) or "f9 Pause" in screen_text(app).replace("  ", " ")
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        await pilot.pause()
        assert "Train" in screen_text(app) and "f9 Pause" not in screen_text(app)


async def test_usable_at_80x24():
    app = MicrogradApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "needs a terminal" not in text
        for title in ("Expression", "Graph: expression", "Training", "Loss & accuracy"):
            assert title in text
        assert app.query_one("#graph-tree").size.height >= 3
        assert app.query_one("#controls-pane").size.height >= 5
        await pilot.press("f8")
        await pilot.pause()
        assert "step 0" in screen_text(app)


async def test_a_tiny_terminal_gets_a_clear_message_and_recovers():
    app = MicrogradApp()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        message = str(app.query_one("#too-small").content)
        assert "needs a terminal of at least 80x24" in message
        text = " ".join(screen_text(app).split())
        assert "micrograd-tui needs a terminal" in text and "ctrl+q to quit" in text
        assert "Expression" not in text
        await pilot.press("f8")  # keys still work and nothing breaks
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        text = screen_text(app)
        assert "needs a terminal" not in text and "Expression" in text


def test_cli_help_documents_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in ("micrograd-tui", "SESSION", "--replay", "--speed", "check SESSION", "F5 evaluate", "ctrl+q quit"):
        assert text in out


def test_cli_check_runs_the_session_checker(capsys, tmp_path):
    from tui import session

    wb = session.new_workbench()
    wb.backward()
    wb.train(3)
    path = tmp_path / "s.json"
    session.save(session.Session.from_workbench(wb), path)
    assert cli.main(["check", str(path)]) == 0
    assert "OK" in capsys.readouterr().out
    path.write_text("{not json")
    assert cli.main(["check", str(path)]) == 2


async def test_opening_a_session_drops_the_last_runs_steps_per_second(app):
    """steps/s describes a live run; a session opened afterwards must not show it as its own."""
    from textual.widgets import OptionList

    from tui.screens.session_files import OpenSessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert "steps/s" in str(app.query_one("#status").render())
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("d")  # discard the unsaved training, then the picker opens
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, OpenSessionScreen)
        files = picker.query_one("#files", OptionList)
        files.highlighted = files.get_option_index(
            next(k for k, p in picker.paths.items() if p.name == "moons_demo.json")
        )
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        status = str(app.query_one("#status").render())
        assert "step 99" in status and "steps/s" not in status, status


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--replay", "x.json", "--speed", "nan"], "--speed must be a positive number, not nan"),
        (["--replay", "x.json", "--speed", "0"], "--speed must be a positive number"),
        (["a.json", "--replay", "b.json"], "not both"),
        (["no-such-file.json"], "no-such-file.json"),
    ],
)
def test_cli_refuses_bad_arguments_with_one_sentence_and_exit_2(capsys, argv, words):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
