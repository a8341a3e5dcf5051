"""Trace one sample (issue 7), through real keys: ctrl+t picks a data point, the graph pane's "sample i" view
shows its loss term with the trainer's numbers, refreshed after an F8 step and after training; + and - move to
the next/previous sample; ctrl+g cycles the views; the choice is logged and replays."""

from __future__ import annotations

import asyncio

import pytest

from micrograd.engine import Value
from micrograd.losses import LOSSES
from tests.tui.conftest import SIZE, screen_text, tree_lines, wait_for_training
from tui import session
from tui.replay import replay
from tui.screens.trace import TraceScreen


def trainer_sample_loss(app, i: int) -> float:
    """Sample i's loss term from the trainer's own (compiled) scores: the number the trace must show."""
    wb = app.workbench
    score = float(wb.trainer.scores(wb.X[i : i + 1])[0, 0])
    return LOSSES[wb.config.training["loss"]].sample(Value(score), int(wb.y[i])).data


async def trace_by_prompt(app, pilot, index: int) -> None:
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(app.screen, TraceScreen)
    await pilot.press("backspace", *str(index), "enter")  # the old index starts selected: backspace clears it
    await pilot.pause()


async def test_trace_a_sample_shows_its_loss_and_follows_steps_and_training(app):
    app.train_steps = 4
    async with app.run_test(size=SIZE) as pilot:
        i = next(k for k in range(100) if trainer_sample_loss(app, k) > 0.05)  # a point the model gets wrong
        await trace_by_prompt(app, pilot, i)
        tree = app.query_one("#graph-tree")
        assert app.graph_mode == "sample" and f"sample {i}" in app.query_one("#graph-pane").border_title
        assert tree_lines(app)[0].startswith(f"loss[{i}] ReLU")
        assert tree.graph_root.data == pytest.approx(trainer_sample_loss(app, i), rel=1e-12)
        assert tree.graph_root.grad == 1.0
        assert f"loss[{i}]" in screen_text(app)
        assert app.workbench.log[-1] == {"do": "trace", "sample": i}
        before = tree.graph_root.data

        await pilot.press("f8")  # one step: the sample's graph is rebuilt from the new weights
        await pilot.pause()
        assert tree.graph_root.data != before
        assert tree.graph_root.data == pytest.approx(trainer_sample_loss(app, i), rel=1e-12, abs=1e-15)

        await pilot.press("f9")  # train 4 steps in the worker; the trace is rebuilt when it finishes
        await wait_for_training(app, pilot)
        assert len(app.workbench.history) == 5
        assert tree.graph_root.label == f"loss[{i}]"
        assert tree.graph_root.data == pytest.approx(trainer_sample_loss(app, i), rel=1e-12, abs=1e-15)


async def test_plus_minus_step_samples_and_ctrl_g_cycles_the_views(app):
    async with app.run_test(size=SIZE) as pilot:
        await trace_by_prompt(app, pilot, 99)
        tree = app.query_one("#graph-tree")
        assert app.focused is tree  # so + and - reach the app rather than an editor
        await pilot.press("plus")  # wraps around to sample 0
        await pilot.pause()
        assert app.workbench.traced == 0 and tree.graph_root.label == "loss[0]"
        await pilot.press("minus", "minus")
        await pilot.pause()
        assert app.workbench.traced == 98 and tree.graph_root.label == "loss[98]"
        assert tree.graph_root.data == pytest.approx(trainer_sample_loss(app, 98), rel=1e-12, abs=1e-15)
        seen = []
        for _ in range(3):
            await pilot.press("ctrl+g")
            await pilot.pause()
            seen.append(app.graph_mode)
        assert seen == ["expression", "training", "sample"]
        assert "sample 98" in app.query_one("#graph-pane").border_title
        # the editor keeps its + and -: typed there, they are text
        app.query_one("#editor-text").focus()
        await pilot.press("minus")
        assert app.workbench.traced == 98 and "-" in app.query_one("#editor-text").text


async def test_a_bad_index_stays_in_the_prompt_and_nothing_is_logged(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("backspace", "5", "0", "0", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TraceScreen)
        assert "500 is not a sample" in str(app.screen.query_one("#trace-error").content)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TraceScreen)
        assert app.workbench.log == [] and app.graph_mode == "expression"


