"""micrograd/network_maps.py: every neuron's output over a set of points, from a flat parameter vector, checked
against arithmetic done by hand and against the scalar engine."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from micrograd.engine import Value
from micrograd.network_maps import (
    Architecture,
    activate,
    active_counts,
    layer_outputs,
    neuron_maps,
    plane_grid,
)
from micrograd.nn import MLP


def tiny():
    """MLP(2, [2, 1]) with weights chosen by hand: h0 = relu(x - y), h1 = relu(0.5x + 2y - 1), out = h0 - 2h1 + 0.5."""
    model = MLP(2, [2, 1], rng=random.Random(0))
    numbers = [1.0, -1.0, 0.0, 0.5, 2.0, -1.0, 1.0, -2.0, 0.5]  # per neuron: its weights, then its bias
    for p, x in zip(model.parameters(), numbers):
        p.data = x
    return model, Architecture.of(2, [2, 1], "relu", "linear"), np.array(numbers)


def by_hand(x, y):
    h0 = max(x - y, 0.0)
    h1 = max(0.5 * x + 2 * y - 1, 0.0)
    return h0, h1, h0 - 2 * h1 + 0.5


def test_a_tiny_network_over_a_grid_matches_the_arithmetic_done_by_hand():
    _, arch, vector = tiny()
    bounds = (-1.0, 3.0, -2.0, 2.0)
    inputs, hidden, out = neuron_maps(arch, vector, bounds, columns=4, rows=4)
    assert inputs.shape == (2, 4, 4) and hidden.shape == (2, 4, 4) and out.shape == (1, 4, 4)
    for r in range(4):
        for c in range(4):
            x, y = -1.0 + (c + 0.5) * 1.0, 2.0 - (r + 0.5) * 1.0  # pixel centres; row 0 is the top
            h0, h1, o = by_hand(x, y)
            assert (inputs[0, r, c], inputs[1, r, c]) == (x, y)
            assert hidden[0, r, c] == pytest.approx(h0, abs=1e-12)
            assert hidden[1, r, c] == pytest.approx(h1, abs=1e-12)
            assert out[0, r, c] == pytest.approx(o, abs=1e-12)


def test_layer_outputs_agree_with_the_scalar_engine_on_the_demo_network():
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    arch = Architecture.of(2, [16, 16, 1], "relu", "linear")
    vector = np.array([p.data for p in model.parameters()])
    points = np.random.default_rng(0).normal(size=(20, 2))
    _, h1, h2, out = layer_outputs(arch, vector, points)
    for i, (x, y) in enumerate(points.tolist()):
        xs = [Value(x), Value(y)]
        first = [n(xs) for n in model.layers[0].neurons]
        second = [n(first) for n in model.layers[1].neurons]
        assert np.allclose(h1[i], [v.data for v in first], rtol=1e-12, atol=1e-12)
        assert np.allclose(h2[i], [v.data for v in second], rtol=1e-12, atol=1e-12)
        assert out[i, 0] == pytest.approx(model(xs).data, rel=1e-12, abs=1e-12)


def test_flat_indices_follow_micrograds_parameter_order():
    model, arch, _ = tiny()
    params = model.parameters()
    assert arch.size == len(params) == 9
    assert params[arch.index(0, 1, 0)] is model.layers[0].neurons[1].w[0]
    assert params[arch.index(0, 1, 2)] is model.layers[0].neurons[1].b
    assert params[arch.index(1, 0, 1)] is model.layers[1].neurons[0].w[1]
    with pytest.raises(IndexError):
        arch.index(0, 2, 0)


def test_activations_match_the_engine_including_large_sigmoid_inputs():
    z = np.array([-800.0, -3.0, -0.2, 0.0, 0.7, 5.0, 800.0])
    for name, op in (("tanh", Value.tanh), ("sigmoid", Value.sigmoid), ("relu", Value.relu)):
        assert np.allclose(activate(z, name), [op(Value(v)).data for v in z.tolist()], rtol=1e-15, atol=1e-300)
    assert np.array_equal(activate(z, "linear"), z)


def test_a_relu_that_no_point_activates_counts_zero():
    _, arch, vector = tiny()
    vector = vector.copy()
    vector[arch.index(0, 1, 2)] = -100.0  # h1's bias: 0.5x + 2y - 100 < 0 on every point below
    points = plane_grid((-1.0, 3.0, -2.0, 2.0), 5, 5)
    counts = active_counts(arch, vector, points)
    assert counts[0][1] == 0
    assert counts[0][0] == sum(x - y > 0 for x, y in points.tolist())
    assert math.isclose(points[:, 0].min(), -0.6) and math.isclose(points[:, 1].max(), 1.6)
