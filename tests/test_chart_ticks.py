"""The loss chart's ticks: whole steps at round spacings, decades on a log scale, thinning that keeps the
newest point (the issue's example: a 100-step run read 0.0 24.8 49.5 74.2 99.0)."""

import math

import pytest

from tui.chart_ticks import MAX_POINTS, even_ticks, integer_ticks, log_ticks, thin


@pytest.mark.parametrize(
    "low, high, most, expected",
    [
        (0, 99, 6, [0, 20, 40, 60, 80]),
        (0, 99, 4, [0, 25, 50, 75]),
        (0, 1, 6, [0, 1]),  # after one F8: 0 and 1, never -1.00 ... 1.00
        (0, 7, 6, [0, 2, 4, 6]),
        (3, 1234, 5, [250, 500, 750, 1000]),
        (100, 199, 6, [100, 120, 140, 160, 180]),
    ],
)
def test_integer_ticks_are_whole_round_and_inside_the_range(low, high, most, expected):
    ticks, labels = integer_ticks(low, high, most)
    assert ticks == expected and labels == [str(t) for t in expected]
    assert all(isinstance(t, int) and low <= t <= high for t in ticks) and len(ticks) <= most


def test_a_single_step_gets_one_tick():
    assert integer_ticks(0, 0) == ([0], ["0"])


def test_log_ticks_span_decades_for_a_diverging_loss():
    values = [math.log10(v) for v in (0.9, 3.0, 1e10, 1.02e275)]
    ticks, labels = log_ticks(values, 5)
    assert ticks[0] == 0 and ticks[-1] <= 275 and len(ticks) <= 5
    assert labels[0] == "1" and labels[1].startswith("1e")


def test_log_ticks_within_one_decade_label_the_numbers():
    ticks, labels = log_ticks([math.log10(0.9), math.log10(0.3)], 4)
    assert labels[0] == "0.3" and labels[-1] == "0.9" and len(ticks) == 4


def test_even_ticks_and_thinning():
    assert even_ticks([1.0, 3.0], 3) == ([1.0, 2.0, 3.0], ["1", "2", "3"])
    rows = thin(1001)
    assert rows[0] == 0 and rows[-1] == 1000 and len(rows) <= MAX_POINTS + 1
    assert thin(5) == [0, 1, 2, 3, 4] and thin(0) == []
    rows = thin(1001, 100)  # the chart asks for two a column: more draw nothing new
    assert rows[0] == 0 and rows[-1] == 1000 and len(rows) <= 101
