"""The decision boundary: the model's predicted class over the data's plane, with the data points on top --
or, for a regression set, the predicted value as a heatmap (blue negative, orange positive, as Playground).

Each character cell shows two grid rows with a half block ("▀": foreground = upper, background = lower), so a
60x10 pane is a 60x20 picture. Training points are filled marks in a strong version of their class colour
(● ■ ◆ ▲ ★ for classes 0-4), held-out test points the hollow ones (○ □ ◇ △ ☆); a regression point is coloured
by its target. In edit mode a cursor "┼" marks where a point would be added from the keyboard.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.plain import shown

# Region colours (dim) and point colours (bright) per class; the palette reads on dark and light themes.
REGION = ["#1d3557", "#5c1a1a", "#1e4d2b", "#4a3b00", "#3b1f4d"]
POINT = ["#8ecae6", "#ff8c8c", "#8fe388", "#ffd166", "#d0a2f7"]
MARKS = ["●", "■", "◆", "▲", "★"]
HOLLOW = ["○", "□", "◇", "△", "☆"]  # the same classes, held out for testing
NEGATIVE, ZERO, POSITIVE = (0x1F, 0x5F, 0xA8), (0x24, 0x24, 0x24), (0xE0, 0x7A, 0x10)  # the heatmap's ends


def heat(value: float, scale: float, bright: bool = False) -> str:
    """The heatmap colour of a value: from blue (-scale) through dark grey (0) to orange (+scale)."""
    t = max(-1.0, min(1.0, value / scale)) if scale > 0 else 0.0
    end = POSITIVE if t > 0 else NEGATIVE
    mix = [round(z + (e - z) * abs(t)) for z, e in zip(ZERO, end)]
    if bright:  # points: lifted towards white so they stand out on the region of the same sign
        mix = [round(c + (255 - c) * 0.45) for c in mix]
    return "#{:02x}{:02x}{:02x}".format(*mix)


class DecisionBoundary(Widget):
    """Call `show(grid, bounds, X, y)`: grid[row][col] = class, row 0 at the top (largest y).

    A click posts `Clicked` with the data coordinates under the mouse (the app traces the nearest point);
    `traced` is the index of the point drawn as "✚".
    """

    class Clicked(Message):
        def __init__(self, position: tuple[float, float]) -> None:
            super().__init__()
            self.position = position

    class EditClicked(Message):
        """A click in edit mode: add a point there, or (right button, or ctrl+click) remove the nearest."""

        def __init__(self, position: tuple[float, float], remove: bool) -> None:
            super().__init__()
            self.position, self.remove = position, remove

    DEFAULT_CSS = "DecisionBoundary { width: 1fr; height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.grid: list[list[int]] | None = None
        self.bounds = (0.0, 1.0, 0.0, 1.0)
        self.points: list[tuple[float, float, int]] = []
        self.message = "press F4 after training to see the decision boundary"
        self.traced: int | None = None
        self.values: list[list[float]] | None = None  # regression: predicted values (the grid is then unused)
        self.scale = 1.0  # |value| drawn at full colour
        self.held_out: list[bool] = []
        self.cursor: tuple[int, int] | None = None  # (col, row) in edit mode
        self.editing = False  # edit mode: clicks add and remove points instead of tracing them

    def grid_size(self) -> tuple[int, int]:
        """(columns, rows) of grid the current widget size shows at full resolution."""
        return max(self.size.width, 2), max(self.size.height * 2, 2)

    def show(self, grid, bounds, X, y, *, held_out=None, values=None) -> None:
        """`values` (rows like `grid`) makes it a regression heatmap; `held_out` marks test points hollow."""
        self.grid = [list(map(int, row)) for row in grid]
        self.bounds = tuple(float(b) for b in bounds)
        self.values = None if values is None else [list(map(float, row)) for row in values]
        if values is not None:  # one scale for regions and points, so equal colours mean equal numbers
            finite = [abs(v) for row in self.values for v in row if v == v and abs(v) != float("inf")]
            self.scale = max(finite + [abs(float(t)) for t in y] + [1e-12])
        self.points = [
            (float(p[0]), float(p[1]), float(label) if values is not None else int(label)) for p, label in zip(X, y)
        ]
        self.held_out = [bool(h) for h in held_out] if held_out is not None else [False] * len(self.points)
        self.message = ""
        self.refresh()

    def show_message(self, message: str) -> None:
        self.grid, self.message = None, shown(message)  # it may name an imported file
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def _point_cells(self, width: int, height: int) -> dict[tuple[int, int], tuple[float, str]]:
        xmin, xmax, ymin, ymax = self.bounds
        cells = {}
        for i, (px, py, label) in enumerate(self.points):
            col, row = self.cell_of(px, py, width, height)
            if 0 <= col < width and 0 <= row < height and cells.get((col, row), (0, ""))[1] != "✚":
                marks = HOLLOW if i < len(self.held_out) and self.held_out[i] else MARKS
                shape = marks[0] if self.values is not None else marks[int(label) % len(marks)]
                cells[(col, row)] = (label, "✚" if i == self.traced else shape)
        return cells

    def cell_of(self, px: float, py: float, width: int | None = None, height: int | None = None) -> tuple[int, int]:
        """The (col, row) cell a data point is drawn in."""
        xmin, xmax, ymin, ymax = self.bounds
        width = width or max(self.size.width, 2)
        height = height or max(self.size.height, 2)
        return (
            int((px - xmin) / (xmax - xmin or 1.0) * (width - 1) + 0.5),
            int((ymax - py) / (ymax - ymin or 1.0) * (height - 1) + 0.5),
        )

    def move_cursor(self, dx: int, dy: int) -> None:
        """Edit mode: move the cursor one cell (it starts in the middle), staying inside the picture."""
        width, height = max(self.size.width, 2), max(self.size.height, 2)
        col, row = self.cursor if self.cursor is not None else (width // 2, height // 2)
        self.cursor = (min(max(col + dx, 0), width - 1), min(max(row + dy, 0), height - 1))
        self.refresh()

    def cursor_position(self) -> tuple[float, float]:
        """The data coordinates under the cursor (placing it in the middle first, if it was not shown)."""
        if self.cursor is None:
            self.move_cursor(0, 0)
        return self.position_at(*self.cursor)

    def position_at(self, col: int, row: int) -> tuple[float, float]:
        """The data coordinates a cell stands for (the inverse of where `_point_cells` draws a point)."""
        xmin, xmax, ymin, ymax = self.bounds
        width, height = max(self.size.width, 2), max(self.size.height, 2)
        return xmin + col / (width - 1) * (xmax - xmin), ymax - row / (height - 1) * (ymax - ymin)

    def on_click(self, event: events.Click) -> None:
        if self.grid is None:
            return
        position = self.position_at(event.x, event.y)
        if self.editing:
            self.cursor = (event.x, event.y)
            self.post_message(self.EditClicked(position, remove=event.button == 3 or event.ctrl))
        else:
            self.post_message(self.Clicked(position))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.grid is None:
            text = self.message if y == 0 else ""
            return Strip([Segment(text[:width].ljust(width))])
        rows, cols = len(self.grid), len(self.grid[0]) if self.grid else 0
        if not rows or not cols:
            return Strip.blank(width)
        points = self._point_cells(width, self.size.height)
        segments = []
        upper_row = min((2 * y) * rows // (2 * self.size.height), rows - 1)
        lower_row = min((2 * y + 1) * rows // (2 * self.size.height), rows - 1)
        for x in range(width):
            gx = min(x * cols // width, cols - 1)
            upper, lower = self._region(upper_row, gx), self._region(lower_row, gx)
            point = points.get((x, y))
            if self.cursor == (x, y):
                segments.append(Segment("┼", Style(color="#ffffff", bgcolor=upper, bold=True)))
            elif point is not None:
                label, mark = point
                colour = (
                    heat(label, self.scale, bright=True) if self.values is not None else POINT[int(label) % len(POINT)]
                )
                segments.append(Segment(mark, Style(color=colour, bgcolor=upper, bold=True)))
            else:
                segments.append(Segment("▀", Style(color=upper, bgcolor=lower)))
        return Strip(segments)

    def _region(self, row: int, col: int) -> str:
        """The background colour of one grid point: its class's region, or its value's heat."""
        if self.values is not None:
            value = self.values[row][col]
            return heat(value if value == value else 0.0, self.scale)
        return REGION[self.grid[row][col] % len(REGION)]
