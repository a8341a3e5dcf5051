"""Trace one sample (ctrl+t): a prompt for the data point's index; then the graph pane's "sample i" view shows
that sample's forward graph through the current model and its loss term, with data and grads.

In the sample view, + and - trace the next and previous sample; in the decision-boundary view (F4) a click
traces the point nearest to it, and the traced point is drawn as "✚". Each choice is a workbench action
(`{"do": "trace", "sample": i}`), so a session replays it. The sample graph is built on a detached copy of the
model, rebuilt after every step and when training pauses or finishes (never from the live Values while the
worker runs).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class TraceScreen(ModalScreen[int | None]):
    """Answers the chosen sample index, or None when cancelled."""

    DEFAULT_CSS = """
    TraceScreen { align: center middle; }
    TraceScreen > Vertical { width: 60; height: auto; border: thick $primary; background: $surface;
                             padding: 0 1; }
    TraceScreen #trace-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: int, count: int, nearest: Callable[[list[float]], int] | None = None) -> None:
        super().__init__()
        self.current, self.count, self.nearest = current, count, nearest

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]Trace one sample[/b]  (0 to {self.count - 1}; enter traces, esc cancels)")
            yield Input(str(self.current), id="trace-index")
            yield Static(
                "…or a position, e.g. 0.5, -0.2: the nearest point. In the sample view, + and - "
                "trace the next and previous sample.",
                id="trace-error",
                markup=False,  # it quotes what was typed
            )

    def on_mount(self) -> None:
        field = self.query_one("#trace-index", Input)
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#trace-index")
    def _chosen(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        parts = text.replace(",", " ").split()
        try:
            if len(parts) > 1 and self.nearest is not None:  # a position: the data point nearest to it
                self.dismiss(self.nearest([float(part) for part in parts]))
                return
            index = int(text)
        except ValueError as err:
            if len(parts) > 1:
                self.query_one("#trace-error", Static).update(f"{text} is not a position: {err}.")
                return
            index = -1
        if not 0 <= index < self.count:
            self.query_one("#trace-error", Static).update(
                f"{text or 'nothing'} is not a sample: type a whole number from 0 to {self.count - 1}, or a position."
            )
            return
        self.dismiss(index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TraceCommands:
    """Mix into the App class (before `App`): ctrl+t and +/-. The host has `workbench`, `graph_mode`,
    `show_graph()` and `_busy()`."""

    def action_trace(self) -> None:
        if self._busy():
            return
        current = self.workbench.traced if self.workbench.traced is not None else 0

        def chosen(index: int | None) -> None:
            if index is not None:
                self._trace(index)

        self.push_screen(TraceScreen(current, len(self.workbench.X), self.workbench.nearest_sample), chosen)

    def action_trace_step(self, delta: int) -> None:
        if self._busy():
            return
        current = self.workbench.traced if self.workbench.traced is not None else 0
        self._trace((current + delta) % len(self.workbench.X))

    def _trace(self, index: int) -> None:
        try:
            self.workbench.trace(index)
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return
        self.graph_mode = "sample"
        self.show_graph()
        self.query_one("#graph-tree").focus()  # where + and - reach the app (an editor would type them)
        boundary = self.query_one("#boundary")
        boundary.traced = index
        boundary.refresh()

    def on_decision_boundary_clicked(self, event) -> None:
        """A click in the decision-boundary view traces the data point nearest to it."""
        if not self._busy():
            self._trace(self.workbench.nearest_sample(event.position))
