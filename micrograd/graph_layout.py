"""A left-to-right text drawing of a `Value` graph, recognisable as micrograd's draw_dot.

draw_dot draws a record box per value (``label | data | grad``), an oval per operation between its operands
and its result, and arrows, left to right. This module lays the same picture out on a character grid:

    ╭───┬─────────┬────────╮          ╭──────────┬─────────┬────────╮
    │ a │ -4.0000 │ 1.0000 ├───╮      │ a * b    │ -8.0000 │ 1.0000 │
    ╰───┴─────────┴────────╯   ├─▶(*)─▶
    ...

It is a small Sugiyama layout (layers, crossing reduction, coordinates, edge routing), written here rather
than taken from grandalf: grandalf (last release 2023) places nodes at real-valued coordinates and routes
edges as splines, which a character grid would have to re-snap and re-route anyway, and for the graphs the
picture is for (up to a few hundred nodes) the four steps below are about 200 lines we can test directly.

1. Layers: a node sits one layer left of its leftmost user ("as late as possible"), so a constant sits next
   to the operation that uses it; each op node sits between its operands and its result. An edge spanning
   several layers passes through a dummy node in each (drawn as a plain line).
2. Order in a layer: first-visit order from the output, then barycenter sweeps to cut edge crossings.
3. Rows: each layer's nodes go as close as possible (least squares) to the rows of their neighbours, keeping
   their order and a blank row between boxes (pool-adjacent-violators, exact and linear).
4. Edges: in the gap after each layer every source gets its own vertical channel; lines are drawn as
   direction bits per cell and turned into box-drawing characters at the end (so crossings read ┼).

UI-free: the app's widget (tui/widgets/graph_picture.py) fills in the numbers and colours; `render_text`
gives the plain picture (tests, benchmark). Numbers change without a new layout: every number field has a
fixed width.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from micrograd.engine import Value
from micrograd.graph import huge_int_text

MAX_PICTURE_NODES = 500  # values; past this the picture is too big to read and the app offers the tree
NUMBER_WIDTH = 8  # characters per data / grad field ("-24.7041", "645.5773", "pending")
BOX_HEIGHT = 3
ROW_GAP = 1  # blank rows between two boxes in a column

UP, RIGHT, DOWN, LEFT = 1, 2, 4, 8
_LINE_CHARS = {
    0: " ",
    RIGHT: "─",
    LEFT: "─",
    RIGHT | LEFT: "─",
    UP: "│",
    DOWN: "│",
    UP | DOWN: "│",
    RIGHT | DOWN: "╭",
    LEFT | DOWN: "╮",
    UP | RIGHT: "╰",
    UP | LEFT: "╯",
    UP | DOWN | RIGHT: "├",
    UP | DOWN | LEFT: "┤",
    LEFT | RIGHT | DOWN: "┬",
    LEFT | RIGHT | UP: "┴",
    UP | DOWN | LEFT | RIGHT: "┼",
}


def number_text(x) -> str:
    """A number in at most NUMBER_WIDTH characters: four decimals like draw_dot when they fit."""
    if x is None:
        return ""
    if (huge := huge_int_text(x)) is not None:
        short = huge.replace(huge[huge.index(".") : huge.index("e")], "")  # 2.0e+5000 -> 2e+5000
        return next((text for text in (huge, short) if len(text) <= NUMBER_WIDTH), "±big")
    x = float(x)
    for text in (f"{x:.4f}", f"{x:.3f}", f"{x:.2f}", f"{x:.1f}", f"{x:.2g}", f"{x:.1e}", f"{x:.0e}"):
        if len(text) <= NUMBER_WIDTH:
            return text
    return "±big"


@dataclass
class Box:
    """Where one value's record box is drawn: ``│ name │ data │ grad │`` on the middle of three rows."""

    value: Value
    layer: int
    x: int
    y: int  # top row
    width: int
    name: str

    @property
    def port_row(self) -> int:
        return self.y + 1

    @property
    def data_x(self) -> int:  # first column of the data field (right-aligned inside NUMBER_WIDTH)
        return self.x + len(self.name) + 5

    @property
    def grad_x(self) -> int:
        return self.data_x + NUMBER_WIDTH + 3


