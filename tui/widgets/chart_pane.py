"""The chart pane: loss and accuracy per step, or (F4) the decision boundary over the data, or (ctrl+f) the
network view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ContentSwitcher

from tui.widgets.boundary import DecisionBoundary
from tui.widgets.loss_chart import LossChart
from tui.widgets.network_view import NetworkView

TITLES = {
    "loss-chart": ("Loss & accuracy", "F4 decision boundary"),
    "boundary": ("Decision boundary", "F4 loss chart"),
    "network": ("Network", "arrows select · [ ] weight · Enter edit · g graph · ctrl+f size · F4 charts"),
}


class ChartPane(ContentSwitcher):
    # Focusable so that space (train/pause) has somewhere to go that does not type or open anything.
    can_focus = True

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
