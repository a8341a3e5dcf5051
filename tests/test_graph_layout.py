"""The picture's layout (micrograd/graph_layout.py): draw_dot's shape on a character grid."""

from __future__ import annotations

from micrograd import graph
from micrograd.engine import Value
from micrograd.expression import evaluate
from micrograd.graph_layout import BOX_HEIGHT, layout, render_text
from tui.workbench import DEFAULT_EXPRESSION


def readme_picture():
    program = evaluate(DEFAULT_EXPRESSION)
    root = program.output
    return root, layout(root, graph.node_names(root))


def test_every_value_is_drawn_once_as_a_box_with_name_data_and_grad():
    root, picture = readme_picture()
    names = graph.node_names(root)
    assert len(picture.boxes) == len(names)  # shared nodes (a, b used many times) once each
    text = render_text(picture).splitlines()
    for box in picture.boxes:
        middle = text[box.port_row][box.x : box.x + box.width]
        cells = [cell.strip() for cell in middle.strip("│").split("│")]
        assert cells == [names[box.value], f"{box.value.data:.4f}", f"{box.value.grad:.4f}"]


def test_boxes_never_overlap_and_operands_sit_left_of_their_results():
    root, picture = readme_picture()
    cells = set()
    for box in picture.boxes:
        here = {(x, y) for x in range(box.x, box.x + box.width) for y in range(box.y, box.y + BOX_HEIGHT)}
        assert not cells & here
        cells |= here
        for child in box.value.children:
            assert picture.box(child).x + picture.box(child).width < box.x
    assert picture.box(root).x == max(b.x for b in picture.boxes)  # the output is rightmost


def test_an_op_node_sits_before_each_computed_value_with_an_arrow():
    root, picture = readme_picture()
    ops = {id(op.value): op for op in picture.ops}
    for box in picture.boxes:
        if box.value.children:
            op = ops[id(box.value)]
            assert op.text == f"({box.value.op})" and op.y == box.port_row
            assert picture.rows[op.y][op.x + len(op.text) : box.x] == "─▶"
        else:
            assert id(box.value) not in ops


def test_every_operand_edge_is_a_connected_line_into_the_op():
    """Follow the line characters from each operand's box: they must reach the op of every user.
    (A crossing ┼ is walked in all four directions, so this checks that lines connect, not which one.)"""
    root, picture = readme_picture()
    rows = picture.rows
    connects = {
        "─": "lr",
        "│": "ud",
        "╭": "rd",
        "╮": "ld",
        "╰": "ur",
        "╯": "ul",
        "├": "udr",
        "┤": "udl",
        "┬": "lrd",
        "┴": "lru",
        "┼": "udlr",
        "▶": "lr",
    }
    step = {"l": (-1, 0), "r": (1, 0), "u": (0, -1), "d": (0, 1)}
    opposite = {"l": "r", "r": "l", "u": "d", "d": "u"}
    ops = {(op.x - 1, op.y): op.value for op in picture.ops}  # the arrow cell in front of each op
    for box in picture.boxes:
        if not picture.users(box.value):
            continue  # the output: nothing to its right
        start = (box.x + box.width, box.port_row)
        seen, stack, reached = {start}, [start], set()
        while stack:
            x, y = stack.pop()
            if (x, y) in ops:
                reached.add(id(ops[(x, y)]))
            for d in connects.get(rows[y][x], ""):
                nx, ny = x + step[d][0], y + step[d][1]
                if (
                    0 <= ny < len(rows)
                    and 0 <= nx < len(rows[ny])
                    and (nx, ny) not in seen
                    and opposite[d] in connects.get(rows[ny][nx], "")
                ):
                    seen.add((nx, ny))
                    stack.append((nx, ny))
        users = {id(u) for u in picture.users(box.value)}
        assert users <= reached, names_missing(box, users - reached)


def names_missing(box, missing) -> str:
    return f"{box.name}: no line to {len(missing)} of its users"


def test_users_lead_right_and_a_leaf_graph_is_one_box():
    a = Value(2.0, label="a")
    picture = layout(a, {a: "a"})
    assert len(picture.boxes) == 1 and not picture.ops and picture.height == BOX_HEIGHT
    b = Value(3.0, label="b")
    c = a * b + a
    c.label = "c"
    picture = layout(c, graph.node_names(c))
    assert [v.label for v in picture.users(a)] == sorted(
        ["c", ""], key=lambda s: picture.box(next(v for v in (c, c.children[0]) if v.label == s)).y
    )


def test_pending_numbers_render_as_pending():
    root, picture = readme_picture()
    text = render_text(picture, numbers=lambda v: (v.data, None if v.children else v.grad))
    assert "pending" in text and f"{root.data:.4f}" in text