@dataclass
class OpMark:
    """The operation node between a value's operands and the value: ``(*)``."""

    value: Value  # the result it produces
    x: int
    y: int
    text: str


@dataclass
class Picture:
    width: int
    height: int
    rows: list[str]  # the drawing with every number field blank
    boxes: list[Box]
    ops: list[OpMark]
    columns: list[list[Box]] = field(default_factory=list)  # boxes per value layer, top to bottom
    _by_value: dict[int, Box] = field(default_factory=dict)
    _users: dict[int, list[Value]] = field(default_factory=dict)

    def box(self, value: Value) -> Box | None:
        return self._by_value.get(id(value))

    def users(self, value: Value) -> list[Value]:
        """The values computed from `value`, top to bottom (where → leads)."""
        return self._users.get(id(value), [])

    def box_at(self, x: int, y: int) -> Box | None:
        return next((b for b in self.boxes if b.x <= x < b.x + b.width and b.y <= y < b.y + BOX_HEIGHT), None)


class _Node:
    """A node of the layered graph: a value box, an op mark, or a dummy on a long edge."""

    __slots__ = ("height", "ins", "kind", "layer", "order", "outs", "port", "value", "width", "x", "y")

    def __init__(self, kind: str, value: Value | None, width: int, height: int, port: int):
        self.kind, self.value = kind, value
        self.layer = self.order = self.y = self.x = 0
        self.width, self.height, self.port = width, height, port
        self.ins: list[_Node] = []  # left neighbours (operands side)
        self.outs: list[_Node] = []  # right neighbours (users side)


def box_width(name: str) -> int:
    return len(name) + 2 * NUMBER_WIDTH + 10


def op_width(value: Value) -> int:
    """Columns of the ``(op)─▶`` in front of a computed value's box (none for a leaf)."""
    return len(value.op) + 4 if value.children else 0


def layout(root: Value, names: dict[Value, str]) -> Picture:
    """Lay out the graph of `root`, each value named by `names` (graph.node_names)."""
    nodes, edges = _build(root, names)
    _assign_layers(nodes, edges)
    nodes, edges = _split_long_edges(nodes, edges)
    layers = _order(nodes)
    _place_rows(layers)
    return _draw(layers, names)


# ---- 1. the layered graph ------------------------------------------------------------------------------


def _build(root: Value, names) -> tuple[list[_Node], list[tuple[_Node, _Node]]]:
    order: list[Value] = []  # first visit from the output, operands in order: the initial vertical order
    seen: set[int] = set()
    stack = [root]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        order.append(value)
        stack.extend(reversed(value.children))
    box: dict[int, _Node] = {}
    nodes: list[_Node] = []
    for value in order:  # a value with an op is drawn "(op)─▶" + its box: the op node right before its result
        node = _Node("value", value, op_width(value) + box_width(names[value]), BOX_HEIGHT, 1)
        box[id(value)] = node
        nodes.append(node)
    edges: list[tuple[_Node, _Node]] = []
    for value in order:
        done: set[int] = set()
        for child in value.children:  # a * a: one line, drawn once
            if id(child) not in done:
                done.add(id(child))
                edges.append((box[id(child)], box[id(value)]))
    for source, target in edges:
        source.outs.append(target)
        target.ins.append(source)
    return nodes, edges


def _assign_layers(nodes: list[_Node], edges) -> None:
    """Output in the last layer; every other node one layer left of its leftmost user."""
    # Longest path to the output, from the users' side: process a node once all its users have a layer.
    waiting = {id(n): len(n.outs) for n in nodes}
    depth = {id(n): 0 for n in nodes}
    ready = [n for n in nodes if not n.outs]
    while ready:
        node = ready.pop()
        for source in node.ins:
            depth[id(source)] = max(depth[id(source)], depth[id(node)] + 1)
            waiting[id(source)] -= 1
            if waiting[id(source)] == 0:
                ready.append(source)
    deepest = max(depth.values())
    for node in nodes:
        node.layer = deepest - depth[id(node)]


