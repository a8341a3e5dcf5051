"""Losses against PyTorch's, finite differences, and micrograd's demo construction."""

import math
import random

import pytest

from micrograd.engine import Value
from micrograd.losses import LOSSES, binary_cross_entropy, cross_entropy, l2, mse, svm_max_margin


def grad_by_finite_difference(f, xs, i, h=1e-6):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def test_registry():
    assert set(LOSSES) == {"svm_max_margin", "mse", "mse_regression", "binary_cross_entropy", "cross_entropy"}
    assert [LOSSES[name].outputs(2) for name in LOSSES] == [1, 1, 1, 1, 2]
    assert LOSSES["cross_entropy"].outputs(5) == 5
    with pytest.raises(ValueError, match="two-class.*3 classes"):
        LOSSES["svm_max_margin"].outputs(3)


def test_svm_is_micrograds_demo_construction():
    for score, label in [(0.3, 1), (-2.0, 1), (0.7, 0), (-0.2, 0), (5.0, 0)]:
        s = Value(score)
        ours = LOSSES["svm_max_margin"].sample(s, label)
        ours.backward()
        yi = 2 * label - 1
        t = Value(score)
        theirs = (1 + -yi * t).relu()  # demo.ipynb: losses = [(1 + -yi*scorei).relu() ...]
        theirs.backward()
        assert ours.data == theirs.data == max(0.0, 1 - yi * score)
        assert s.grad == t.grad
        assert [n.op for n in ours.topological_order()] == [n.op for n in theirs.topological_order()]


def test_batch_loss_is_micrograds_mean_bit_for_bit():
    rng = random.Random(0)
    scores = [Value(rng.uniform(-2, 2)) for _ in range(37)]
    labels = [rng.randint(0, 1) for _ in range(37)]
    ours = svm_max_margin(scores, labels)
    losses = [(1 + -(2 * y - 1) * s).relu() for s, y in zip(scores, labels)]
    theirs = sum(losses) * (1.0 / len(losses))  # demo.ipynb's data_loss
    assert ours.data == theirs.data
    assert ours.data == LOSSES["svm_max_margin"](scores, labels).data


