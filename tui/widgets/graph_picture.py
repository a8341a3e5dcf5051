"""The graph pane's picture mode: the graph drawn left to right like micrograd's draw_dot.

The layout is micrograd/graph_layout.py's (no Textual there); this widget only scrolls it, fills in the
numbers (the stepper's, when it is on), colours the cursor's box and the stepper's current node, and moves
the cursor from box to box: ← to an operand, → to a value computed from this one, ↑/↓ to the box above or
below in the same column. The picture is drawn line by line (`render_line`), so a big one costs only what
is on screen.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from micrograd.engine import Value
from micrograd.graph_layout import BOX_HEIGHT, MAX_PICTURE_NODES, NUMBER_WIDTH, Box, Picture, layout, number_text

CURSOR = Style(bold=True, color="bright_white", bgcolor="dark_blue")
CURRENT = Style(bold=True, reverse=True)  # the stepper's node
FRAME = Style(color="grey62")
EDGE = Style(color="grey50")
OP = Style(italic=True, bold=True, color="yellow")
PENDING = Style(dim=True, italic=True)


class GraphPicture(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("left", "move('left')", "Operand", show=False),
        Binding("right", "move('right')", "User", show=False),
        Binding("up", "move('up')", "Box above", show=False),
        Binding("down", "move('down')", "Box below", show=False),
        Binding("enter", "choose", "Select", show=False),
        Binding("home", "to_output", "Output", show=False),
    ]

    class Moved(Message):
        """The cursor is on a new box (the inspector follows)."""

        def __init__(self, value: Value | None) -> None:
            super().__init__()
            self.value = value

    class Chosen(Message):
        """Enter on a box (as Enter on a tree line: select it, run its gradient check)."""

        def __init__(self, value: Value) -> None:
            super().__init__()
            self.value = value

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picture: Picture | None = None
        self.root: Value | None = None
        self.names: dict[Value, str] = {}
        self.cursor: Value | None = None
        self.stepping = None  # tui/stepping.py StepperState while the stepper is on
        self.message = "(no graph)"
        self.empty: str | None = None  # why there is no graph, when the host knows (GraphPane.show)
        self._rows: dict[int, list[Box]] = {}
        self._column_of: dict[int, list[Box]] = {}
        self._ops: dict[int, list] = {}  # row -> the op marks on it

    # ---- content ------------------------------------------------------------------------------------

    def show_graph(self, root: Value | None, names: dict[Value, str]) -> None:
        """Lay out `root`'s graph (keeps the cursor on the node of the same name, if there is one)."""
        old_cursor = self.names.get(self.cursor) if self.cursor is not None else None
        self.root, self.names, self.picture = root, names, None
        self._rows, self._column_of, self._ops = {}, {}, {}
        if root is None:
            self.message = f"({self.empty})" if self.empty else "(no graph: evaluate an expression that builds a Value)"
        elif len(names) > MAX_PICTURE_NODES:
            self.message = (
                f"This graph has {len(names):,} nodes; the picture draws up to {MAX_PICTURE_NODES}. "
                f"Press v for the tree."
            )
        else:
            self.picture = layout(root, names)
            for box in self.picture.boxes:
                for row in range(box.y, box.y + BOX_HEIGHT):
                    self._rows.setdefault(row, []).append(box)
            for op in self.picture.ops:
                self._ops.setdefault(op.y, []).append(op)
            for column in self.picture.columns:
                for box in column:
                    self._column_of[id(box.value)] = column
        if self.picture is None:
            self.cursor = None
            self.virtual_size = Size(len(self.message), 1)
        else:
            self.virtual_size = Size(self.picture.width, self.picture.height)
            by_name = {name: value for value, name in names.items()}
            self.cursor = by_name.get(old_cursor, root) if old_cursor is not None else root
            self.call_after_refresh(self._scroll_to_cursor)
        self.refresh()

    def refresh_values(self) -> None:
        self.refresh()

    def selected_value(self) -> Value | None:
        return self.cursor

    def focus_node(self, value: Value) -> bool:
        """Put the cursor on `value` and scroll to it; False if it is not in the picture."""
        if self.picture is None or self.picture.box(value) is None:
            return False
        self.cursor = value
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Moved(value))
        return True

    # ---- keys ----------------------------------------------------------------------------------------

    def action_move(self, direction: str) -> None:
        if self.picture is None or self.cursor is None:
            return
        here = self.picture.box(self.cursor)
        target = None
        if direction == "left":
            target = self._nearest(here, list(self.cursor.children))
        elif direction == "right":
            target = self._nearest(here, self.picture.users(self.cursor))
        else:
            column = self._column_of.get(id(self.cursor), [])
            k = next(i for i, box in enumerate(column) if box.value is self.cursor)
            k += -1 if direction == "up" else 1
            if 0 <= k < len(column):
                target = column[k].value
        if target is not None:
            self.focus_node(target)

    def action_to_output(self) -> None:
        if self.root is not None:
            self.focus_node(self.root)

    def action_choose(self) -> None:
        if self.cursor is not None:
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event) -> None:
        if self.picture is None:
            return
        x, y = event.x + int(self.scroll_x), event.y + int(self.scroll_y)
        box = self.picture.box_at(x, y)
        if box is not None:
            self.focus_node(box.value)

    def _nearest(self, here: Box | None, values: list[Value]) -> Value | None:
        """Of `values`, the one whose box is closest in rows to `here` (the first on a tie)."""
        boxes = [self.picture.box(v) for v in values]
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            return None
        row = here.y if here is not None else 0
        return min(boxes, key=lambda b: abs(b.y - row)).value

    def _scroll_to_cursor(self) -> None:
        box = self.picture.box(self.cursor) if self.picture is not None and self.cursor is not None else None
        if box is not None:
            self.scroll_to_region(
                Region(box.x, box.y, min(box.width, max(1, self.size.width - 2)), BOX_HEIGHT),
                animate=False,
                spacing=None,
            )

    # ---- drawing -------------------------------------------------------------------------------------

    def numbers(self, value: Value) -> tuple:
        return (value.data, value.grad) if self.stepping is None else self.stepping.numbers(value)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = scroll_y + y
        base = self.rich_style
        if self.picture is None:
            text = Text(self.message if row == 0 else "", style=Style(dim=True))
        elif row >= self.picture.height:
            return Strip.blank(width, base)
        else:
            text = self._row_text(row)
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        strip = strip.crop(scroll_x, scroll_x + width).extend_cell_length(width)
        return strip.apply_style(base)

    def _row_text(self, row: int) -> Text:
        chars = list(self.picture.rows[row])
        spans: list[tuple[int, int, Style]] = [(0, len(chars), EDGE)]
        for box in self._rows.get(row, ()):
            style = FRAME
            current = self.stepping is not None and self.stepping.is_current(box.value)
            if box.value is self.cursor:
                style = CURSOR
            elif current:
                style = CURRENT
            spans.append((box.x, box.x + box.width, style))
            if row == box.port_row:
                spans.append(
                    (
                        box.x + 2,
                        box.x + 2 + len(box.name),
                        style + Style(bold=True, color=None) if style is FRAME else style,
                    )
                )
                data, grad = self.numbers(box.value)
                for x0, x in ((box.data_x, data), (box.grad_x, grad)):
                    shown = number_text(x) if x is not None else "pending"
                    chars[x0 : x0 + NUMBER_WIDTH] = shown.rjust(NUMBER_WIDTH)
                    if x is None:
                        spans.append((x0, x0 + NUMBER_WIDTH, style + PENDING))
                    elif style is FRAME:
                        spans.append((x0, x0 + NUMBER_WIDTH, Style(color="white")))
        for op in self._ops.get(row, ()):
            spans.append((op.x, op.x + len(op.text), OP))
        text = Text("".join(chars))
        for start, end, style in spans:
            text.stylize(style, start, end)
        return text
