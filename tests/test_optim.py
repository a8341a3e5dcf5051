"""Optimizers against PyTorch's and against micrograd's hand-written update; schedules; JSON configs."""

import json
import math

import numpy as np
import pytest

from micrograd.engine import Value
from micrograd.optim import (
    SGD,
    AdamW,
    constant,
    cosine,
    linear,
    optimizer_from_config,
    schedule_from_config,
    step_decay,
)


def gradients(seed, steps, size):
    rs = np.random.RandomState(seed)
    return rs.randn(size), [rs.randn(size) for _ in range(steps)]


# ---- schedules ------------------------------------------------------------------------------------------


def test_linear_is_micrograds_demo_schedule_exactly():
    schedule = linear(1.0, 0.1, 100)
    for k in range(100):
        assert schedule(k) == 1.0 - 0.9 * k / 100  # demo.ipynb: learning_rate = 1.0 - 0.9*k/100
    # Then it stays at the end: 1.0 - 0.9 in floats, as the formula gives at k = 100.
    assert schedule(100) == schedule(500) == 1.0 - 0.9 == pytest.approx(0.1, abs=1e-16)


def test_other_schedules():
    assert constant(0.3)(0) == constant(0.3)(10**6) == 0.3
    c = cosine(1.0, 0.0, 10)
    assert c(0) == 1.0 and c(5) == pytest.approx(0.5, abs=1e-15) and c(10) == c(99) == pytest.approx(0.0, abs=1e-15)
    assert all(c(k) >= c(k + 1) for k in range(12))
    d = step_decay(0.8, 0.5, 10)
    assert [d(k) for k in (0, 9, 10, 25)] == [0.8, 0.8, 0.4, 0.2]


@pytest.mark.parametrize(
    "schedule",
    [constant(0.05), linear(1.0, 0.1, 100), cosine(0.1, 0.001, 50), step_decay(0.2, 0.9, 7), step_decay(0.2)],
)
def test_schedule_config_round_trips_through_json(schedule):
    config = json.loads(json.dumps(schedule.to_config()))
    again = schedule_from_config(config)
    assert again == schedule
    assert [again(k) for k in range(120)] == [schedule(k) for k in range(120)]


def test_schedule_from_config_accepts_a_number():
    assert schedule_from_config(0.25) == constant(0.25)


@pytest.mark.parametrize(
    "config, message",
    [
        ({"schedule": "exponential", "lr": 1}, "unknown learning-rate schedule 'exponential'"),
        ({"schedule": "linear", "start": 1.0, "end": 0.1}, "missing steps"),
        ({"schedule": "linear", "start": 1.0, "end": 0.1, "steps": 0}, "steps must be a positive whole number"),
        ({"schedule": "linear", "start": 1.0, "end": 0.1, "steps": 10, "warmup": 3}, "unexpected warmup"),
        ({"schedule": "constant", "lr": "fast"}, "lr must be a finite number"),
        ({"schedule": "constant", "lr": float("nan")}, "lr must be a finite number"),
        ("fast", "a number or a dict"),
    ],
)
def test_bad_schedule_configs_are_clear_errors(config, message):
    with pytest.raises(ValueError, match=message):
        schedule_from_config(config)


# ---- SGD ----------------------------------------------------------------------------------------------


def test_sgd_on_values_is_micrograds_update_bit_for_bit():
    start, grads = gradients(0, 5, 9)
    ours = [Value(float(x)) for x in start]
    theirs = [float(x) for x in start]
    optimizer = SGD(ours, lr=linear(1.0, 0.1, 100))
    for k, g in enumerate(grads):
        for p, gi in zip(ours, g):
            p.grad = float(gi)
        assert optimizer.lr == 1.0 - 0.9 * k / 100
        assert optimizer.step() == 1.0 - 0.9 * k / 100
        learning_rate = 1.0 - 0.9 * k / 100
        theirs = [x - learning_rate * float(gi) for x, gi in zip(theirs, g)]  # p.data -= learning_rate * p.grad
        assert [p.data for p in ours] == theirs
        assert all(type(p.data) is float for p in ours)
    assert optimizer.steps == 5


