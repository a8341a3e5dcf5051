"""Issue 10 in the real app, by keys: the form never lies, live changes, presets, limits, stop means stop."""

from __future__ import annotations

import asyncio
import math

from tests.tui.conftest import SIZE, wait_for_training
from tui.widgets.timeline import describe


def message(app) -> str:
    return str(app.query_one("#controls-message").content)


async def pick(pilot, app, key: str, moves: list[str]) -> None:
    """Open drop-down `key` and move to an entry with the arrow keys, then Enter."""
    app.query_one(f"#control-{key}").focus()
    await pilot.press("enter", *moves, "enter")
    await pilot.pause()


async def steps_at_least(app, pilot, n: int) -> None:
    for _ in range(2000):
        await asyncio.sleep(0.01)  # the worker steps while the event loop sleeps
        if app._run is not None and app._run.steps >= n:
            return
    raise AssertionError(f"training did not reach {n} steps")


async def test_refused_yinyang_stays_flagged_and_the_next_valid_change_applies(app):
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "dataset", ["down"] * 4)  # moons -> yinyang
        assert message(app).startswith("loss: svm_max_margin is a two-class loss, but yinyang has 3 classes")
        assert "ctrl+y: loss = cross_entropy, layers = 16,16,3" in message(app)
        assert app.workbench.config.data["name"] == "moons"  # nothing applied ...
        assert app.query_one("#control-dataset").has_class("-pending")  # ... and the form says so
        assert app.query_one("#control-loss").has_class("-invalid")
        await pick(pilot, app, "loss", ["down"])  # svm_max_margin -> mse: valid on its own, so it applies
        assert app.workbench.config.training["loss"] == "mse" and app.workbench.config.data["name"] == "moons"
        assert app.workbench.log[-1] == {"do": "configure", "changes": {"training": {"loss": "mse"}}}
        assert message(app).startswith("loss = mse applied; loss: mse is a two-class loss, but yinyang")
        assert app.query_one("#control-dataset").has_class("-pending")  # yinyang is still not in effect
        await pilot.press("f8")
        await pilot.pause()
        assert app.workbench.log[-1]["do"] == "step" and len(app.workbench.history) == 1
        await pick(pilot, app, "dataset", ["up"] * 3)  # yinyang -> circles: valid, applies
        assert app.workbench.config.data["name"] == "circles" and app.workbench.config.training["loss"] == "mse"
        assert not app.query_one("#control-dataset").has_class("-pending")
        assert "a new model from its seed" in message(app)