async def test_tracing_is_logged_and_the_session_replays(app):
    async with app.run_test(size=SIZE) as pilot:
        await trace_by_prompt(app, pilot, 3)
        await pilot.press("f8", "plus")
        await pilot.pause()
        assert [entry["do"] for entry in app.workbench.log] == ["trace", "step", "trace"]
        recorded = session.Session.from_workbench(app.workbench)
        again = session.loads(session.dumps(recorded))
        report = replay(again)
        assert report.ok and report.workbench.traced == 4
        assert report.workbench.sample_graph().data == app.query_one("#graph-tree").graph_root.data


async def test_a_position_traces_the_nearest_point(app):
    async with app.run_test(size=SIZE) as pilot:
        X = app.workbench.X
        target = 42
        x, y = (X[target] + 0.001).tolist()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("backspace", *f"{x:.4f}, {y:.4f}", "enter")
        await pilot.pause()
        distances = ((X - [x, y]) ** 2).sum(axis=1)
        assert app.workbench.traced == int(distances.argmin()) == target
        assert f"sample {target}, class {app.workbench.y[target]}" in app.query_one("#graph-pane").border_title
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("backspace", *"0.5, nope", "enter")
        await pilot.pause()
        assert "is not a position" in str(app.screen.query_one("#trace-error").content)


async def test_a_click_in_the_decision_boundary_traces_the_nearest_point(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await pilot.pause()
        view = app.query_one("#boundary")
        width, height = view.size.width, view.size.height
        cells = view._point_cells(width, height)
        (col, row), _ = next((cell, point) for cell, point in sorted(cells.items()))
        await pilot.click("#boundary", offset=(col, row))
        await pilot.pause()
        i = app.workbench.traced
        assert i is not None and app.graph_mode == "sample"
        position = view.position_at(col, row)
        distances = ((app.workbench.X - position) ** 2).sum(axis=1) ** 0.5
        assert distances[i] == distances.min()
        xmin, xmax, ymin, ymax = view.bounds
        assert distances[i] <= ((xmax - xmin) / (width - 1) + (ymax - ymin) / (height - 1))  # within a cell
        assert view.traced == i and "✚" in view.render_line(row).text  # drawn where it was clicked
        assert app.workbench.log[-1] == {"do": "trace", "sample": i}


async def test_the_sample_view_follows_training_live_export_and_trace_wait_and_it_matches_on_pause(app):
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await trace_by_prompt(app, pilot, 10)
        tree = app.query_one("#graph-tree")
        before = tree.graph_root.data
        # Actions called directly while the worker runs: Pilot's key presses wait for an idle app, which a
        # training app never is, so each would take a second or two.
        app.action_train_pause()
        assert not tree.frozen  # drawn from parameter copies the worker posts, never from its live Values
        for _ in range(200):  # until a progress message has redrawn the trace with trained numbers
            await asyncio.sleep(0.02)
            if tree.graph_root.data != before:
                break
        assert tree.graph_root.data != before and app._run is not None  # changed while still training
        app.action_export()
        app.action_trace()
        app.action_trace_step(1)
        assert len(app.screen_stack) == 1 and app.workbench.traced == 10  # all wait for the pause
        assert sum("pause it first" in note for note, _ in app.notes) == 3
        await pilot.pause()
        app.action_train_pause()
        await pilot.pause()
        await wait_for_training(app, pilot)
        assert not tree.frozen and app.workbench.history
        assert tree.graph_root.data == pytest.approx(trainer_sample_loss(app, 10), rel=1e-12, abs=1e-15)
        assert app.query_one("#graph-pane").border_title.startswith("Graph: sample 10")


async def test_a_session_that_traced_opens_on_the_sample_view(app, tmp_path):
    from tui.screens.session_files import OpenedSession

    recorder = session.new_workbench()
    recorder.step()
    recorder.trace(21)
    path = tmp_path / "traced.json"
    session.save(session.Session.from_workbench(recorder, title="traced"), path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_session(OpenedSession(path, session.load(path)))
        await pilot.pause()
        assert app.graph_mode == "sample" and app.workbench.traced == 21
        assert app.query_one("#graph-tree").graph_root.label == "loss[21]"
        assert "trace sample 21" in screen_text(app)  # the timeline names the last action
