"""The training form at the sizes a user runs it: every value it holds can be read, or is visibly cut with "…"
and read whole in the form's message when its field has focus (at 80x24 the form used to show `16,16,` for
16,16,1, with nothing to say it was cut). Values are read from the screen itself, where the user reads them."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from tests.tui.conftest import screen_text
from tui.settings import SETTINGS

# longer valid values than the defaults, typed into the form
TYPED = {"layers": "64,64,64,1", "lr": "step_decay 0.1 0.5 100", "features": "x1,x2,x1^2,x2^2"}
EVERY_FEATURE = "x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)"  # too long for any size: must end in "…"


async def type_into(pilot, key: str, text: str) -> None:
    pilot.app.query_one(f"#control-{key}").focus()
    await pilot.press("ctrl+u", *text, "enter")
    await pilot.pause()


def value_text(widget) -> str:
    """What the field holds: the typed text, or the drop-down's choice."""
    return widget.value if isinstance(widget, Input) else str(widget.value)


async def shown_on_screen(app, pilot, widget) -> str:
    """The field's text as the screen shows it, with the form scrolled to it and no field focused."""
    app.query_one("#editor-text").focus()
    app.query_one("#controls-pane").scroll_to_widget(widget, animate=False, immediate=True)
    await pilot.pause()
    region = widget.region
    line = screen_text(app).splitlines()[region.y].ljust(app.size.width)
    shown = line[region.x : region.right].rstrip()
    return shown.removesuffix("▼").rstrip() if isinstance(widget, Select) else shown


def fields(app):
    return [app.query_one(f"#control-{s.key}") for s in SETTINGS]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_value_reads_whole_or_ends_in_an_ellipsis_and_reads_whole_in_focus(app, size):
    async with app.run_test(size=size) as pilot:
        await type_into(pilot, "batch", "10")  # so the reference engine builds the larger model in time
        app.query_one("#control-engine").focus()
        await pilot.press("enter", "down", "enter")  # the longer engine name: reference
        await pilot.pause()
        for key, text in TYPED.items():
            await type_into(pilot, key, text)
        assert app.workbench.config.training["engine"] == "reference"
        assert app.workbench.config.model["layers"] == [64, 64, 64, 1]  # typed values, all in effect
        assert app.workbench.config.training["lr"]["schedule"] == "step_decay"
        cut = []
        for widget in fields(app):
            whole, shown = value_text(widget), await shown_on_screen(app, pilot, widget)
            if shown != whole:
                assert shown.endswith("…") and whole.startswith(shown[:-1]), (widget.id, shown, whole)
                cut.append(widget)
        if size == (80, 24):  # one field a row: these values read whole
            assert cut == [], [w.id for w in cut]
        for widget in cut:  # in focus, the message says it whole
            widget.focus()
            await pilot.pause()
            assert value_text(widget) in str(app.query_one("#controls-message").content), widget.id


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_value_too_long_for_its_field_ends_in_an_ellipsis_and_is_said_whole_in_focus(app, size):
    async with app.run_test(size=size) as pilot:
        await type_into(pilot, "features", EVERY_FEATURE)
        assert app.workbench.config.model["features"] == EVERY_FEATURE.split(",")
        widget = app.query_one("#control-features")
        shown = await shown_on_screen(app, pilot, widget)
        assert shown.endswith("…") and EVERY_FEATURE.startswith(shown[:-1]), shown
        widget.focus()
        await pilot.pause()
        assert f"inputs = {EVERY_FEATURE}. inputs: input features" in str(app.query_one("#controls-message").content)


async def test_at_100x30_the_form_keeps_two_fields_a_row_and_lr_in_sight(app):
    """Reading every value must not cost the overview: at 100x30 the form shows as many rows as before."""
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        controls = app.query_one("#controls-pane")
        data, n = app.query_one("#control-dataset"), app.query_one("#control-samples")
        assert data.region.y == n.region.y  # two pairs a row
        lr = app.query_one("#control-lr")
        assert controls.scroll_y == 0 and controls.scrollable_content_region.contains_region(lr.region)


async def test_at_80x24_tab_through_the_form_keeps_the_focused_field_in_sight_above_its_message(app):
    """The form's sentence about the focused field (up to 4 lines) is docked over the form's last rows: the field
    must be scrolled above it, not left under it (as it was when the sentence grew after the scroll)."""
    async with app.run_test(size=(80, 24)) as pilot:
        controls, message = app.query_one("#controls-pane"), app.query_one("#controls-message")
        app.query_one("#control-preset").focus()
        for _ in SETTINGS:
            await pilot.press("tab")
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            field = app.focused
            assert field.id.startswith("control-"), field
            shown = controls.region.intersection(field.region)
            assert shown == field.region and not shown.overlaps(message.region), (field.id, shown, message.region)
