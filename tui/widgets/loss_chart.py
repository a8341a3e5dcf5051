"""Loss and accuracy per step, drawn with plotext (textual-plotext), updated live while training."""

from __future__ import annotations

import math

from textual_plotext import PlotextPlot

MAX_POINTS = 400  # plotext redraw cost grows with points; a pane is < 200 columns wide anyway


class LossChart(PlotextPlot):
    """Keeps every result it was given (`steps`, `losses`, `accuracies`); draws a thinned copy."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.marks: list[dict] = []  # {"step", "text"}: where a live setting change took effect
        self.run_marks = 0  # how many of a running run's changes the marks include

    def on_mount(self) -> None:
        super().on_mount()
        self._draw()

    def set_history(self, results: list[dict], marks: list[dict] = ()) -> None:
        self.steps, self.losses, self.accuracies = [], [], []
        self.marks, self.run_marks = list(marks), 0
        self.extend(results)

    def set_marks(self, marks: list[dict], run_marks: int = 0) -> None:
        self.marks, self.run_marks = list(marks), run_marks
        self._draw()

    def extend(self, results: list[dict]) -> None:
        for r in results:
            self.steps.append(r["step"])
            self.losses.append(r["loss"])
            self.accuracies.append(r["accuracy"])
        self._draw()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.xlabel("step")
        if not self.steps:
            plt.title("no steps yet: F8 steps once, F9 trains")
            self.refresh()
            return
        plt.title("")
        stride = max(1, math.ceil(len(self.steps) / MAX_POINTS))
        points = [(s, l, a) for s, l, a in zip(self.steps[::stride], self.losses[::stride], self.accuracies[::stride])]
        if (len(self.steps) - 1) % stride:  # always draw the newest point
            points.append((self.steps[-1], self.losses[-1], self.accuracies[-1]))
        finite = [(s, l) for s, l, _ in points if math.isfinite(l)]
        # Our own evenly spaced ticks: in a short pane plotext drops some of its labels and the axis looks uneven.
        count = max(2, min(5, (self.size.height - 4) // 2))
        if finite:  # plotext cannot place NaN or infinity; the status line reports them instead
            plt.plot([s for s, _ in finite], [l for _, l in finite], label="loss", marker="braille")
            plt.yticks(*_even_ticks([l for _, l in finite], count), yside="left")
        plt.plot(
            [s for s, _, _ in points], [a for _, _, a in points], label="accuracy", marker="braille", yside="right"
        )
        plt.yticks(*_even_ticks([a for _, _, a in points], count), yside="right")
        for mark in self.marks:  # a dotted line where a setting changed; its words in the title (latest last)
            plt.vline(mark["step"], "orange")
        if self.marks:
            last = self.marks[-1]
            more = f" (+{len(self.marks) - 1} earlier)" if len(self.marks) > 1 else ""
            plt.title(f"│ step {last['step']}: {last['text']}{more}")
        self.refresh()


def _even_ticks(values: list[float], count: int) -> tuple[list[float], list[str]]:
    """`count` ticks from the smallest to the largest value, labelled with 3 significant digits."""
    low, high = min(values), max(values)
    if high == low:
        return [low], [f"{low:.3g}"]
    ticks = [low + (high - low) * i / (count - 1) for i in range(count)]
    return ticks, [f"{t:.3g}" for t in ticks]
