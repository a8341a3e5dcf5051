"""micrograd/cost.py against real graphs: exact node counts, memory within a measured band, and the refusals."""

import random
import tracemalloc

import numpy as np
import pytest

from micrograd import cost, datasets, losses
from micrograd.engine import Value
from micrograd.nn import MLP
from micrograd.train import Trainer


def reference_graph(inputs, layers, samples, loss, activation="relu", output_activation="linear", l2=1e-4):
    """One step's real Value graph (the reference engine's), and its node count."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(samples, inputs))
    classes = layers[-1] if losses.LOSSES[loss].multiclass else 2
    y = np.arange(samples) % classes
    model = MLP(inputs, layers, activation=activation, output_activation=output_activation, rng=random.Random(0))
    trainer = Trainer(model, X, y, loss=loss, l2=l2, engine="reference")
    total, *_ = trainer.engine.build(X, y)
    return total, len(total.topological_order()), classes


@pytest.mark.parametrize(
    "inputs, layers, loss, activation, output_activation",
    [
        (2, [16, 16, 1], "svm_max_margin", "relu", "linear"),  # micrograd's demo
        (3, [4, 4, 1], "mse", "tanh", "tanh"),  # the lecture
        (2, [8, 1, 1], "binary_cross_entropy", "sigmoid", "linear"),  # a width-1 hidden layer
        (2, [5, 3], "cross_entropy", "relu", "linear"),
        (2, [6, 6, 4], "cross_entropy", "linear", "relu"),
    ],
)
def test_reference_node_counts_are_exact(inputs, layers, loss, activation, output_activation):
    samples = 7
    _, nodes, classes = reference_graph(inputs, layers, samples, loss, activation, output_activation)
    e = cost.estimate(
        inputs=inputs,
        layers=layers,
        samples=samples,
        engine="reference",
        classes=classes,
        multiclass=losses.LOSSES[loss].multiclass,
        loss=loss,
        activation=activation,
        output_activation=output_activation,
        l2=True,
    )
    assert e.graph_nodes == nodes


def test_per_sample_count_matches_one_traced_sample():
    """The compiled engine traces model(x) + one loss term: exactly nodes_per_sample Values, params aside."""
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    x = [Value(0.0), Value(0.0)]
    term = losses.LOSSES["svm_max_margin"].sample(model(x), 1)
    traced = len(term.topological_order()) - len(model.parameters())
    e = cost.estimate(inputs=2, layers=[16, 16, 1], samples=1, engine="compiled")
    assert e.nodes_per_sample - e.parameters == traced or e.nodes_per_sample == traced


def test_reference_memory_estimate_is_within_the_measured_band():
    """tracemalloc's peak for building one step's graph and its backward, against the estimate."""
    tracemalloc.start()
    try:
        total, nodes, _ = reference_graph(2, [16, 16, 1], 60, "svm_max_margin")
        total.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    e = cost.estimate(inputs=2, layers=[16, 16, 1], samples=60, engine="reference")
    assert 0.7 * peak <= e.memory_bytes <= 1.6 * peak


def test_compiled_memory_estimate_covers_the_measured_build():
    X, y = datasets.moons(200, 0.1, seed=1)
    tracemalloc.start()
    try:
        trainer = Trainer(MLP(2, [32, 32, 1], rng=random.Random(0)), X, y, engine="compiled")
        trainer.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    e = cost.estimate(inputs=2, layers=[32, 32, 1], samples=200, engine="compiled")
    assert 0.7 * peak <= e.memory_bytes <= 3 * peak


def test_the_issues_freezing_setups_are_refused_with_the_estimate_the_limit_and_the_way_out():
    slow = cost.refusal(cost.estimate(inputs=2, layers=[64, 64, 1], samples=10_000, engine="reference"))
    assert slow is not None and slow.startswith("too big to build: ")
    assert "Values a step" in slow and "over the limit of 10 s" in slow and "compiled engine" in slow
    huge = cost.refusal(cost.estimate(inputs=2, layers=[512] * 7 + [1], samples=10_000, engine="compiled"))
    assert huge is not None and "traced nodes" in huge and "smaller model" in huge
    assert cost.refusal(cost.estimate(inputs=2, layers=[16, 16, 1], samples=100, engine="reference")) is None
    assert cost.refusal(cost.estimate(inputs=2, layers=[16, 16, 1], samples=10_000, engine="compiled")) is None


def test_a_batch_size_brings_a_reference_step_within_the_limit():
    full = cost.estimate(inputs=2, layers=[16, 16, 1], samples=10_000, engine="reference")
    batched = cost.estimate(inputs=2, layers=[16, 16, 1], samples=10_000, batch_size=100, engine="reference")
    assert cost.refusal(full) is not None and cost.refusal(batched) is None
    assert batched.graph_nodes < full.graph_nodes / 50
