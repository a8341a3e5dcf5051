"""The chart pane: loss and accuracy per step, or (F4) the decision boundary over the data."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import ContentSwitcher

from tui.widgets.boundary import DecisionBoundary
from tui.widgets.loss_chart import LossChart


class ChartPane(ContentSwitcher):
    # Focusable so that space (train/pause) has somewhere to go that does not type or open anything.
    can_focus = True

    def __init__(self, **kwargs) -> None:
        super().__init__(initial="loss-chart", **kwargs)

    def compose(self) -> ComposeResult:
        yield LossChart(id="loss-chart")
        yield DecisionBoundary(id="boundary")

    def on_mount(self) -> None:
        self._titles()

    @property
    def showing_boundary(self) -> bool:
        return self.current == "boundary"

    def toggle(self) -> None:
        self.current = "loss-chart" if self.showing_boundary else "boundary"
        self._titles()

    def _titles(self) -> None:
        self.border_title = "Decision boundary" if self.showing_boundary else "Loss & accuracy"
        self.border_subtitle = "F4 loss chart" if self.showing_boundary else "F4 decision boundary"
