"""The learner's data through the real app: edit mode by keys and clicks, CSV import from the open dialog
(good and bad files), CSV export, the loss chart's log scale, test points drawn hollow and the regression
heatmap. Each edit must replay exactly from the saved session."""

from __future__ import annotations

import numpy as np
import pytest

from micrograd.datasets import load_csv
from tests.tui.conftest import SIZE, wait_for_training
from tui import replay, session
from tui.app import MicrogradApp
from tui.workbench import Workbench

SMALL = {
    "data": {"name": "gaussians", "samples": 20, "noise": 0.0, "seed": 3, "test_percent": 25},
    "model": {"layers": [4, 1], "activation": "tanh"},
}


def small_app(config=SMALL, **kwargs) -> MicrogradApp:
    wb = Workbench()
    wb.configure(config)
    wb.mark_saved()  # nothing unsaved: ctrl+o opens its dialog at once
    app = MicrogradApp(wb, **kwargs)
    app.notes = []
    original = app.notify

    def notify(message, *args, **kw):
        app.notes.append((str(message), kw.get("severity", "information")))
        return original(message, *args, **kw)

    app.notify = notify
    return app


async def test_edit_mode_adds_and_removes_points_by_keys_and_clicks_and_replays_exactly():
    app = small_app(train_steps=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        app.query_one("#chart-pane").focus()
        await pilot.press("e")  # edit mode: shows the boundary, a cursor in the middle
        await pilot.pause()
        pane, view = app.query_one("#chart-pane"), app.query_one("#boundary")
        assert pane.showing_boundary and view.editing and view.cursor is not None
        assert "Edit data" in pane.border_title
        wb = app.workbench
        start = view.cursor
        await pilot.press("right", "right", "up")
        assert view.cursor == (start[0] + 2, start[1] - 1)
        expected = view.position_at(*view.cursor)
        await pilot.press("a")  # class 1 (the default) at the cursor
        assert wb.log[-1] == {"do": "add_point", "position": list(expected), "label": 1}
        await pilot.press("0")
        assert "class 0" in pane.border_title
        expected = view.position_at(3, 2)
        await pilot.click("#boundary", offset=(3, 2))  # a click adds a class-0 point there
        await pilot.pause()
        assert wb.log[-1] == {"do": "add_point", "position": list(expected), "label": 0}
        assert len(wb.X) == 22 and wb.marks and wb.marks[-1]["text"].startswith("point 21 added")
        await pilot.click("#boundary", offset=view.cell_of(*wb.X[21]), button=3)  # right click: the nearest goes
        await pilot.pause()
        assert wb.log[-1] == {"do": "remove_point", "index": 21} and len(wb.X) == 21
        await pilot.press("x")  # the point nearest the cursor
        assert wb.log[-1]["do"] == "remove_point" and len(wb.X) == 20
        await pilot.press("3")  # no class 3 in two-class data: one sentence, nothing changes
        assert any("0 to 1" in message for message, _ in app.notes)
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert [r["step"] for r in wb.history][-5:] == [5, 6, 7, 8, 9]  # the same run carried on
        await pilot.press("e")
        assert not view.editing and view.cursor is None
    report = replay.replay(session.loads(session.dumps(session.Session.from_workbench(wb))))
    assert report.ok, report.mismatch


async def test_test_points_are_hollow_and_a_click_outside_edit_mode_still_traces():
    app = small_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        view = app.query_one("#boundary")
        held_out = app.workbench.data.held_out
        assert view.held_out == held_out.tolist() and sum(view.held_out) == 5
        cells = view._point_cells(view.size.width, view.size.height)
        marks = {mark for _, mark in cells.values()}
        assert marks & {"○", "□"} and marks & {"●", "■"}  # hollow test points beside filled training points
        await pilot.click("#boundary", offset=(1, 1))
        await pilot.pause()
        assert app.workbench.log[-1]["do"] == "trace"


async def test_csv_import_through_the_open_dialog_names_a_bad_row_and_imports_a_good_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text("x,y,label\n0,0,0\n1,oops,1\n")
    rows = "\n".join(f"{x},{y},{int(x + y > 0)}" for x, y in np.random.RandomState(0).uniform(-1, 1, (30, 2)))
    (tmp_path / "mine.csv").write_text("x1,x2,label\n" + rows + "\n")
    app = small_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#path").value = str(tmp_path / "bad.csv")
        dialog.query_one("#path").focus()
        await pilot.press("enter")
        await pilot.pause()
        error = str(dialog.query_one("#error").render())
        assert "line 3" in error and "'oops' is not a number" in error and app.screen is dialog
        dialog.query_one("#path").value = str(tmp_path / "mine.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not dialog
        wb = app.workbench
        X, y = load_csv(tmp_path / "mine.csv")
        assert np.array_equal(wb.X, X) and np.array_equal(wb.y, y) and wb.data.origin == "mine.csv"
        assert wb.log[-1]["do"] == "import_data" and wb.data.held_out.sum() == 30 * 25 // 100
        await pilot.press("f8")
        await pilot.pause()
        # export the data again through ctrl+l: the same numbers come back through load_csv
        text = wb.export_text("csv")
        (tmp_path / "again.csv").write_text(text)
        X2, y2 = load_csv(tmp_path / "again.csv")
        assert np.array_equal(X2, X) and np.array_equal(y2, y)
    report = replay.replay(session.loads(session.dumps(session.Session.from_workbench(wb))))
    assert report.ok, report.mismatch


async def test_log_scale_key_and_test_curves_in_the_chart():
    app = small_app(train_steps=12)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        chart = app.query_one("#loss-chart")
        assert len(chart.series["test_loss"]) == 12 and all(v == v for v in chart.series["test_loss"])
        legend = str(chart.query_one("#chart-legend").render())
        assert "test loss" in legend and "test acc" in legend and "log" not in legend
        app.query_one("#chart-pane").focus()
        await pilot.press("l")
        await pilot.pause()
        assert chart.log_scale and "log loss" in str(chart.query_one("#chart-legend").render())
        await pilot.press("l")
        assert not chart.log_scale


async def test_regression_draws_a_heatmap_and_hides_accuracy():
    config = {
        "data": {"name": "plane", "samples": 40, "noise": 0.0, "seed": 1},
        "model": {"layers": [4, 1], "activation": "tanh"},
        "training": {"loss": "mse_regression"},
    }
    app = small_app(config, train_steps=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        view = app.query_one("#boundary")
        assert view.values is not None
        grid = app.workbench.decision_grid(len(view.values))
        assert view.values[0][0] == pytest.approx(grid.scores[-1, 0, 0])  # the top row is the largest y
        assert "acc" not in str(app.query_one("#status").render())
        legend = str(app.query_one("#chart-legend").render())
        assert "loss" in legend and "acc" not in legend  # no accuracy line for regression


async def test_test_percent_and_input_features_through_the_form():
    app = MicrogradApp()
    async with app.run_test(size=SIZE) as pilot:
        field = app.query_one("#control-test")
        field.focus()
        await pilot.press("ctrl+u", "2", "5", "enter")
        await pilot.pause()
        wb = app.workbench
        assert wb.config.data["test_percent"] == 25 and wb.data.held_out.sum() == 25 and len(wb.trainer.X) == 75
        inputs = app.query_one("#control-features")
        inputs.focus()
        await pilot.press("ctrl+u", *"x1^2,x3")  # x3 is no feature: flagged in place
        await pilot.pause()
        assert inputs.has_class("-invalid")
        assert "'x3' is not a feature" in str(app.query_one("#controls-message").content)
        await pilot.press("enter")  # and nothing applies
        assert wb.config.model["features"] == ["x1", "x2"]
        await pilot.press("backspace", "2", "enter")
        await pilot.pause()
        assert wb.config.model["features"] == ["x1^2", "x2"] and wb.model.nin == 2
        assert wb.feature_names == ["x₁²", "x₂"]