def _split_long_edges(nodes, edges):
    for node in nodes:
        node.ins, node.outs = [], []
    all_nodes = list(nodes)
    short = []
    for source, target in edges:
        previous = source
        for layer in range(source.layer + 1, target.layer):
            dummy = _Node("dummy", None, 1, 1, 0)
            dummy.layer = layer
            all_nodes.append(dummy)
            short.append((previous, dummy))
            previous = dummy
        short.append((previous, target))
    for source, target in short:
        source.outs.append(target)
        target.ins.append(source)
    return all_nodes, short


# ---- 2. order within layers ---------------------------------------------------------------------------


def _order(nodes: list[_Node], sweeps: int = 4) -> list[list[_Node]]:
    count = max(n.layer for n in nodes) + 1
    layers: list[list[_Node]] = [[] for _ in range(count)]
    for node in nodes:  # creation order: values in first-visit order from the output, then ops and dummies
        layers[node.layer].append(node)
    # Start from the output: each layer ordered by its users' order (a stable sort keeps first-visit order).
    for i in range(count - 1, -1, -1):
        _renumber(layers[i])
        if i > 0:
            layers[i - 1].sort(key=lambda n: _barycenter(n.outs, n.order))
    for sweep in range(sweeps):
        indices = range(1, count) if sweep % 2 == 0 else range(count - 2, -1, -1)
        for i in indices:
            layers[i].sort(key=lambda n: _barycenter(n.ins if sweep % 2 == 0 else n.outs, n.order))
            _renumber(layers[i])
    return layers


def _renumber(layer: list[_Node]) -> None:
    for k, node in enumerate(layer):
        node.order = k


def _barycenter(neighbours: list[_Node], default: int) -> float:
    return sum(n.order for n in neighbours) / len(neighbours) if neighbours else default


# ---- 3. rows --------------------------------------------------------------------------------------------


def _place_rows(layers: list[list[_Node]], sweeps: int = 4) -> None:
    for layer in layers:  # stacked, as a start
        _stack(layer, [0.0] * len(layer))
    for sweep in range(sweeps):
        indices = range(len(layers) - 2, -1, -1) if sweep % 2 == 0 else range(1, len(layers))
        for i in indices:
            layer = layers[i]
            wanted = []
            for node in layer:
                near = node.outs + node.ins if sweep > 0 else node.outs
                ports = [n.y + n.port for n in near]
                wanted.append(sum(ports) / len(ports) - node.port if ports else node.y)
            _stack(layer, wanted)
    top = min(node.y for layer in layers for node in layer)
    for layer in layers:
        for node in layer:
            node.y -= top