@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.0), (0.9, 0.0), (0.0, 0.01), (0.8, 0.05)])
def test_sgd_against_torch(torch, momentum, weight_decay):
    start, grads = gradients(1, 6, 11)
    data = start.copy()
    ours = SGD(lr=0.1, momentum=momentum, weight_decay=weight_decay)
    param = torch.tensor(start.copy(), requires_grad=True)
    theirs = torch.optim.SGD([param], lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for g in grads:
        ours.update(data, g)
        param.grad = torch.tensor(g)
        theirs.step()
        np.testing.assert_allclose(data, param.detach().numpy(), rtol=1e-14, atol=1e-15)


# ---- AdamW ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lr, betas, eps, weight_decay",
    [
        (1e-3, (0.9, 0.999), 1e-8, 1e-2),  # torch's defaults
        (0.05, (0.8, 0.99), 1e-6, 0.1),
        (0.01, (0.9, 0.999), 1e-8, 0.0),
    ],
)
def test_adamw_against_torch(torch, lr, betas, eps, weight_decay):
    start, grads = gradients(2, 8, 13)
    data = start.copy()
    ours = AdamW(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    param = torch.tensor(start.copy(), requires_grad=True)
    theirs = torch.optim.AdamW([param], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    for g in grads:
        ours.update(data, g)
        param.grad = torch.tensor(g)
        theirs.step()
        np.testing.assert_allclose(data, param.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert not np.array_equal(data, start)


def test_adamw_with_a_schedule_against_torch(torch):
    schedule = linear(0.1, 0.01, 5)
    start, grads = gradients(3, 7, 5)
    data = start.copy()
    ours = AdamW(lr=schedule, weight_decay=0.05)
    param = torch.tensor(start.copy(), requires_grad=True)
    theirs = torch.optim.AdamW([param], lr=0.1, weight_decay=0.05)
    for k, g in enumerate(grads):
        theirs.param_groups[0]["lr"] = schedule(k)
        assert ours.update(data, g) == schedule(k)
        param.grad = torch.tensor(g)
        theirs.step()
        np.testing.assert_allclose(data, param.detach().numpy(), rtol=1e-13, atol=1e-15)


def test_step_on_values_equals_update_on_arrays():
    start, grads = gradients(4, 4, 6)
    values = [Value(float(x)) for x in start]
    array = start.copy()
    on_values, on_array = AdamW(values, lr=0.02), AdamW(lr=0.02)
    for g in grads:
        for v, gi in zip(values, g):
            v.grad = float(gi)
        on_values.step()
        on_array.update(array, g)
        assert [v.data for v in values] == array.tolist()
    on_values.zero_grad()
    assert all(v.grad == 0 for v in values)


def test_reset_and_size_changes():
    optimizer = AdamW(lr=0.01)
    first = np.ones(3)
    optimizer.update(first, np.ones(3))
    with pytest.raises(ValueError, match="was updating 3 parameters and now got 4.*reset"):
        optimizer.update(np.ones(4), np.ones(4))
    optimizer.reset()
    assert optimizer.steps == 0
    again = np.ones(3)
    optimizer.update(again, np.ones(3))
    assert np.array_equal(first, again)  # a fresh start gives the same first step
    with pytest.raises(ValueError, match="flat arrays of the same length"):
        optimizer.update(np.ones(3), np.ones(2))


# ---- configs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(lr=linear(1.0, 0.1, 100)),
        SGD(lr=0.05, momentum=0.9, weight_decay=1e-4),
        AdamW(),
        AdamW(lr=cosine(0.01, 0.0, 30), betas=(0.8, 0.95), eps=1e-7, weight_decay=0.0),
    ],
)
def test_optimizer_config_round_trips_through_json(optimizer):
    config = json.loads(json.dumps(optimizer.to_config()))
    params = [Value(1.0)]
    again = optimizer_from_config(config, params)
    assert again.to_config() == optimizer.to_config()
    assert again.params == params
    start, grads = gradients(5, 4, 3)
    a, b = start.copy(), start.copy()
    for g in grads:
        optimizer.update(a, g)
        again.update(b, g)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "config, message",
    [
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
        ("sgd", "unknown optimizer 'sgd'"),
        ({"optimizer": "sgd", "betas": [0.9, 0.99]}, "has no option betas"),
        ({"optimizer": "adamw", "betas": [0.9]}, "betas must be a list of two numbers"),
        ({"optimizer": "sgd", "momentum": "lots"}, "momentum must be a finite number"),
    ],
)
def test_bad_optimizer_configs_are_clear_errors(config, message):
    with pytest.raises(ValueError, match=message):
        optimizer_from_config(config)


def test_lr_reports_the_next_step():
    optimizer = SGD(lr=linear(1.0, 0.5, 2))
    data = np.zeros(2)
    assert optimizer.lr == 1.0
    optimizer.update(data, np.ones(2))
    assert optimizer.lr == 0.75
    assert math.isclose(data[0], -1.0)
