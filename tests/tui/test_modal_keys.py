"""Keys typed in a dialog stay in the dialog: space reading the help (F1) used to start training behind it,
as the app's own space (train/pause, on the main screen) answered it; now it turns the page, as in a pager."""

from __future__ import annotations

from tests.tui.conftest import SIZE, wait_for_training
from tui.screens.help import HelpScreen


async def test_space_on_the_help_screen_does_not_train_behind_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("space")
        await pilot.pause()
        assert app._run is None and app.workbench.history == [] and isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#help-body").scroll_y > 0  # it turned the page, as in a pager
        await pilot.press("escape")
        await pilot.pause()
        app.query_one("#chart-pane").focus()  # on the main screen, outside a text field, space still trains
        await pilot.press("space")
        await wait_for_training(app, pilot)
        assert app.workbench.history
