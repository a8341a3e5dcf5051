"""The expression editor: a TextArea and, under it, the line that shows the last evaluation error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from tui.plain import shown


def _python_highlighting() -> str | None:
    """ "python" when tree-sitter highlighting is installed (textual[syntax]), else None for plain text."""
    try:
        from textual._tree_sitter import get_language
    except ImportError:
        return None
    return "python" if get_language("python") is not None else None


class ExpressionEditor(Vertical):
    """Never rewrites the user's text: errors are shown beside it and only move the cursor."""

    def __init__(self, text: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._initial = text

    def compose(self) -> ComposeResult:
        # tab_behavior="focus": Tab moves to the next pane, as everywhere else in the app.
        yield TextArea(
            self._initial,
            language=_python_highlighting(),
            tab_behavior="focus",
            show_line_numbers=True,
            id="editor-text",
        )
        yield Static("", id="editor-error", markup=False)

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def text(self) -> str:
        return self.text_area.text

    @property
    def error_text(self) -> str:
        return str(self.query_one("#editor-error", Static).content)

    def set_text(self, text: str) -> None:
        if text != self.text_area.text:
            self.text_area.load_text(text)

    def show_error(self, error) -> None:
        """Show "line L, col C: ..." under the editor and put the cursor on that spot."""
        self.query_one("#editor-error", Static).update(shown(error, lines=True))  # it may quote the user's text
        self.add_class("-error")
        line = getattr(error, "line", None)
        col = getattr(error, "col", None)
        if line is not None and col is not None:
            self.text_area.cursor_location = (max(line - 1, 0), max(col - 1, 0))

    def show_progress(self, message: str) -> None:
        """A long evaluation running off the UI thread: the line under the editor says how far it is."""
        self.query_one("#editor-error", Static).update(message)
        self.remove_class("-error")

    def show_ok(self, message: str) -> None:
        self.query_one("#editor-error", Static).update(shown(message, lines=True))  # it names the output's label
        self.remove_class("-error")