def test_mse_against_torch(torch):
    scores = [0.3, -1.2, 2.0, 0.0]
    labels = [1, 0, 1, 0]
    vs = [Value(s) for s in scores]
    loss = mse(vs, labels)
    loss.backward()
    ts = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.mse_loss(ts, torch.tensor([2.0 * y - 1 for y in labels]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-15)
    assert [v.grad for v in vs] == pytest.approx(ts.grad.tolist(), rel=1e-14)


LOGITS = [-1000.0, -40.0, -3.0, -1e-9, 0.0, 1e-9, 0.5, 2.5, 40.0, 1000.0, 1e300, -1e300]


@pytest.mark.parametrize("label", [0, 1])
def test_binary_cross_entropy_against_torch_for_any_logit(torch, label):
    vs = [Value(z) for z in LOGITS]
    loss = binary_cross_entropy(vs, [label] * len(vs))
    loss.backward()
    ts = torch.tensor(LOGITS, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(ts, torch.full((len(LOGITS),), float(label)))
    expected.backward()
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(expected.item(), rel=1e-14)
    assert [v.grad for v in vs] == pytest.approx(ts.grad.tolist(), rel=1e-12, abs=1e-18)


def test_binary_cross_entropy_slope_at_zero_is_sigmoid_minus_target():
    for label in (0, 1):
        z = Value(0.0)
        LOSSES["binary_cross_entropy"].sample(z, label).backward()
        assert z.grad == 0.5 - label


def test_binary_cross_entropy_against_finite_differences():
    f = {t: (lambda xs, t=t: LOSSES["binary_cross_entropy"].sample(Value(xs[0]), t).data) for t in (0, 1)}
    for z in [-5.0, -0.3, 0.4, 3.0]:
        for t in (0, 1):
            v = Value(z)
            LOSSES["binary_cross_entropy"].sample(v, t).backward()
            assert v.grad == pytest.approx(grad_by_finite_difference(f[t], [z], 0), rel=1e-6)


@pytest.mark.parametrize(
    "logits, label",
    [
        ([0.2, -1.0, 3.0], 0),
        ([0.2, -1.0, 3.0], 2),
        ([1000.0, -3.0, 999.0], 2),  # exp(1000) would overflow without the max subtracted
        ([-1000.0, -1001.0, -1002.0], 1),  # and exp(-1000) would underflow to log(0)
        ([5.0], 0),
    ],
)
def test_cross_entropy_against_torch(torch, logits, label):
    vs = [Value(z) for z in logits]
    loss = cross_entropy([vs], [label])
    loss.backward()
    ts = torch.tensor([logits], requires_grad=True)
    expected = torch.nn.functional.cross_entropy(ts, torch.tensor([label]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-15)
    assert [v.grad for v in vs] == pytest.approx(ts.grad[0].tolist(), rel=1e-12, abs=1e-15)


def test_cross_entropy_batch_against_finite_differences():
    rng = random.Random(4)
    flat = [rng.uniform(-3, 3) for _ in range(12)]
    labels = [0, 3, 1]

    def f(xs):
        return cross_entropy([[Value(x) for x in xs[i * 4 : (i + 1) * 4]] for i in range(3)], labels).data

    vs = [Value(x) for x in flat]
    cross_entropy([vs[i * 4 : (i + 1) * 4] for i in range(3)], labels).backward()
    for i, v in enumerate(vs):
        assert v.grad == pytest.approx(grad_by_finite_difference(f, flat, i), rel=1e-6, abs=1e-9)


def test_graph_shape_does_not_depend_on_the_numbers():
    # A traced graph can then be replayed on other inputs (the compiled engine relies on it).
    def shape(loss, output, label):
        root = loss.sample(output, label)
        return [(n.op, len(n.children)) for n in root.topological_order()]

    bce = LOSSES["binary_cross_entropy"]
    assert shape(bce, Value(-3.0), 0) == shape(bce, Value(0.0), 0) == shape(bce, Value(50.0), 0)
    ce = LOSSES["cross_entropy"]
    assert shape(ce, [Value(1.0), Value(-2.0)], 1) == shape(ce, [Value(-7.0), Value(9.0)], 1)


def test_predict():
    for name in ("svm_max_margin", "mse", "binary_cross_entropy"):
        loss = LOSSES[name]
        assert [loss.predict(x) for x in (0.3, -0.3, 0.0)] == [1, 0, 0]
        assert loss.predict([2.0]) == 1
    ce = LOSSES["cross_entropy"]
    assert ce.predict([0.1, 3.0, -1.0]) == 1
    assert ce.predict([2.0, 2.0, 1.0]) == 0  # the first of equal maxima, like numpy.argmax


def test_sample_accepts_a_one_element_list_for_binary_losses():
    assert LOSSES["mse"].sample([Value(0.5)], 1).data == 0.25
    with pytest.raises(ValueError, match="one output score"):
        LOSSES["mse"].sample([Value(0.5), Value(1.0)], 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: svm_max_margin([Value(1.0)], [2]), "labels 0 or 1"),
        (lambda: mse([Value(1.0)], [-1]), "labels 0 or 1"),
        (lambda: binary_cross_entropy([Value(1.0)], [0.5]), "labels 0 or 1"),
        (lambda: cross_entropy([[Value(1.0), Value(2.0)]], [2]), "labels 0..1"),
        (lambda: svm_max_margin([Value(1.0), Value(2.0)], [1]), "2 outputs but 1 labels"),
        (lambda: cross_entropy([], []), "empty"),
    ],
)
def test_bad_labels_and_batches_are_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_l2_is_micrograds_regularisation():
    params = [Value(x) for x in (0.5, -1.5, 2.0, 0.0)]
    reg = l2(params, 1e-4)
    theirs = 1e-4 * sum(p * p for p in params)  # demo.ipynb's reg_loss
    assert reg.data == theirs.data
    reg.backward()
    assert [p.grad for p in params] == pytest.approx([2e-4 * p.data for p in params], rel=1e-15)
