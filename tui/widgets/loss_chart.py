"""Loss and accuracy per step (and the held-out test set's), drawn with plotext, updated live while training.

Reads at a glance: a one-line legend above the plot (never over the curves), integer step ticks, a log scale
for the loss on a key (`LossChart.toggle_log`), and a dotted vertical line at each step where a setting or
the data changed. The tick arithmetic is in tui/chart_ticks.py (no Textual).
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui.chart_ticks import MAX_POINTS, even_ticks, integer_ticks, log_ticks, thin

# (key in a result, legend label, plotext colour, Rich colour for the legend, y side)
SERIES = (
    ("loss", "loss", "cyan+", "bright_cyan", "left"),
    ("test_loss", "test loss", "magenta+", "bright_magenta", "left"),
    ("accuracy", "acc", "orange", "dark_orange", "right"),
    ("test_accuracy", "test acc", "green+", "bright_green", "right"),
)


class _Plot(PlotextPlot):
    """The plotext canvas alone; `LossChart` owns the numbers and tells it what to draw."""


class LossChart(Vertical):
    """Keeps every result it was given (`steps`, `losses`, `accuracies`, `series`); draws a thinned copy."""

    DEFAULT_CSS = """
    LossChart { height: 1fr; }
    LossChart > #chart-legend { height: 1; padding: 0 1; }
    LossChart > _Plot { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: dict[str, list[float]] = {key: [] for key, *_ in SERIES}
        self.steps: list[int] = []
        self.marks: list[dict] = []  # {"step", "text"}: where a setting or the data changed (a dotted line)
        self.run_marks = 0  # how many of a running run's changes the marks include
        self.log_scale = False

    @property
    def losses(self) -> list[float]:
        return self.series["loss"]

    @property
    def accuracies(self) -> list[float]:
        return self.series["accuracy"]

    def compose(self) -> ComposeResult:
        yield Static("", id="chart-legend", markup=False)
        yield _Plot()

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()  # the tick counts follow the plot's size

    @property
    def plt(self):
        return self.query_one(_Plot).plt

    def set_history(self, results: list[dict], marks: list[dict] = ()) -> None:
        self.steps = []
        self.series = {key: [] for key, *_ in SERIES}
        self.marks, self.run_marks = list(marks), 0
        self.extend(results)

    def set_marks(self, marks: list[dict], run_marks: int = 0) -> None:
        self.marks, self.run_marks = list(marks), run_marks
        self._draw()

    def extend(self, results: list[dict]) -> None:
        for r in results:
            self.steps.append(r["step"])
            for key, values in self.series.items():
                values.append(float(r.get(key, math.nan)))
        self._draw()

    def toggle_log(self) -> bool:
        """Loss on a log scale, or back to linear; returns whether it is now log."""
        self.log_scale = not self.log_scale
        self._draw()
        return self.log_scale

    # ---- drawing -------------------------------------------------------------------------------------

    def _draw(self) -> None:
        if not self.is_mounted:
            return
        plot = self.query_one(_Plot)
        plt = plot.plt
        plt.clear_data()
        plt.xlabel("step")
        legend = self.query_one("#chart-legend", Static)
        if not self.steps:
            plt.title("no steps yet: F8 steps once, F9 trains")
            legend.update("", layout=False)
            plot.refresh()
            return
        plt.title("")
        # Braille gives two dots a column: more points than that draw nothing new, and each costs redraw time.
        rows = thin(len(self.steps), min(MAX_POINTS, 2 * max(plot.size.width, 1)))
        steps = [self.steps[i] for i in rows]
        count = max(2, min(5, (plot.size.height - 4) // 2))
        shown = Text()
        hidden_nonpositive = False
        left_values: list[float] = []
        right_values: list[float] = []
        for key, label, colour, rich_colour, side in SERIES:
            values = [self.series[key][i] for i in rows]
            points = [(s, v) for s, v in zip(steps, values) if math.isfinite(v)]
            if side == "left" and self.log_scale:
                hidden_nonpositive |= any(v <= 0 for _, v in points)
                points = [(s, math.log10(v)) for s, v in points if v > 0]
            if not points:
                continue  # e.g. no test set, or accuracy for regression: no line and no legend entry
            plt.plot([s for s, _ in points], [v for _, v in points], marker="braille", color=colour, yside=side)
            if shown:  # the right axis's lines after a bar: "━ loss ━ test loss │ ━ acc ━ test acc"
                shown.append(" │ " if side == "right" and not right_values else " ")
            (left_values if side == "left" else right_values).extend(v for _, v in points)
            shown.append("━ ", style=rich_colour)
            shown.append(label)
        if left_values:
            ticks = log_ticks(left_values, count) if self.log_scale else even_ticks(left_values, count)
            plt.yticks(*ticks, yside="left")
        if right_values:
            plt.yticks(*even_ticks(right_values, count), yside="right")
        low, high = min(self.steps), max(self.steps)
        plt.xticks(*integer_ticks(low, high, max(2, min(6, plot.size.width // 12))))
        for mark in self.marks:  # a line where a setting or the data changed; the latest's words in the title
            if low <= mark["step"] <= high:
                plt.vline(mark["step"], color="gray")
        if self.marks:
            last = self.marks[-1]
            more = f" (+{len(self.marks) - 1} earlier)" if len(self.marks) > 1 else ""
            plt.title(f"│ step {last['step']}: {last['text']}{more}")
        if self.log_scale:
            shown.append("  · log loss" + (" (≤ 0 not drawn)" if hidden_nonpositive else ""))
        legend.update(shown, layout=False)  # one row of fixed height: no new layout of the screen
        plot.refresh()
