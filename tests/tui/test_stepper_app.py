"""The backprop stepper, the gradient-check view and the pitfall toggles, driven by real keys (issue 7)."""

from __future__ import annotations

import pytest

from micrograd.engine import Value
from tests.tui.conftest import SIZE, set_program, tree_lines
from tui import session
from tui.replay import replay
from tui.screens.session_files import OpenedSession
from tui.screens.stepping import GradCheckScreen
from tui.widgets.timeline import Timeline, describe
from tui.workbench import Workbench

# micrograd's README: d(g)/d(a) and d(g)/d(b), printed by its README as 138.8338 and 645.5773.
README_GRADS = {"a": 138.83381924198252, "b": 645.5772594752186}
TWICE = "a = Value(3.0)\nb = a + a\nb.backward()\n"


def inspector_text(app) -> str:
    return str(app.query_one("#inspector").render())


def line_for(app, name: str) -> str:
    return next(line for line in tree_lines(app) if line.startswith(f"{name} "))


async def test_stepping_the_readme_expression_shows_each_rule_with_its_numbers(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.focused.id == "stepper-bar" and app.workbench.stepping.position == 0
        assert "nothing applied yet" in inspector_text(app)
        await pilot.press("right")
        await pilot.pause()
        assert "g.grad = 1  (∂g/∂g: backprop starts at the output)" in inspector_text(app)
        await pilot.press("right")
        await pilot.pause()
        text = inspector_text(app)
        assert "step 2/28: g (line 11) passes its grad 1.0000" in text
        assert "f.grad += (0.5).data × g (line 11).grad  →  0.0000 += 0.5000 × 1.0000  =  0.5000" in text
        assert "(0.5).grad += f.data × g (line 11).grad  →  0.0000 += 49.0000 × 1.0000  =  49.0000" in text
        # the tree opened at the current node: its operands have their (first) grads, the rest is pending
        assert "◀ this step" in line_for(app, "g (line 11)")
        assert line_for(app, "f").startswith("f **2 (partial)") and "grad 0.5000" in line_for(app, "f")
        await pilot.press("f10")  # from anywhere, not only the bar
        await pilot.pause()
        assert (
            "(f**-1).grad += (10).data × (10.0 / f).grad  →  0.0000 += 10.0000 × 1.0000  =  10.0000"
            in inspector_text(app)
        )
        await pilot.press("left")  # previous undoes exactly
        await pilot.pause()
        assert app.workbench.stepping.position == 2 and "f.grad += (0.5).data" in inspector_text(app)
        assert app.query_one("#graph-tree").stepping.numbers(app.workbench.find("#35"))[1] is None
        await pilot.press("end")  # run to end: the same grads as the README's own g.backward()
        await pilot.pause()
        stepper = app.workbench.stepping.stepper
        assert stepper.is_done
        for node in app.workbench.output.topological_order():
            assert stepper.grad_of(node) == node.grad
        await pilot.press("home")
        await pilot.pause()
        assert app.workbench.stepping.position == 0
        assert all("pending" in line for line in tree_lines(app) if "grad" in line and not line.startswith("g +"))
        await pilot.press("escape")  # leaving applies nothing: the Values keep their grads
        await pilot.pause()
        assert app.workbench.stepping is None and app.focused.id == "graph-tree"
        assert "pending" not in "".join(tree_lines(app))
        assert app.workbench.find("a").grad == pytest.approx(README_GRADS["a"])
        moves = [entry for entry in app.workbench.log if entry["do"] == "stepper"]
        assert [m["position"] for m in moves] == [0, 1, 2, 3, 2, 28, 0, 0]
        assert moves[-1]["mode"] == "off"


async def test_the_forward_pass_fills_in_data(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b", "f", "right", "right", "right")
        await pilot.pause()
        text = inspector_text(app)
        assert "forward pass, step 3/39" in text and "c (line 3) = a + b  →  -2.0000 = -4.0000 + 2.0000" in text
        assert "data …" in line_for(app, "g")  # the output is computed last
        await pilot.press("ctrl+g")  # another graph: the stepper's bar and numbers go with its graph
        await pilot.pause()
        assert app.graph_mode == "training" and not app.query_one("#stepper-bar").display
        assert "…" not in "".join(tree_lines(app))
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.query_one("#stepper-bar").display and "data …" in line_for(app, "g")
        set_program(app, TWICE)
        await pilot.press("f5")  # a new expression: the stepper stops
        await pilot.pause()
        assert app.workbench.stepping is None and not app.query_one("#stepper-bar").display
        assert "grad 2" in line_for(app, "a")


async def test_a_recorded_walk_through_replays_and_the_timeline_names_it(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b", "right", "right")
        await pilot.pause()
        recorded = session.Session.from_workbench(app.workbench, title="walk")
        path = tmp_path / "walk.json"
        session.save(recorded, path)
        loaded = session.load(path)
        assert replay(loaded).ok
        assert describe(loaded.actions[-1]) == "backward stepper at step 2"
        await pilot.press("escape")
        app.open_session(OpenedSession(path, loaded))  # shown at its end, on the timeline
        await pilot.pause()
        await pilot.pause()
        line = app.query_one(Timeline)
        assert "backward stepper at step 2" in str(line.render())
        assert "f.grad += (0.5).data × g (line 11).grad" in inspector_text(app)
        await pilot.press("left")  # one action back: the stepper at step 1
        await pilot.pause()
        assert app.workbench.stepping.position == 1 and "g.grad = 1" in inspector_text(app)


async def test_gradient_check_view_lists_every_leaf(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, GradCheckScreen)
        text = str(app.screen.query_one("#grad-check-text").render())
        rows = {line.split()[0]: line for line in text.splitlines() if line[:2] in ("a ", "b ")}
        assert "138.834" in rows["a"] and rows["a"].endswith("ok")
        assert "645.577" in rows["b"] and rows["b"].endswith("ok")
        assert "0 flagged" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GradCheckScreen)


async def test_overwrite_pitfall_loses_a_contribution_and_the_check_flags_it(app):
    async with app.run_test(size=SIZE) as pilot:
        set_program(app, TWICE)
        await pilot.press("f5", "ctrl+b", "o", "end")
        await pilot.pause()
        assert "a.grad = b.grad  →  1.0000  (overwrote 1.0000!)" in inspector_text(app)
        assert "grad 1.0000" in line_for(app, "a")  # 1, not 2
        await pilot.press("ctrl+n")
        await pilot.pause()
        text = str(app.screen.query_one("#grad-check-text").render())
        assert "MISMATCH" in text and "1 flagged" in text
        await pilot.press("escape", "o")  # the pitfall off again: += gives 2, and the check agrees
        await pilot.pause()
        await pilot.press("end", "ctrl+n")
        await pilot.pause()
        text = str(app.screen.query_one("#grad-check-text").render())
        assert "0 flagged" in text and "MISMATCH" not in text
        assert app.workbench.stepping.numbers(app.workbench.find("a"))[1] == 2.0


async def test_forgetting_zero_grad_changes_training_live(app):
    reference = Workbench()
    good = reference.train(4)["results"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")  # one correct step, then the pitfall from the palette
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"forget zero")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.workbench.forgetting_zero_grad
        assert "zero_grad forgotten!" in str(app.query_one("#status").render())
        await pilot.press("f8", "f8", "f8")
        await pilot.pause()
        losses = [r["loss"] for r in app.workbench.history]
        assert losses[:2] == [r["loss"] for r in good[:2]]  # the first step without zeroing adds to nothing
        assert abs(losses[3] - good[3]["loss"]) > 1e-6
        assert {"do": "forget_zero_grad", "on": True} in app.workbench.log
        assert describe({"do": "forget_zero_grad", "on": True}) == "pitfall: forget zero_grad on (grads accumulate)"
        saved = session.loads(session.dumps(session.Session.from_workbench(app.workbench)))
        assert replay(saved).ok


def test_the_overwrite_pitfall_is_the_textbook_bug():
    """Independent of the stepper: backward with `=` on b = a + a gives 1, the true derivative is 2."""
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    wb = Workbench(expression=TWICE)
    wb.step_through("backward", 1, overwrite=True)
    assert wb.stepping.numbers(wb.find("a"))[1] == 1.0


async def test_stepping_a_traced_sample(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")  # sample 0
        await pilot.pause()
        await pilot.press("ctrl+b", "right", "right", "right")
        await pilot.pause()
        state = app.workbench.stepping
        assert app.graph_mode == "sample" and state.graph == "sample" and state.position == 3
        assert app.query_one("#graph-tree").graph_root is state.stepper.root
        assert "step 3/" in inspector_text(app) and "◀ this step" in "".join(tree_lines(app))
        assert describe(app.workbench.log[-1]) == "backward stepper at step 3 on the traced sample"
        await pilot.press("f8")  # a training step changes the weights: the stepper on the old graph stops
        await pilot.pause()
        assert app.workbench.stepping is None and not app.query_one("#stepper-bar").display