async def test_keys_alone_reach_yinyang_cross_entropy_three_outputs_and_adamw(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+down", "ctrl+down")  # editor -> graph -> the training form (its preset)
        assert app.focused.id == "control-preset"
        await pilot.press("tab", "enter", *["down"] * 4, "enter")  # data: yinyang
        await pilot.pause()
        assert "ctrl+y" in message(app)
        await pilot.press("ctrl+y")  # the offered fix: cross_entropy and a last layer of 3
        await pilot.pause()
        await pilot.press(*["tab"] * 12)  # to optim (past test% and inputs)
        assert app.focused.id == "control-optimizer"
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        await pilot.press("shift+tab", "ctrl+u", *"0.02", "enter")  # lr
        await pilot.pause()
        config = app.workbench.config
        assert (
            config.data["name"],
            config.training["loss"],
            config.model["layers"],
            config.training["optimizer"],
            config.training["lr"],
        ) == ("yinyang", "cross_entropy", [16, 16, 3], "adamw", {"schedule": "constant", "lr": 0.02})
        assert [a["do"] for a in app.workbench.log] == ["configure"] * 3, [a["changes"] for a in app.workbench.log]
        assert app.workbench.log[-1] == {
            "do": "configure",
            "changes": {"training": {"lr": {"schedule": "constant", "lr": 0.02}}},
        }


async def test_lr_changed_mid_run_keeps_the_weights_and_marks_the_chart(app):
    app.train_steps = None  # until paused
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await steps_at_least(app, pilot, 3)
        lr = app.query_one("#control-lr")
        lr.focus()
        await pilot.press("ctrl+u", *"0.05", "enter")
        await pilot.pause()
        assert "applied to the current model from the next step" in message(app)
        run = app._run
        for _ in range(2000):
            await asyncio.sleep(0.01)
            if run.changes and run.steps >= run.changes[0][0] + 3:
                break
        app.query_one("#editor-text").focus()
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        wb = app.workbench
        at = run.changes[0][0]
        assert [a["do"] for a in wb.log] == ["train", "configure", "train"]
        assert wb.log[0]["steps"] == at and wb.log[1]["changes"] == {
            "training": {"lr": {"schedule": "constant", "lr": 0.05}}
        }
        assert [r["step"] for r in wb.history] == list(range(len(wb.history)))  # one unbroken run
        assert all(r["lr"] == 0.05 for r in wb.history[at:]) and all(r["lr"] != 0.05 for r in wb.history[:at])
        assert wb.marks == [{"step": at, "text": "lr = 0.05 (constant)"}]
        assert app.query_one("#loss-chart").marks == wb.marks
        assert describe(wb.log[1]) == "configure lr = 0.05 (constant)"


async def test_a_new_model_setting_waits_for_a_pause_and_says_so(app):
    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await steps_at_least(app, pilot, 1)
        await pick(pilot, app, "dataset", ["down"])  # circles, while training
        assert message(app).startswith("data: needs a new model; pause training (F9) first")
        assert app.workbench.config.data["name"] == "moons" and app.query_one("#control-dataset").has_class("-pending")
        app.query_one("#editor-text").focus()
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        app.query_one("#control-layers").focus()  # the next valid change applies everything pending
        await pilot.press("ctrl+u", *"8,8,1", "enter")
        await pilot.pause()
        assert app.workbench.config.data["name"] == "circles" and app.workbench.config.model["layers"] == [8, 8, 1]
        assert app.workbench.history == []


async def test_presets_from_the_drop_down_and_the_palette_are_one_action_each(app):
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "preset", ["down", "down"])  # demo -> lecture -> yinyang
        assert app.workbench.log[-1]["do"] == "preset" and app.workbench.log[-1]["name"] == "yinyang"
        assert app.query_one("#control-dataset").value == "yinyang" and len(app.workbench.log) == 1
        await pilot.press("f8")
        app.query_one("#editor-text").focus()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Preset: circles")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert [(a["do"], a.get("name")) for a in app.workbench.log] == [
            ("preset", "yinyang"),
            ("step", None),
            ("preset", "circles"),
        ]
        assert app.workbench.config.model["activation"] == "tanh" and app.workbench.history == []
        assert describe(app.workbench.log[-1]) == "preset circles"


async def test_small_things_width_one_layers_negative_lr_and_the_forms_words(app):
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#control-layers").focus()
        await pilot.press("ctrl+u", *"16,1,1", "enter")
        await pilot.pause()
        assert app.workbench.config.model["layers"] == [16, 1, 1]
        await pilot.press("f8")
        await pilot.pause()
        assert len(app.workbench.history) == 1 and math.isfinite(app.workbench.history[0]["loss"])
        app.query_one("#control-lr").focus()
        await pilot.press("ctrl+u", "minus", "1")
        await pilot.pause()
        assert app.query_one("#control-lr").has_class("-invalid")
        assert message(app) == "lr: expected a number above 0 to 1e+06, not -1"
        await pilot.press("enter")
        assert app.workbench.config.training["lr"]["schedule"] == "linear"  # nothing applied
        app.query_one("#control-samples").focus()
        await pilot.press("escape")  # back to what is in effect
        await pilot.press("ctrl+u", "0", "enter")
        await pilot.pause()
        assert message(app) == "n: expected a whole number from 2 to 10,000, not 0"


