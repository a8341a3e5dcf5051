"""The chart pane: loss and accuracy per step, or (F4) the decision boundary over the data, or (ctrl+f) the
network view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher

from tui.widgets.boundary import DecisionBoundary
from tui.widgets.loss_chart import LossChart
from tui.widgets.network_view import NetworkView

TITLES = {
    "loss-chart": ("Loss & accuracy", "F4 decision boundary · l log scale"),
    "boundary": ("Decision boundary", "F4 loss chart · e edit data"),
    "network": ("Network", "arrows select · [ ] weight · Enter edit · g graph · ctrl+f size · F4 charts"),
}


class ChartPane(ContentSwitcher):
    # Focusable so that space (train/pause) has somewhere to go that does not type or open anything.
    can_focus = True
    # Keys for what the pane shows (tui/screens/data_edit.py): the loss chart's scale, editing the data.
    BINDINGS = [
        Binding("l", "app.toggle_log", "Log scale", show=False),
        Binding("e", "app.toggle_data_edit", "Edit data", show=False),
        Binding("a,enter", "app.edit_add", "Add point", show=False),
        Binding("x,delete", "app.edit_remove", "Remove point", show=False),
        Binding("left", "app.edit_cursor(-1, 0)", show=False),
        Binding("right", "app.edit_cursor(1, 0)", show=False),
        Binding("up", "app.edit_cursor(0, -1)", show=False),
        Binding("down", "app.edit_cursor(0, 1)", show=False),
    ] + [Binding(str(k), f"app.edit_choice({k})", show=False) for k in range(5)]

    def __init__(self, **kwargs) -> None:
        super().__init__(initial="loss-chart", **kwargs)

    def compose(self) -> ComposeResult:
        yield LossChart(id="loss-chart")
        yield DecisionBoundary(id="boundary")
        yield NetworkView(id="network")

    def on_mount(self) -> None:
        self._titles()

    @property
    def showing_boundary(self) -> bool:
        return self.current == "boundary"

    def toggle(self) -> None:
        self.show_view("loss-chart" if self.showing_boundary else "boundary")

    def show_view(self, name: str) -> None:
        self.current = name
        self._titles()

    def _titles(self) -> None:
        self.border_title, self.border_subtitle = TITLES[self.current or "loss-chart"]
