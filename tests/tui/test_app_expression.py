"""The expression editor and the graph pane, driven by real key presses."""

from __future__ import annotations

from rich.style import Style

from tests.tui.conftest import SIZE, expand_everything, set_program, tree_lines
from tui.replay import replay
from tui.workbench import DEFAULT_EXPRESSION


async def type_program(pilot, text: str) -> None:
    """Replace the editor's text by typing (f7 is TextArea's select-all)."""
    await pilot.click("#editor-text")
    keys = ["f7"]
    for line in text.split("\n"):
        keys.extend(line)
        keys.append("enter")
    await pilot.press(*keys[:-1])


async def test_start_shows_the_readme_example_evaluated(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one("#editor-text").text == DEFAULT_EXPRESSION
        root = tree_lines(app)[0]
        assert root.startswith("g +") and "data 24.7041" in root and "grad 1" in root  # README: 24.7041
        assert "evaluated: g = 24.7041" in app.query_one("#editor-pane").error_text
        inspector = str(app.query_one("#inspector").content)
        assert "∂g/∂" in inspector and "24.70408163265306" in inspector


async def test_evaluate_a_typed_expression_shows_its_graph(app):
    async with app.run_test(size=SIZE) as pilot:
        await type_program(pilot, "x = Value(3.0)\ny = x*(x+1)\ny.backward()")
        await pilot.press("f5")
        await pilot.pause()
        lines = tree_lines(app)
        assert lines[0].startswith("y *") and "data 12" in lines[0]
        # dy/dx = 2x + 1 = 7 at x = 3: the first operand line is x with its grad.
        assert lines[1].startswith("x leaf") and "grad 7" in lines[1]
        assert app.workbench.log[-1] == {"do": "evaluate", "source": "x = Value(3.0)\ny = x*(x+1)\ny.backward()"}


async def test_an_error_is_shown_with_line_and_column_and_the_cursor_moves_there(app):
    async with app.run_test(size=SIZE) as pilot:
        source = "a = Value(2.0)\nb = a + foo"
        set_program(app, source)
        await pilot.press("f5")
        await pilot.pause()
        editor = app.query_one("#editor-pane")
        assert editor.error_text.startswith("line 2, col 9:") and "foo" in editor.error_text
        assert editor.has_class("-error")
        assert app.query_one("#editor-text").cursor_location == (1, 8)
        assert app.query_one("#editor-text").text == source  # the text is never lost
        assert lines_root_is_readme(app)  # the graph pane keeps the last good graph
        assert app.workbench.log[-1]["error"].startswith("line 2, col 9:")


def lines_root_is_readme(app) -> bool:
    return tree_lines(app)[0].startswith("g +")


async def test_zero_grad_then_backward_gives_the_readme_gradients(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")  # to the graph tree: the keys work from any pane
        await expand_everything(app, pilot)
        await pilot.press("f3")
        await pilot.pause()
        assert all("grad 0.0000" in line for line in tree_lines(app))
        await pilot.press("f2")
        await pilot.pause()
        # micrograd's README: a.grad = 138.8338, b.grad = 645.5773
        assert any(line.startswith("a leaf") and "grad 138.8338" in line for line in tree_lines(app))
        assert any(line.startswith("b leaf") and "grad 645.5773" in line for line in tree_lines(app))
        await pilot.press("f2")  # again without zeroing: gradients accumulate, as in micrograd
        await pilot.pause()
        assert app.workbench.find("a").grad != 138.8338192419825
        assert [e["do"] for e in app.workbench.log] == ["zero_grad", "backward", "backward"]


async def test_shared_nodes_are_marked_not_repeated(app):
    async with app.run_test(size=SIZE) as pilot:
        set_program(app, "a = Value(2.0)\nb = a * a\nb.backward()")
        await pilot.press("f5")
        await pilot.pause()
        lines = tree_lines(app)
        assert len(lines) == 3
        assert lines[1].startswith("a leaf ×2") and "grad 4" in lines[1]  # used twice, shown in full once
        assert lines[2].startswith("↪ a leaf") and "grad 4" in lines[2]  # README: ↪ marks the repeat


async def test_changed_values_are_highlighted_after_backward(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.query_one("#graph-tree")
        assert tree.changed_count == 0
        await pilot.press("f2")
        await pilot.pause()
        assert tree.changed_count > 0
        root_label = tree.render_label(tree.root, Style(), Style())
        assert any("reverse" in str(span.style) for span in root_label.spans) is False  # root grad stays 1
        child = tree.render_label(tree.root.children[0], Style(), Style())
        assert any("reverse" in str(span.style) for span in child.spans)


async def test_inspector_follows_the_cursor_and_checks_gradients_on_leaves(app):
    async with app.run_test(size=SIZE) as pilot:
        set_program(app, "a = Value(-3.0)\nb = Value(2.0)\nc = a * b\nc.backward()")
        await pilot.click("#editor-text")
        await pilot.press("f5", "tab", "down")
        await pilot.pause()
        text = str(app.query_one("#inspector").content)
        assert text.startswith("a") and "grad 2.0" in text
        assert "gradient check: backprop 2" in text and "ok" in text
        await pilot.press("up")
        await pilot.pause()
        text = str(app.query_one("#inspector").content)
        assert "∂c/∂a = b = 2.0000" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.workbench.log[-1] == {"do": "select", "label": "a"}


async def test_question_mark_types_in_the_editor_and_opens_help_elsewhere(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#editor-text")
        await pilot.press("end", "question_mark")
        await pilot.pause()
        assert app.query_one("#editor-text").text.startswith("a = Value(-4.0)?")
        assert app.screen.__class__.__name__ == "MicrogradApp" or len(app.screen_stack) == 1
        await pilot.press("tab", "question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        help_text = app.screen.markdown
        assert "| F5 | Evaluate the expression in the editor |" in help_text and "| ctrl+q | Quit |" in help_text
        assert help_text.count("| F9 |") == 1
        await pilot.press("escape", "f1")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("f1")
        await pilot.pause()
        assert len(app.screen_stack) == 1


async def test_command_palette_runs_actions(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Zero gradients")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.workbench.log[-1] == {"do": "zero_grad"}
        assert app.workbench.output.grad == 0


async def test_a_selection_made_by_the_workbench_is_revealed_in_the_tree(app):
    app.workbench.select("b")  # as a replayed session does: deep in the graph, below shared nodes
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        tree = app.query_one("#graph-tree")
        assert tree.cursor_node.data.value is app.workbench.find("b")
        assert str(app.query_one("#inspector").content).startswith("b   op leaf")


async def test_save_after_evaluating_records_the_start_and_replays(app, tmp_path):
    """Saving after an edit must work: the session starts from the app's first state, then the evaluate."""
    from textual.widgets import Input

    from tui import session
    from tui.screens.session_files import SaveSessionScreen

    async with app.run_test(size=SIZE) as pilot:
        await type_program(pilot, "x = Value(3.0)\ny = x*(x+1)\ny.backward()")
        await pilot.press("f5", "f8")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        save = app.screen
        assert isinstance(save, SaveSessionScreen)
        save.query_one("#file", Input).value = str(tmp_path / "edited")
        await pilot.click("#save")
        await pilot.pause()
        assert not app.workbench.dirty, list(app.notes)
    saved = session.load(tmp_path / "edited.json")
    assert saved.expression == DEFAULT_EXPRESSION  # the start, not the edit
    assert [a["do"] for a in saved.actions] == ["evaluate", "step"]
    report = replay(saved)
    assert report.ok, report