async def test_the_cost_limit_refuses_before_building_and_offers_the_compiled_engine(app):
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "engine", ["down"])  # reference: fine for 100 samples
        assert app.workbench.config.training["engine"] == "reference"
        app.query_one("#control-samples").focus()
        await pilot.press("ctrl+u", *"10000", "enter")
        await pilot.pause()
        assert message(app).startswith("too big to build: 3,760,6")  # Values a step, then the time and limit
        assert "ctrl+y: engine = compiled" in message(app) and app.workbench.config.data["samples"] == 100
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert (app.workbench.config.data["samples"], app.workbench.config.training["engine"]) == (10_000, "compiled")


def _distance(a, b) -> int:
    return abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b)


def test_every_theme_sets_the_focused_field_apart():
    """The focused field is $accent on $surface (app.tcss): far apart in every built-in theme."""
    from textual.color import Color
    from textual.theme import BUILTIN_THEMES

    for name, theme in BUILTIN_THEMES.items():
        colors = theme.to_color_system().generate()
        assert _distance(Color.parse(colors["accent"]), Color.parse(colors["surface"])) >= 90, name


async def test_focus_is_visible_on_every_field_and_pane(app):
    async with app.run_test(size=SIZE) as pilot:
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            for focused, other in (("#control-samples", "#control-seed"), ("#control-dataset", "#control-loss")):
                app.query_one(focused).focus()
                await pilot.pause()
                a, b = app.query_one(focused), app.query_one(other)
                if a.query("SelectCurrent"):
                    a, b = a.query_one("SelectCurrent"), b.query_one("SelectCurrent")
                assert a.styles.text_style.bold and not b.styles.text_style.bold, theme
                assert _distance(a.styles.background, b.styles.background) >= 90, theme
            assert app.query_one("#controls-pane").styles.border_top[0] == "heavy"
            assert app.query_one("#chart-pane").styles.border_top[0] == "round"


async def test_pause_inside_a_long_reference_step_abandons_it(app):
    """1,300 samples on the reference engine: one step is about a second; F9 ends it from inside.

    The step is held at its 10th sample until the pause was pressed (no sleep that a faster step outruns)."""
    import threading

    app.train_steps = None
    async with app.run_test(size=SIZE) as pilot:
        app.workbench.configure({"data": {"samples": 1300}, "training": {"engine": "reference"}})
        engine = app.workbench.trainer.engine
        check, calls, inside, release = engine._check, [], threading.Event(), threading.Event()

        def held_check():  # asked between samples of the forward pass
            calls.append(None)
            if len(calls) == 10:
                inside.set()
                release.wait(30)
            check()

        engine._check = held_check
        await pilot.press("f9")
        for _ in range(300):  # until the worker is inside the first step's forward pass
            if inside.is_set():
                break
            await asyncio.sleep(0.02)
        assert inside.is_set() and app._run is not None and app._run.steps == 0
        await pilot.press("f9")
        release.set()
        await wait_for_training(app, pilot)
        assert len(calls) < 1300  # it stopped inside the forward pass
        assert app.workbench.history == [] and app.workbench.log[-1]["do"] == "configure"
        trainer = app.workbench.trainer  # whole: no step counted, the starting weights untouched
        assert trainer.steps_done == 0 and trainer.optimizer.steps == 0


def test_the_cli_exits_non_zero_when_the_app_died(monkeypatch):
    """A real (headless) run of the app that fails in on_mount: micrograd-tui must not report success."""
    from textual.app import App

    from tui import cli
    from tui.app import MicrogradApp

    def broken(self):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(MicrogradApp, "on_mount", broken)
    monkeypatch.setattr(MicrogradApp, "run", lambda self: App.run(self, headless=True, size=SIZE))
    assert cli.main([]) == 1


def test_quit_ends_the_process_even_if_a_thread_is_still_busy():
    """leave_if_stuck: after the app returned, a thread still inside a long step does not keep the process."""
    import subprocess
    import sys

    script = (
        "import threading, time\n"
        "from tui.cli import leave_if_stuck\n"
        "threading.Thread(target=time.sleep, args=(600,)).start()\n"
        "leave_if_stuck(3, grace=0.2)\n"
        "raise SystemExit('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=120, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
