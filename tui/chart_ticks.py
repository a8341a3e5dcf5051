"""Tick positions and labels for the loss chart: whole steps, even loss ticks, decades on a log scale.
Plain arithmetic, no Textual (a test guards that), so it is tested on its own."""

from __future__ import annotations

import math

MAX_POINTS = 400  # plotext redraw cost grows with points; a pane is < 200 columns wide anyway


def thin(n: int, most: int = MAX_POINTS) -> list[int]:
    """Indices of at most ~`most` of n points, evenly strided, always including the newest."""
    stride = max(1, math.ceil(n / max(1, most)))
    rows = list(range(0, n, stride))
    if n and rows[-1] != n - 1:
        rows.append(n - 1)
    return rows


def integer_ticks(low: int, high: int, most: int = 6) -> tuple[list[int], list[str]]:
    """Whole-number ticks from `low` to `high`, at most `most` of them, spaced 1, 2 or 5 times a power of 10:
    0 25 50 75 100 rather than 0.0 24.8 49.5 74.2 99.0."""
    low, high = int(low), int(high)
    if high <= low:
        return [low], [str(low)]
    most = max(2, most)
    spacing = next(s for s in _SPACINGS if (high - low) // s + 1 <= most)
    first = -(-low // spacing) * spacing  # the first multiple of the spacing at or after low
    ticks = list(range(first, high + 1, spacing))
    return ticks, [str(t) for t in ticks]


# Spacings a reader counts in: 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, ... (steps are whole numbers).
_SPACINGS = sorted({m * 10**k for k in range(16) for m in (1, 2, 5)} | {25 * 10**k for k in range(15)})


def even_ticks(values: list[float], count: int) -> tuple[list[float], list[str]]:
    """`count` ticks from the smallest to the largest value, labelled with 3 significant digits."""
    low, high = min(values), max(values)
    if high == low:
        return [low], [f"{low:.3g}"]
    ticks = [low + (high - low) * i / (count - 1) for i in range(count)]
    return ticks, [f"{t:.3g}" for t in ticks]


def log_ticks(log_values: list[float], count: int) -> tuple[list[float], list[str]]:
    """Ticks for values already in log10: whole decades (1e-3, 1e-2, ...) when the range spans at least two,
    thinned to at most `count`; otherwise `count` even ticks labelled with the numbers they stand for."""
    low, high = min(log_values), max(log_values)
    decades = list(range(math.ceil(low), math.floor(high) + 1))
    if len(decades) >= 2:
        step = math.ceil(len(decades) / max(count, 2))
        decades = decades[::step]
        return [float(d) for d in decades], [_decade(d) for d in decades]
    ticks, _ = even_ticks(log_values, count)
    return ticks, [f"{10**t:.3g}" for t in ticks]


def _decade(exponent: int) -> str:
    return f"{10.0**exponent:g}" if -2 <= exponent <= 3 else f"1e{exponent}"
