"""Training through the app: the worker, pause, quit, divergence, settings, the chart and the boundary."""

from __future__ import annotations

import asyncio
import random
import threading
import time

from rich.style import Style

from micrograd import datasets, nn, optim
from micrograd.train import Trainer
from tests.tui.conftest import SIZE, tree_lines, wait_for_training
from tui.app import TrainingFinished


def reference_demo(steps: int):
    """micrograd's moons demo trained by Trainer directly, not through the app or the workbench."""
    X, y = datasets.moons(100, noise=0.1, seed=1337)
    model = nn.MLP(2, [16, 16, 1], rng=random.Random(1337))
    trainer = Trainer(
        model,
        X,
        y,
        loss="svm_max_margin",
        l2=1e-4,
        optimizer=optim.SGD(lr=optim.linear(1.0, 0.1, 100)),
        engine="compiled",
    )
    return [trainer.step() for _ in range(steps)][-1]


async def test_training_the_moons_demo_100_steps_matches_trainer(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        last = app.workbench.history[-1]
        expected = reference_demo(100)
        assert last["step"] == 99 and len(app.workbench.history) == 100
        assert last["loss"] == expected.loss and last["accuracy"] == expected.accuracy == 1.0
        chart = app.query_one("#loss-chart")
        assert chart.steps == list(range(100)) and chart.losses[-1] == expected.loss
        status = str(app.query_one("#status").content)
        assert "step 99" in status and "acc 100.0%" in status and "steps/s" in status and "compiled" in status
        assert app.workbench.log[-1]["do"] == "train" and app.workbench.log[-1]["steps"] == 100
        # the trained numbers were written back into the model's Values
        assert app.workbench.model.parameters()[0].data == app.workbench.trainer.engine.params[0]


async def test_one_step_key(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "f8")
        await pilot.pause()
        expected = reference_demo(2)
        assert [r["step"] for r in app.workbench.history] == [0, 1]
        assert app.query_one("#loss-chart").losses[-1] == expected.loss
        assert "step 1 " in str(app.query_one("#status").content)


async def test_pause_stops_within_one_step_and_train_resumes(app):
    app.train_steps = None  # until paused
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        for _ in range(200):  # until some steps ran (no clock: count pauses of the event loop)
            await pilot.pause()
            if app._run is not None and app._run.steps >= 5:
                break
        await pilot.press("f9")
        requested = app.pause_requested_at
        await wait_for_training(app, pilot)
        steps = len(app.workbench.history)
        assert requested is not None and requested <= steps <= requested + 1
        assert app.workbench.log[-1] == {"do": "train", "steps": steps, "results": app.workbench.history}
        app.train_steps = 3
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert len(app.workbench.history) == steps + 3
        assert app.workbench.history[-1]["step"] == steps + 2


async def test_quitting_mid_run_exits_cleanly(app):
    """ctrl+q during an endless run: the app exits by itself, the training thread leaves its loop, no more steps.

    Cancelling a thread worker only marks it cancelled (its thread runs on inside a step), so "stopped" is
    checked where it happens: `_train` posts TrainingFinished from its own thread as its very last act.
    """
    app.train_steps = None  # until stopped: if quitting did not stop it, it would step for ever
    finished = threading.Event()
    finished_from: list[threading.Thread] = []
    post_message = app.post_message

    def spy(message):
        if isinstance(message, TrainingFinished):
            finished_from.append(threading.current_thread())
            finished.set()
        return post_message(message)

    app.post_message = spy
    run = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f9")
            deadline = time.monotonic() + 30
            while (app._run is None or app._run.steps < 3) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # real time: the worker thread steps while the loop sleeps
            run = app._run
            assert run is not None and run.steps >= 3, "training did not get going"
            worker = next(w for w in app.workers if w.name == "training")
            assert worker.is_running and not finished.is_set()
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.return_code == 0  # exit() was called by ctrl+q, not by run_test closing the app
        # leaving the block re-raises any exception the app died of; there was none
        assert app._exception is None and not app.is_running
        assert worker.is_cancelled
        # the thread leaves its loop within one step (allow for a loaded machine)
        assert await asyncio.to_thread(finished.wait, 30), "the training thread is still stepping"
        assert finished_from and finished_from[0] is not threading.main_thread()
        steps = run.steps
        await asyncio.sleep(0.3)
        assert run.steps == steps  # nothing is still stepping
    finally:
        if run is not None and not finished.is_set():
            # on failure, do not leave a thread stepping for ever (the event loop would wait for it at exit)
            def stop():
                raise RuntimeError("stopped by the test")

            run.step = stop


async def test_a_diverging_learning_rate_pauses_with_a_message(app):
    async with app.run_test(size=SIZE) as pilot:
        app.workbench.configure({"training": {"lr": {"schedule": "constant", "lr": 1e6}}})
        app.train_steps = 500
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        notes = [text for text, severity in app.notes if severity == "error"]
        assert any("non-finite at step" in text and "smaller learning rate" in text for text in notes)
        assert len(app.workbench.history) < 500


async def test_worker_errors_become_a_notification_and_the_app_keeps_running(app, monkeypatch):
    async with app.run_test(size=SIZE) as pilot:

        def broken_step():
            raise RuntimeError("engine exploded")

        monkeypatch.setattr(app.workbench.trainer, "step", broken_step)
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert any("engine exploded" in text for text, severity in app.notes if severity == "error")
        monkeypatch.undo()
        await pilot.press("f8")
        await pilot.pause()
        assert len(app.workbench.history) == 1


async def test_invalid_settings_are_flagged_in_place_and_valid_ones_apply(app):
    async with app.run_test(size=SIZE) as pilot:
        layers = app.query_one("#control-layers")
        layers.focus()
        await pilot.press("end", "comma", "x")
        await pilot.pause()
        assert layers.has_class("-invalid")
        message = str(app.query_one("#controls-message").content)
        assert message.startswith("layers:") and "'x' is not a whole number" in message
        await pilot.press("enter")
        assert app.workbench.config.model["layers"] == [16, 16, 1]  # nothing applied
        await pilot.press("backspace", "backspace", "backspace", "2")  # 16,16,2: wrong for svm
        await pilot.press("enter")
        await pilot.pause()
        assert layers.has_class("-invalid")
        assert str(app.query_one("#controls-message").content).startswith(
            "layers: svm_max_margin on 2 classes needs a last layer of 1 output, not 16,16,2"
        )
        assert app.workbench.config.model["layers"] == [16, 16, 1]
        await pilot.press("backspace", "1", "enter")  # 16,16,1 again is no change; now 8,1
        await pilot.press("ctrl+u", *"8,1", "enter")
        await pilot.pause()
        assert app.workbench.config.model["layers"] == [8, 1] and not layers.has_class("-invalid")
        assert app.workbench.log[-1] == {"do": "configure", "changes": {"model": {"layers": [8, 1]}}}


async def test_choosing_a_dataset_and_training_it(app):
    async with app.run_test(size=SIZE) as pilot:
        select = app.query_one("#control-dataset")
        select.focus()
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        await pilot.press("down", "enter")  # the second dataset
        await pilot.pause()
        assert app.workbench.config.data["name"] == list(datasets.DATASETS)[1]
        await pilot.press("f8")
        await pilot.pause()
        assert len(app.query_one("#loss-chart").steps) == 1


async def test_decision_boundary_is_one_key_away(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        await pilot.press("f4")
        await pilot.pause()
        await pilot.pause()
        view = app.query_one("#boundary")
        assert app.query_one("#chart-pane").current == "boundary" and view.grid is not None
        # the trained demo separates the moons: the grid holds both classes, and every point sits in its class
        assert {c for row in view.grid for c in row} == {0, 1}
        assert app.query_one("#chart-pane").border_title == "Decision boundary"
        screen = app.export_screenshot()
        assert "●" in screen and "■" in screen  # class 0 and class 1 training points
        await pilot.press("f4")
        assert app.query_one("#chart-pane").current == "loss-chart"


async def test_training_loss_graph_opens_lazily(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await pilot.press("ctrl+g")
        await pilot.pause()
        tree = app.query_one("#graph-tree")
        assert tree.size_of_graph > 30_000
        lines = tree_lines(app)
        assert lines[0].startswith("loss +") and len(lines) == 3  # the root and its two children, no more
        assert "training loss" in app.query_one("#graph-pane").border_title
        tree.root.children[0].expand()
        await pilot.pause()
        shown = len(tree_lines(app))
        assert shown < 10  # data_loss's own operands only
        await pilot.press("f8")  # a step rebuilds the loss graph; what changed is highlighted
        await pilot.pause()
        assert tree_lines(app)[0].startswith("loss +") and len(tree_lines(app)) == shown  # still open (issue 12)
        assert tree.changed_count >= 3  # loss, data_loss, reg_loss at least
        assert any("reverse" in str(span.style) for span in tree.render_label(tree.root, Style(), Style()).spans)
        app.train_steps = None
        await pilot.press("f9")
        await pilot.pause()
        assert tree.frozen and "Training" in str(app.query_one("#inspector").content)
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert not tree.frozen and str(app.query_one("#inspector").content).startswith("loss")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert tree_lines(app)[0].startswith("g +")


async def test_reset_restores_the_starting_weights(app):
    async with app.run_test(size=SIZE) as pilot:
        first = app.workbench.model.parameters()[0].data
        await pilot.press("f8", "f8", "ctrl+r")
        await pilot.pause()
        assert app.workbench.model.parameters()[0].data == first
        assert app.workbench.history == [] and app.query_one("#loss-chart").steps == []


def trained_alone(steps: int, engine: str):
    """The app's default setup trained by the workbench's own Trainer, no app: (last result, parameters)."""
    from tui.workbench import Config, Workbench

    trainer = Workbench(Config().merged({"training": {"engine": engine}})).trainer
    results = [trainer.step() for _ in range(steps)]
    return results[-1], trainer.parameter_vector()


async def test_progress_is_coalesced_into_few_chart_redraws(app, monkeypatch):
    """However many steps a run makes between two progress messages, the chart draws once per message: with
    no message due until the end, 300 steps cost the chart the final redraw or two, not 300."""
    import tui.app

    monkeypatch.setattr(tui.app, "PROGRESS_INTERVAL", 3600.0)
    app.train_steps = 300
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        chart = app.query_one("#loss-chart")
        draws, draw = [], chart._draw
        monkeypatch.setattr(chart, "_draw", lambda: (draws.append(len(chart.steps)), draw())[1])
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        assert 1 <= len(draws) <= 3, draws  # the last batch of results, then the record on finishing
        assert chart.steps == list(range(300)) and len(app.workbench.history) == 300


async def test_a_run_posting_every_step_ends_exactly_where_the_trainer_alone_does(app, monkeypatch):
    """Progress after every step (interval 0): many messages merged on the way, none lost, and the final state
    is the Trainer's own to the last bit -- loss, accuracy and every parameter."""
    import tui.app

    monkeypatch.setattr(tui.app, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(tui.app, "PROGRESS_SHARE", 1e9)  # never slowed down by the drawing cost
    app.train_steps = 150
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        expected, parameters = trained_alone(150, "compiled")
        last = app.workbench.history[-1]
        assert (last["step"], last["loss"], last["accuracy"]) == (149, expected.loss, expected.accuracy)
        assert app.workbench.trainer.parameter_vector().tolist() == parameters.tolist()
        assert app.query_one("#loss-chart").steps == list(range(150))


async def test_the_reference_engine_in_the_app_ends_where_the_trainer_alone_does(app):
    app.workbench.configure({"training": {"engine": "reference"}})
    app.train_steps = 3
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        expected, parameters = trained_alone(3, "reference")
        assert app.workbench.history[-1]["loss"] == expected.loss
        assert app.workbench.trainer.parameter_vector().tolist() == parameters.tolist()


async def test_the_collector_spares_the_apps_objects_and_is_restored_after_a_run_and_at_exit(app):
    """The objects the app starts with leave the collector's full passes (frozen); a run makes young collections
    rarer and its end -- pause or quit -- puts the threshold back; the app's end unfreezes."""
    import gc

    before = gc.get_threshold()
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 0
        await pilot.press("f9")
        for _ in range(200):
            await pilot.pause()
            if app._run is not None and app._run.steps >= 2:
                break
        assert gc.get_threshold()[0] > before[0]
        await pilot.press("f9")
        for _ in range(500):
            await pilot.pause()
            if app._run is None:
                break
        assert app._run is None and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


async def test_footer_says_train_after_a_run_that_ended_while_help_was_open(app):
    """The run's end refreshes the main screen's footer too, not only the screen on top (it stayed 'Pause')."""
    from tests.tui.conftest import screen_text

    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("f1")
        assert app.screen.__class__.__name__ == "HelpScreen"
        app.action_train_pause()  # pause while help is open (as a run of N steps ends by itself)
        for _ in range(500):
            await pilot.pause()
            if app._run is None:
                break
        assert app._run is None and app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "f9 Train" in " ".join(text.split()) and "Pause" not in text


async def test_help_is_built_once_and_shown_again(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "f1")
        first = app.screen
        assert first.__class__.__name__ == "HelpScreen" and "| F9 |" in first.markdown
        await pilot.press("escape")
        assert app.screen is not first
        await pilot.press("f1")
        assert app.screen is first


async def test_the_footer_relabels_f9_in_place_when_training_starts_and_ends(app):
    """Train <-> Pause and the dimmed keys change on the keys already shown: no new footer (a recompose laid
    the whole screen out again at each start and end of a run)."""
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = list(app.query("FooterKey"))
        labels = lambda: {k.action: (k.description, k._disabled) for k in app.query("FooterKey")}
        assert labels()["train"] == ("Train", False) and labels()["step"] == ("Step", False)
        layouts, lay_out = [], app.screen._refresh_layout
        app.screen._refresh_layout = lambda *args, **kwargs: layouts.append(1) or lay_out(*args, **kwargs)
        await pilot.press("f9")
        await pilot.pause()
        assert labels()["pause"] == ("Pause", False) and labels()["step"] == ("Step", True)
        assert layouts == [], "starting a run laid the screen out again"
        await pilot.press("f9")
        for _ in range(500):
            await pilot.pause()
            if app._run is None:
                break
        await pilot.pause()
        assert labels()["train"] == ("Train", False) and labels()["step"] == ("Step", False)
        assert list(app.query("FooterKey")) == before


async def test_a_key_while_training_holds_the_worker_while_it_is_answered(app, monkeypatch):
    """The worker gives way from the key's arrival for as long as an answer takes at idle speed (each turn of
    the event loop waited for the GIL while it ran), then goes on."""
    from time import perf_counter

    from tui.screens import help as help_screen

    held_when_answered = []
    show = help_screen.show

    def show_and_look(the_app) -> None:
        held_when_answered.append(the_app._heartbeat._held_until > perf_counter())
        show(the_app)

    monkeypatch.setattr(help_screen, "show", show_and_look)
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert app._run is not None
        steps_before = app._run.steps
        await pilot.press("f1")
        await pilot.pause()
        assert held_when_answered == [True]
        for _ in range(200):  # and training goes on
            await pilot.pause(0.01)
            if app._run.steps > steps_before + 5:
                break
        assert app._run.steps > steps_before + 5
        await pilot.press("escape", "f9")
        await wait_for_training(app, pilot)
