"""The Trainer's held-out test set (checked by hand on a small case), regression with mse_regression (against
PyTorch), input features, and carrying on with other data."""

import math
import random

import numpy as np
import pytest

from micrograd.datasets import circles, held_out_mask, moons, plane
from micrograd.features import FEATURES, check, input_labels, transform
from micrograd.nn import MLP
from micrograd.optim import SGD, constant
from micrograd.train import Trainer

ENGINES = ("compiled", "reference")


def linear_model(w1, w2, b):
    model = MLP(2, [1])
    (neuron,) = model.layers[0].neurons
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = w1, w2, b
    return model


@pytest.mark.parametrize("engine", ENGINES)
def test_test_numbers_by_hand_on_a_small_case(engine):
    # score = 2*x1 - x2 + 0.5; svm hinge relu(1 - t*score) with t = 2*label - 1; l2 0.1 * (4 + 1 + 0.25) = 0.525
    X_train, y_train = [[1.0, 0.0], [0.0, 1.0]], [1, 0]
    X_test, y_test = [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.0]], [0, 1, 1]
    trainer = Trainer(
        linear_model(2.0, -1.0, 0.5),
        X_train,
        y_train,
        l2=0.1,
        engine=engine,
        optimizer=SGD(lr=constant(0.1)),
        test=(X_test, y_test),
    )
    result = trainer.step()
    # test scores: 0.5, 1.5, -1.5 -> hinge terms relu(1 + 0.5) = 1.5, relu(1 - 1.5) = 0, relu(1 + 1.5) = 2.5
    assert result.test_loss == pytest.approx((1.5 + 0 + 2.5) / 3 + 0.525, rel=1e-12)
    # predicted classes 1, 1, 0 against 0, 1, 1: one right of three
    assert result.test_accuracy == pytest.approx(1 / 3)
    # training: scores 2.5, -0.5 -> hinge 0, relu(1 - 0.5) = 0.5 -> 0.25; both right
    assert result.data_loss == pytest.approx(0.25) and result.accuracy == 1.0
    assert result.to_dict()["test_loss"] == result.test_loss and result.tested


@pytest.mark.parametrize("engine", ENGINES)
def test_a_test_set_changes_no_training_number(engine):
    X, y = moons(60, 0.1, seed=3)
    held_out = held_out_mask(60, 25, seed=3)
    runs = []
    for test in (None, (X[held_out], y[held_out])):
        random.seed(7)
        trainer = Trainer(MLP(2, [8, 1]), X[~held_out], y[~held_out], engine=engine, batch_size=20, seed=2, test=test)
        runs.append([r.to_dict() for r in trainer.run(8)])
    plain, tested = runs
    for a, b in zip(plain, tested):
        assert {k: b[k] for k in a} == a  # bit for bit
        assert set(b) - set(a) == {"test_loss", "test_accuracy"} and "test_loss" not in a
    assert tested[-1]["test_accuracy"] > 0.5


def test_without_a_test_set_results_have_no_test_numbers():
    result = Trainer(linear_model(1, 1, 0), [[1.0, 0.0], [0.0, 1.0]], [1, 0]).step()
    assert (
        not result.tested
        and math.isnan(result.test_loss)
        and set(result.to_dict()) == {"step", "loss", "data_loss", "reg_loss", "accuracy", "lr"}
    )


def test_regression_matches_pytorch_and_both_engines(torch):
    X, y = plane(40, 0.0, seed=1)
    results = {}
    for engine in ENGINES:
        random.seed(4)
        model = MLP(2, [6, 1], activation="tanh")
        start = [p.data for p in model.parameters()]
        trainer = Trainer(model, X, y, loss="mse_regression", l2=0.0, engine=engine, optimizer=SGD(lr=constant(0.1)))
        results[engine] = trainer.run(5)
        assert all(math.isnan(r.accuracy) for r in results[engine])
    # PyTorch: the same network, the same five full-batch SGD steps on mean((s - y)^2)
    t = torch
    W1 = t.tensor([start[i * 3 : i * 3 + 2] for i in range(6)], dtype=t.float64, requires_grad=True)
    b1 = t.tensor([start[i * 3 + 2] for i in range(6)], dtype=t.float64, requires_grad=True)
    W2 = t.tensor([start[18:24]], dtype=t.float64, requires_grad=True)
    b2 = t.tensor([start[24]], dtype=t.float64, requires_grad=True)
    Xt, yt = t.tensor(X), t.tensor(y)
    for step in range(5):
        out = (t.tanh(Xt @ W1.T + b1) @ W2.T + b2)[:, 0]
        loss = ((out - yt) ** 2).mean()
        for engine in ENGINES:
            assert results[engine][step].loss == pytest.approx(loss.item(), rel=1e-10)
        loss.backward()
        with t.no_grad():
            for p in (W1, b1, W2, b2):
                p -= 0.1 * p.grad
                p.grad = None
    assert results["compiled"][-1].loss < results["compiled"][0].loss


