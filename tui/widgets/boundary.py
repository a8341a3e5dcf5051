"""The decision boundary: the model's predicted class over the data's plane, with the data points on top.

Each character cell shows two grid rows with a half block ("▀": foreground = upper, background = lower), so a
60x10 pane is a 60x20 picture. Points are drawn as "●" (class 0 "○") in a strong version of their class colour.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

# Region colours (dim) and point colours (bright) per class; the palette reads on dark and light themes.
REGION = ["#1d3557", "#5c1a1a", "#1e4d2b", "#4a3b00", "#3b1f4d"]
POINT = ["#8ecae6", "#ff8c8c", "#8fe388", "#ffd166", "#d0a2f7"]
MARKS = ["○", "●", "◆", "▲", "■"]


class DecisionBoundary(Widget):
    """Call `show(grid, bounds, X, y)`: grid[row][col] = class, row 0 at the top (largest y).

    A click posts `Clicked` with the data coordinates under the mouse (the app traces the nearest point);
    `traced` is the index of the point drawn as "✚".
    """

    class Clicked(Message):
        def __init__(self, position: tuple[float, float]) -> None:
            super().__init__()
            self.position = position

    DEFAULT_CSS = "DecisionBoundary { width: 1fr; height: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.grid: list[list[int]] | None = None
        self.bounds = (0.0, 1.0, 0.0, 1.0)
        self.points: list[tuple[float, float, int]] = []
        self.message = "press F4 after training to see the decision boundary"
        self.traced: int | None = None

    def grid_size(self) -> tuple[int, int]:
        """(columns, rows) of grid the current widget size shows at full resolution."""
        return max(self.size.width, 2), max(self.size.height * 2, 2)

    def show(self, grid, bounds, X, y) -> None:
        self.grid = [list(map(int, row)) for row in grid]
        self.bounds = tuple(float(b) for b in bounds)
        self.points = [(float(p[0]), float(p[1]), int(label)) for p, label in zip(X, y)]
        self.message = ""
        self.refresh()

    def show_message(self, message: str) -> None:
        self.grid, self.message = None, message
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def _point_cells(self, width: int, height: int) -> dict[tuple[int, int], tuple[int, str]]:
        xmin, xmax, ymin, ymax = self.bounds
        cells = {}
        for i, (px, py, label) in enumerate(self.points):
            col = int((px - xmin) / (xmax - xmin or 1.0) * (width - 1) + 0.5)
            row = int((ymax - py) / (ymax - ymin or 1.0) * (height - 1) + 0.5)
            if 0 <= col < width and 0 <= row < height and cells.get((col, row), (0, ""))[1] != "✚":
                cells[(col, row)] = (label, "✚" if i == self.traced else MARKS[label % len(MARKS)])
        return cells

    def position_at(self, col: int, row: int) -> tuple[float, float]:
        """The data coordinates a cell stands for (the inverse of where `_point_cells` draws a point)."""
        xmin, xmax, ymin, ymax = self.bounds
        width, height = max(self.size.width, 2), max(self.size.height, 2)
        return xmin + col / (width - 1) * (xmax - xmin), ymax - row / (height - 1) * (ymax - ymin)

    def on_click(self, event: events.Click) -> None:
        if self.grid is not None:
            self.post_message(self.Clicked(self.position_at(event.x, event.y)))

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
        for x in range(width):
            gx = min(x * cols // width, cols - 1)
            upper = self.grid[min((2 * y) * rows // (2 * self.size.height), rows - 1)][gx]
            lower = self.grid[min((2 * y + 1) * rows // (2 * self.size.height), rows - 1)][gx]
            point = points.get((x, y))
            if point is not None:
                label, mark = point
                style = Style(color=POINT[label % len(POINT)], bgcolor=REGION[upper % len(REGION)], bold=True)
                segments.append(Segment(mark, style))
            else:
                style = Style(color=REGION[upper % len(REGION)], bgcolor=REGION[lower % len(REGION)])
                segments.append(Segment("▀", style))
        return Strip(segments)