def _stack(layer: list[_Node], wanted: list[float]) -> None:
    """Rows as close as possible to `wanted` (least squares), in order, without overlapping.

    With offsets o_k (the room the nodes above k need), y_k = o_k + z_k where z must be non-decreasing:
    the isotonic regression of wanted_k - o_k, by pool-adjacent-violators.
    """
    offsets, room = [], 0
    for node in layer:
        offsets.append(room)
        room += node.height + ROW_GAP
    blocks: list[list[float]] = []  # [sum, count]
    for target, offset in zip(wanted, offsets):
        blocks.append([target - offset, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    k = 0
    for total, count in blocks:
        z = round(total / count)
        for _ in range(count):
            layer[k].y = offsets[k] + z
            k += 1


# ---- 4. columns, edges and characters ------------------------------------------------------------------


def _draw(layers: list[list[_Node]], names) -> Picture:
    gaps = []
    for layer in layers[:-1]:
        sources = sum(1 for node in layer if node.outs)
        gaps.append(max(3, sources + 3))
    x = 0
    for i, layer in enumerate(layers):
        column = max(node.width for node in layer)
        for node in layer:
            node.x = x
            if node.kind == "dummy":
                node.width = column
        x += column + (gaps[i] if i < len(gaps) else 0)
    width = x
    height = max(node.y + node.height for layer in layers for node in layer)
    masks = [[0] * width for _ in range(height)]
    chars: list[list[str | None]] = [[None] * width for _ in range(height)]
    arrows: list[tuple[int, int]] = []

    def horizontal(y: int, x1: int, x2: int) -> None:
        lo, hi = min(x1, x2), max(x1, x2)
        row = masks[y]
        for cx in range(lo, hi):
            row[cx] |= RIGHT
            row[cx + 1] |= LEFT

    def vertical(cx: int, y1: int, y2: int) -> None:
        lo, hi = min(y1, y2), max(y1, y2)
        for cy in range(lo, hi):
            masks[cy][cx] |= DOWN
            masks[cy + 1][cx] |= UP

    for _i, layer in enumerate(layers[:-1]):
        column_end = layer[0].x + max(node.width for node in layer)
        channel = column_end + 1
        for source in sorted((n for n in layer if n.outs), key=lambda n: n.y + n.port):
            sy = source.y + source.port
            start = source.x + source.width
            masks[sy][start] |= LEFT
            straight = all(t.y + t.port == sy for t in source.outs)
            if not straight:
                horizontal(sy, start, channel)
            for target in source.outs:
                ty = target.y + target.port
                entry = target.x - 1
                if straight:
                    horizontal(sy, start, entry)
                else:
                    vertical(channel, sy, ty)
                    horizontal(ty, channel, entry)
                masks[ty][entry] |= RIGHT
                if target.kind != "dummy":
                    arrows.append((entry, ty))
            if not straight:
                channel += 1

    boxes: list[Box] = []
    ops: list[OpMark] = []
    columns: list[list[Box]] = []
    for layer in layers:
        column_boxes = []
        for node in layer:
            if node.kind == "dummy":
                horizontal(node.y, node.x - 1, node.x + node.width)
                continue
            prefix = op_width(node.value)
            if prefix:
                text = f"({node.value.op})─▶"
                for k, ch in enumerate(text):
                    chars[node.y + 1][node.x + k] = ch
                ops.append(OpMark(node.value, node.x, node.y + 1, text[:-2]))
            if True:
                name = names[node.value]
                box = Box(node.value, node.layer, node.x + prefix, node.y, node.width - prefix, name)
                for k, line in enumerate(_box_lines(name)):
                    for j, ch in enumerate(line):
                        chars[node.y + k][box.x + j] = ch
                boxes.append(box)
                column_boxes.append(box)
        if column_boxes:
            columns.append(sorted(column_boxes, key=lambda b: b.y))
    for ax, ay in arrows:
        chars[ay][ax] = "▶"
    rows = []
    for y in range(height):
        rows.append("".join(ch if ch is not None else _LINE_CHARS[masks[y][x]] for x, ch in enumerate(chars[y])))
    picture = Picture(width, height, rows, boxes, ops, columns)
    picture._by_value = {id(b.value): b for b in boxes}
    for b in boxes:
        for child in b.value.children:
            users = picture._users.setdefault(id(child), [])
            if all(u is not b.value for u in users):
                users.append(b.value)
    for users in picture._users.values():
        users.sort(key=lambda v: picture._by_value[id(v)].y)
    return picture


def _box_lines(name: str) -> tuple[str, str, str]:
    bar = "─" * (NUMBER_WIDTH + 2)
    top = f"╭{'─' * (len(name) + 2)}┬{bar}┬{bar}╮"
    middle = f"│ {name} │ {' ' * NUMBER_WIDTH} │ {' ' * NUMBER_WIDTH} │"
    bottom = f"╰{'─' * (len(name) + 2)}┴{bar}┴{bar}╯"
    return top, middle, bottom


def render_text(picture: Picture, numbers=None) -> str:
    """The whole picture as plain text, each box's data and grad filled in (`numbers(value)` -> (data, grad),
    default: the values' own)."""
    rows = [list(row) for row in picture.rows]
    for box in picture.boxes:
        data, grad = numbers(box.value) if numbers is not None else (box.value.data, box.value.grad)
        for x0, x in ((box.data_x, data), (box.grad_x, grad)):
            text = number_text(x) if x is not None else "pending"
            text = text.rjust(NUMBER_WIDTH)
            rows[box.port_row][x0 : x0 + NUMBER_WIDTH] = list(text)
    return "\n".join("".join(row).rstrip() for row in rows)
