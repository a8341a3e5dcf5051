"""Helpers for the app's Pilot tests: a fixed terminal size, recorded notifications, tree text."""

from __future__ import annotations

import html
import re

import pytest

from tui.app import MicrogradApp

SIZE = (100, 30)


@pytest.fixture
def app():
    """The app with its notifications recorded in `app.notes` (message, severity)."""
    app = MicrogradApp()
    app.notes = []
    original = app.notify

    def notify(message, *args, **kwargs):
        app.notes.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    app.notify = notify
    yield app
    # The last-resort handler turns an unexpected exception into a notice (issue 11): a test that did not
    # expect one must still fail, so every app test checks that none was needed.
    assert not app.unexpected_errors, f"unexpected exceptions in the app: {app.unexpected_errors!r}"


def tree_lines(app) -> list[str]:
    """Every built line of the graph tree, depth-first, as plain text."""
    tree = app.query_one("#graph-tree")
    lines, stack = [], [tree.root]
    while stack:
        node = stack.pop()
        lines.append(tree.line_text(node))  # label, then the data and grad columns
        stack.extend(reversed(node.children))
    return lines


async def wait_for_training(app, pilot) -> None:
    """Until the training worker finished and its results were written back on the UI thread."""
    await app.workers.wait_for_complete()
    for _ in range(100):
        await pilot.pause()
        if app._run is None:
            return
    raise AssertionError("training did not finish")


async def expand_everything(app, pilot) -> None:
    """Open every branch (children are built as branches open, so repeat until nothing new appears)."""
    tree = app.query_one("#graph-tree")
    for _ in range(50):
        closed, stack = [], [tree.root]
        while stack:
            node = stack.pop()
            if node.allow_expand and not node.is_expanded:
                closed.append(node)
            stack.extend(node.children)
        if not closed:
            return
        for node in closed:
            node.expand()
        await pilot.pause()
    raise AssertionError("the tree kept growing")


def set_program(app, text: str) -> None:
    """Put text in the editor without typing it key by key (typing is tested once; it is slow)."""
    app.query_one("#editor-text").load_text(text)


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>'
)
_CELL_WIDTH = 12.2  # Textual's SVG export: 0.61 x its 20 px font size per terminal column


def screen_text(app) -> str:
    """The screen as plain text lines, rebuilt from `app.export_screenshot()`.

    The SVG holds one <text> per styled run, at its x position, and leaves out runs that are only spaces, so
    stripping the markup would glue words together; placing each run at its column gives back the screen.
    """
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for x, line, content in _SVG_TEXT.findall(app.export_screenshot()):
        row, col = int(line), round(float(x) / _CELL_WIDTH)
        for offset, char in enumerate(html.unescape(content).replace("\xa0", " ")):
            if row < height and col + offset < width:
                grid[row][col + offset] = char
    return "\n".join("".join(row).rstrip() for row in grid)
