"""How reliable a configuration is: the same training repeated from different seeds, and the spread of where
it ends. `build(i)` makes the i-th `micrograd.train.Trainer`; nothing here depends on which engine it uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RepeatSummary:
    """How reliable a configuration is: the same training repeated, and the spread of where it ends."""

    final_losses: tuple[float, ...]
    final_accuracies: tuple[float, ...]
    steps: tuple[int, ...]  # steps each run took (fewer when until_loss was reached or a loss was not finite)
    finite: tuple[bool, ...]

    @property
    def mean_loss(self) -> float:
        return float(np.mean(self.final_losses))

    @property
    def std_loss(self) -> float:
        return float(np.std(self.final_losses))

    @property
    def min_loss(self) -> float:
        return float(np.min(self.final_losses))

    @property
    def max_loss(self) -> float:
        return float(np.max(self.final_losses))

    @property
    def mean_accuracy(self) -> float:
        return float(np.mean(self.final_accuracies))


def repeat(build, runs=5, steps=100, *, until_loss=None, should_stop=None) -> RepeatSummary:
    """Train ``build(i)`` (a fresh `Trainer`, e.g. with weights from seed i) for i in range(runs).

    ``should_stop`` is checked before every step of every run; runs cut short count with what they reached.
    """
    losses, accuracies, counts, finite = [], [], [], []
    for i in range(runs):
        if should_stop is not None and should_stop():
            break
        results = build(i).run(steps, until_loss=until_loss, should_stop=should_stop)
        if results:
            losses.append(results[-1].loss)
            accuracies.append(results[-1].accuracy)
            counts.append(len(results))
            finite.append(results[-1].finite)
    if not losses:
        raise ValueError("repeat: no run took a step")
    return RepeatSummary(tuple(losses), tuple(accuracies), tuple(counts), tuple(finite))
