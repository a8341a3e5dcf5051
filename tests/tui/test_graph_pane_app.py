"""The graph pane (issue 12): names from the source, the picture mode, a tree that keeps its shape, network
groups, a stale mark after a failed evaluation, and every size (maximize, 80x24)."""

from __future__ import annotations

import pytest

from micrograd.graph_layout import NUMBER_WIDTH, number_text
from tests.tui.conftest import SIZE, screen_text, set_program, tree_lines
from tui.widgets.graph_tree import OPEN_LIMIT


async def test_the_readme_expression_opens_fully_expanded_with_source_names(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = tree_lines(app)
        assert len(lines) > 30 and len(app.query_one("#graph-tree").names) <= OPEN_LIMIT  # no Enter needed
        assert any(line.startswith("10.0 / f *") for line in lines)  # was "#37"
        assert any(line.startswith("b**3 **3") for line in lines)
        assert any(line.startswith("(b + a).relu() ReLU") for line in lines)
        assert not any(line.lstrip("↪ ").startswith("#") for line in lines)


async def test_grads_sit_in_fixed_right_aligned_columns_at_80x24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+down")  # the tree
        for _ in range(8):
            await pilot.press("down")
        await pilot.pause()
        tree = app.query_one("#graph-tree")
        screen = screen_text(app).splitlines()
        region = tree.scrollable_content_region  # without the scrollbar
        rows = screen[region.y : region.y + region.height]
        shown = [row[region.x : region.x + region.width] for row in rows if row[region.x :].strip()]
        assert len(shown) >= 5
        for line, row in zip(tree_lines(app)[int(tree.scroll_y) :], shown):
            grad = line.rsplit("grad ", 1)[1]
            assert row.rstrip().endswith(grad), (row, line)  # every visible line keeps its grad, right-aligned
        ends = {len(row.rstrip()) for row in shown}
        assert len(ends) == 1  # one column edge for every line


async def test_picture_mode_draws_boxes_and_the_cursor_follows_edges(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+down", "v")
        await pilot.pause()
        pane = app.query_one("#graph-pane")
        picture = app.query_one("#graph-picture")
        assert pane.view == "picture" and picture.display and app.focused is picture
        g = app.workbench.output
        assert picture.cursor is g
        text = screen_text(app)
        assert f"│ g │ {number_text(g.data).rjust(NUMBER_WIDTH)} │ {number_text(g.grad).rjust(NUMBER_WIDTH)} │" in text
        assert "(+)─▶" in text
        await pilot.press("left")  # to an operand of g
        await pilot.pause()
        assert picture.cursor in g.children
        assert str(app.query_one("#inspector").render()).startswith(pane.names[picture.cursor])
        operand = picture.cursor
        await pilot.press("right")  # back along the edge to a user: g
        await pilot.pause()
        assert picture.cursor is g and operand in g.children
        await pilot.press("left", "down")
        await pilot.pause()
        assert picture.cursor in g.children and picture.cursor is not operand  # the other operand, below
        await pilot.press("enter")
        await pilot.pause()
        assert app.workbench.log[-1] == {"do": "select", "label": pane.names[picture.cursor]}
        await pilot.press("v")  # back to the tree, on the same node
        await pilot.pause()
        assert pane.view == "tree" and app.query_one("#graph-tree").selected_value() is picture.cursor


async def test_the_stepper_walks_the_readme_expression_in_picture_mode(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+down", "v", "ctrl+b")
        await pilot.pause()
        picture = app.query_one("#graph-picture")
        state = app.workbench.stepping
        a = app.workbench.find("a")
        assert picture.numbers(a)[1] is None  # pending in the picture as in the tree
        assert "pending" in screen_text(app) or picture.picture.box(a) is not None
        for step in range(1, state.total + 1):
            await pilot.press("right")
            await pilot.pause()
            current = app.workbench.stepping.stepper.current.node
            assert app.workbench.stepping.position == step
            assert picture.cursor is current  # the picture follows the stepper's node
            assert picture.stepping.is_current(current)
        assert picture.numbers(a)[1] == pytest.approx(138.83381924198252)  # micrograd's README


async def test_expansion_and_cursor_survive_a_new_evaluation_of_a_big_graph(app):
    chain = "x = Value(0.5)\n" + "".join(f"x = x * 1.01 + {k}\n" for k in range(40))  # > OPEN_LIMIT nodes
    async with app.run_test(size=SIZE) as pilot:
        set_program(app, chain)
        await pilot.press("f5")
        await pilot.pause()
        tree = app.query_one("#graph-tree")
        assert tree.size_of_graph > OPEN_LIMIT and len(tree_lines(app)) < 10  # a big graph opens closed
        await pilot.press("ctrl+down", "down", "enter", "down", "enter", "down")
        await pilot.pause()
        before_lines, before_cursor = tree_lines(app), tree.names[tree.selected_value()]
        set_program(app, chain.replace("0.5", "0.25"))
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert len(tree_lines(app)) == len(before_lines)  # the same branches open
        assert tree.names[tree.selected_value()] == before_cursor
        assert tree_lines(app) != before_lines  # new numbers


async def test_a_failed_evaluation_marks_the_graph_as_the_last_good_one(app):
    async with app.run_test(size=SIZE) as pilot:
        set_program(app, "a = Value(1.0)\nb = a +")
        await pilot.press("f5")
        await pilot.pause()
        pane = app.query_one("#graph-pane")
        assert pane.stale and "last good" in pane.border_title and pane.has_class("-stale")
        set_program(app, "a = Value(1.0)\nb = a * 2")
        await pilot.press("f5")
        await pilot.pause()
        assert not pane.stale and "last good" not in pane.border_title


async def test_the_training_graph_is_grouped_by_sample_layer_and_neuron(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g", "ctrl+down", "down", "enter", "down", "enter")
        await pilot.pause()
        lines = tree_lines(app)
        assert any(line.startswith("Σ 100 samples +") for line in lines)
        assert [line.split()[1] for line in lines if line.startswith("sample ")] == [str(i) for i in range(100)]
        tree = app.query_one("#graph-tree")
        sample7 = next(
            node for node in tree.root.children[0].children[0].children if node.label.plain.startswith("sample 7 ")
        )
        tree._fill(sample7)
        layers = [child.label.plain for child in sample7.children][:3]  # then the sample's own loss operands
        assert layers == ["layer 1 · 16 neurons", "layer 2 · 16 neurons", "layer 3 · 1 neuron"]
        layer2 = sample7.children[1]
        tree._fill(layer2)
        neuron3 = layer2.children[3]
        value = neuron3.data.value
        assert neuron3.label.plain.startswith("L2.n3 ReLU") and value.op == "ReLU"
        # its operand is the neuron's w·x + b, whose first operand is that neuron's bias in the model
        total = value.children[0]
        assert total.children[0] is app.workbench.model.layers[1].neurons[3].b
        assert tree.names[total] == "L2.n3 w·x+b"


async def test_f11_maximizes_the_focused_pane_and_restores_it(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+down", "f11")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#graph-pane")
        assert app.query_one("#graph-pane").outer_size.width == SIZE[0]
        await pilot.press("f11")
        await pilot.pause()
        assert app.screen.maximized is None


async def test_every_footer_key_is_readable_at_80x24(app):
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert footer.rstrip().endswith("^p Commands")  # nothing cut at the right edge
        for key in ("^q Quit", "f5 Eval", "f2 Backward", "f3 Zero", "f8 Step", "f9 Train", "f1 Help"):
            assert key in footer
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.pause()
        bar = app.query_one("#stepper-bar").region
        row = screen_text(app).splitlines()[bar.y][bar.x : bar.x + bar.width]
        assert "backward 0/" in row and row.rstrip().endswith("Esc")  # the bar's keys, none cut off