@pytest.mark.parametrize("engine", ENGINES)
def test_regression_test_loss_by_hand(engine):
    trainer = Trainer(
        linear_model(1.0, 0.0, 0.0),
        [[1.0, 2.0]],
        [0.5],
        loss="mse_regression",
        l2=0.0,
        engine=engine,
        optimizer=SGD(lr=constant(0.1)),
        test=([[2.0, 0.0], [-1.0, 3.0]], [1.0, 0.0]),
    )
    result = trainer.step()
    assert result.loss == pytest.approx(0.25)  # (1 - 0.5)^2
    assert result.test_loss == pytest.approx(((2 - 1) ** 2 + (-1 - 0) ** 2) / 2) and math.isnan(result.test_accuracy)
    # dL/ds = 2 * (1 - 0.5) = 1, so w1, w2, b = 1 - 0.1*1, 0 - 0.1*2, 0 - 0.1*1; the prediction is the output itself
    assert trainer.predict([[3.0, 1.0]]) == pytest.approx([0.9 * 3 - 0.2 * 1 - 0.1])


def test_feature_transforms_from_their_definitions():
    X = np.array([[0.5, -2.0], [3.0, 0.25]])
    names = list(FEATURES)
    out = transform(X, names)
    expected = [
        [0.5, -2.0, 0.25, 4.0, -1.0, math.sin(0.5), math.sin(-2.0)],
        [3.0, 0.25, 9.0, 0.0625, 0.75, math.sin(3.0), math.sin(0.25)],
    ]
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert transform(X, ["x1", "x2"]) is not None and np.array_equal(transform(X, ["x1", "x2"]), X)
    assert transform(X, ["x2^2"]).shape == (2, 1)
    assert input_labels(names) == ["x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂"]
    assert input_labels(["x1", "x2"], dimensions=3) == ["x1", "x2", "x3"]
    for bad, message in (([], "at least one"), (["x3"], "not a feature"), (["x1", "x1"], "at most once")):
        with pytest.raises(ValueError, match=message):
            check(bad)


def test_squares_let_a_network_without_hidden_layers_separate_circles():
    X, y = circles(100, 0.05, seed=1)
    for names, separates in ((["x1", "x2"], False), (["x1^2", "x2^2"], True)):
        random.seed(1)
        trainer = Trainer(MLP(len(names), [1]), transform(X, names), y, l2=0.0)
        accuracy = trainer.run(100)[-1].accuracy
        assert (accuracy == 1.0) == separates, (names, accuracy)
    grid = trainer.evaluate_grid(5, bounds=(-1, 1, -1, 1), transform=lambda P: transform(P, names))
    assert grid.classes[2, 2] == 1 and grid.classes[0, 0] == 0  # the centre is the inner circle, corners outer


@pytest.mark.parametrize("engine", ENGINES)
def test_with_data_carries_on_where_it_was(engine):
    X, y = moons(40, 0.1, seed=2)
    random.seed(3)
    a = Trainer(MLP(2, [8, 1]), X, y, engine=engine)
    a.run(3)
    b = a.with_data(X, y)  # the same data: the next step must be the one `a` would take
    random.seed(3)
    reference = Trainer(MLP(2, [8, 1]), X, y, engine=engine)
    expected = reference.run(5)
    got = b.run(2)
    assert [r.step for r in got] == [3, 4]
    assert [r.loss for r in got] == pytest.approx([r.loss for r in expected[3:]], rel=1e-12)
    more = np.vstack([X, [[0.0, 2.0]]]), np.append(y, 0)
    assert len(b.with_data(*more).X) == 41
