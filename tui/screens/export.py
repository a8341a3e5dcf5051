"""The export screen (ctrl+l): the current graph as DOT, SVG or Mermaid, or the trained MLP as JSON weights or
a PyTorch script, written to a path in the working folder unless another is typed.

The screen never builds anything itself: the host hands it `produce(kind) -> str` (the workbench's
`export_text`), and it writes the text atomically (`tui.exports.write_atomic`). An existing file is replaced only
on a second Enter; any failure is one sentence inside the screen, which stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui import exports

VIEW_NAMES = {
    "expression": "the expression graph",
    "training": "the training-loss graph",
    "sample": "the traced sample's graph",
}


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Answers (kind, written path), or None when cancelled."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 80%; max-width: 90; height: auto; border: thick $primary;
                              background: $surface; padding: 0 1; }
    /* every kind in sight (the six, and the list's border), one line each, cut with "…" at 80 columns: a wrapped
       one pushed another out of sight */
    ExportScreen OptionList { height: auto; max-height: 8; text-wrap: nowrap; text-overflow: ellipsis; }
    ExportScreen #export-error { color: $error; height: auto; }
    ExportScreen Horizontal { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, produce: Callable[[str], str], view: str = "expression", folder: Path | None = None, kind: str = "dot"
    ) -> None:
        super().__init__()
        self.produce, self.view = produce, view
        self.folder = folder if folder is not None else Path.cwd()
        self.kind = kind
        self.confirmed_overwrite: Path | None = None
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        options = [
            Option(f"{label}" + (f" — {VIEW_NAMES.get(self.view, self.view)}" if graph else ""), id=kind)
            for kind, (label, _, graph) in exports.KINDS.items()
        ]
        with Vertical():
            yield Label("[b]Export[/b]  (↑/↓ choose, enter exports, escape cancels)")
            yield OptionList(*options, id="export-kind")
            yield Label("File")
            yield Input(str(exports.default_path(self.kind, self.folder)), id="export-path")
            yield Static("", id="export-error", markup=False)  # it quotes the file name and OS errors
            with Horizontal():
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        kinds = self.query_one("#export-kind", OptionList)
        kinds.highlighted = list(exports.KINDS).index(self.kind)
        kinds.focus()

    def on_key(self, event: events.Key) -> None:
        """As in a file-save dialog, typing is the file's name whichever part has focus: a printable key in the
        list of kinds moves to the File field (now, not after this key) and is typed there, over its text as when
        tabbing in (a bare name goes to the folder shown); the list keeps the arrows and Enter."""
        path = self.query_one("#export-path", Input)
        if self.focused is self.query_one("#export-kind", OptionList) and event.is_printable and event.character:
            self.set_focus(path)  # its Focus is queued before the key, so the field selects its text first
            path.post_message(events.Key(event.key, event.character))
            event.stop()
            event.prevent_default()

    @on(OptionList.OptionHighlighted, "#export-kind")
    def _kind_changed(self, event: OptionList.OptionHighlighted) -> None:
        path_input = self.query_one("#export-path", Input)
        old_default = str(exports.default_path(self.kind, self.folder))
        self.kind = event.option.id or self.kind
        if path_input.value.strip() in ("", old_default):  # the user's own path stays as they typed it
            path_input.value = str(exports.default_path(self.kind, self.folder))
        self.query_one("#export-error", Static).update("")

    @on(OptionList.OptionSelected, "#export-kind")
    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        error = self.query_one("#export-error", Static)
        name = self.query_one("#export-path", Input).value.strip()
        if not name:
            error.update("Type a file name to export to.")
            return
        path = Path(name).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        try:  # first, so a graph that cannot be exported says so before any question about the file
            if self.kind not in self._texts:  # nothing changes while the screen is open: make it once
                self._texts[self.kind] = self.produce(self.kind)
            if path.exists() and path != self.confirmed_overwrite:
                self.confirmed_overwrite = path  # ask once: a second export means yes
                error.update(f"{path.name} exists; press enter again to replace it.")
                return
            exports.write_atomic(path, self._texts[self.kind])
        except (ValueError, RuntimeError, OSError) as err:
            error.update(str(err))
            return
        self.dismiss((self.kind, path))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportCommands:
    """Mix into the App class (before `App`): the export action. The host has `workbench`, `graph_mode`
    ("expression", "training" or "sample") and `_busy()` (True, with a notification, while training runs)."""

    def action_export(self) -> None:
        if self._busy():
            return
        view = self.graph_mode

        def produce(kind: str) -> str:
            return self.workbench.export_text(kind, view)

        def exported(answer: tuple[str, Path] | None) -> None:
            if answer is not None:
                kind, path = answer
                what = exports.KINDS[kind][0]
                if exports.KINDS[kind][2]:
                    what += f" of {VIEW_NAMES.get(view, view)}"
                self.notify(f"{what} written to {path}", title="Exported")
                self.remember_export(path)

        self.push_screen(ExportScreen(produce, view, folder=self.export_folder()), exported)

    def export_folder(self) -> Path:
        """Hook: where exports are offered (PreferencesCommands remembers the last one used)."""
        return Path.cwd()

    def remember_export(self, path: Path) -> None:
        """Hook: an export was written to `path`."""
