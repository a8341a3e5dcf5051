"""Edge numbers where the engines once disagreed with each other or with PyTorch (issue 15).

Every case runs on both engines: the reference `Value` graph with `backward()`, and the same graph traced
into a compiled `Program` whose leaves are its parameters. Each is compared with PyTorch float64 where
PyTorch defines the number, and the compiled numbers must equal the reference's exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd.compiled import Program
from micrograd.engine import Value
from micrograd.losses import cross_entropy
from micrograd.optim import AdamW, constant

torch = pytest.importorskip("torch")


def reference(build, *data):
    """(value, grads of the leaves) from the reference engine."""
    leaves = [Value(x) for x in data]
    out = build(*leaves)
    out.backward()
    return float(out.data), [float(leaf.grad) for leaf in leaves]


def compiled(build, *data, at=None):
    """(value, grads of the leaves) from the compiled engine; ``at``: run on other leaf numbers than traced."""
    leaves = [Value(x) for x in data]
    program = Program(build(*leaves), params=leaves)
    if at is not None:
        program.params[:] = at
    value = float(program.forward()[0, 0])
    return value, [float(g) for g in program.backward()]


def pytorch(build, *data):
    leaves = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in data]
    out = build(*leaves)
    out.backward()
    return out.item(), [leaf.grad.item() for leaf in leaves]


def same(a, b) -> bool:
    """Equal floats, nan equal to nan, and the sign of an infinity or a zero counted."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_same(got, want):
    (value, grads), (want_value, want_grads) = got, want
    assert same(value, want_value), (got, want)
    assert len(grads) == len(want_grads) and all(same(g, w) for g, w in zip(grads, want_grads)), (got, want)


def test_sum_adds_left_to_right():
    build = lambda a, b, c: Value.sum([a, b, c])
    want = pytorch(lambda a, b, c: a + b + c, 1e16, -1e16, 1.0)
    assert want[0] == 1.0
    assert_same(reference(build, 1e16, -1e16, 1.0), want)
    assert_same(compiled(build, 1e16, -1e16, 1.0), want)


def test_sum_of_constants_and_inputs_adds_left_to_right_for_every_sample():
    x = Value(0.0)
    total = Value.sum([Value(1e16), x, Value(1.0)])
    program = Program(total, inputs=[x])
    out = program.forward(np.array([[-1e16, 0.0, 5.0]]))
    by_reference = [Value.sum([Value(1e16), Value(x), Value(1.0)]).data for x in (-1e16, 0.0, 5.0)]
    assert out[0].tolist() == by_reference == [1e16 + -1e16 + 1.0, 1e16 + 0.0 + 1.0, 1e16 + 5.0 + 1.0]
    assert by_reference[0] == 1.0


def test_gradient_of_a_node_used_many_times_accumulates_left_to_right():
    # x feeds three products read by one sum: d/dx = 1e16 + -1e16 + 1 = 1 exactly, and 1.0 left to right.
    # (PyTorch's autograd adds the three in its own order and gets 0.0, so the exact number is the check.)
    build = lambda x: Value.sum([x * 1e16, x * -1e16, x * 1.0])
    ref = reference(build, 3.0)
    assert ref[1] == [1.0]
    assert_same(compiled(build, 3.0), ref)


@pytest.mark.parametrize("repeats", [3, 40])  # 40: a long run, which the compiled engine sums with accumulate
def test_gradient_of_a_node_repeated_in_one_sum_accumulates_left_to_right(repeats):
    build = lambda x, y: Value.sum([x] * repeats + [y]) * 0.1
    ref = reference(build, 2.0, 5.0)
    assert ref[1][0] == sum([0.1] * repeats, 0.0)  # 0 + 0.1 + 0.1 + ..., in order
    assert_same(compiled(build, 2.0, 5.0), ref)


def test_cross_entropy_shift_follows_logits_that_grow_in_training():
    # Traced at small logits, then run where they are large: a shift frozen at trace time overflows exp.
    build = lambda a, b: cross_entropy([[a * 1.0, b * 1.0]], [1])
    big = (1000.0, 749.380804141608)
    want = pytorch(lambda a, b: torch.nn.functional.cross_entropy(torch.stack([a, b])[None], torch.tensor([1])), *big)
    assert want[0] == pytest.approx(250.619195858392, abs=1e-9)
    ref = reference(build, *big)
    assert ref[0] == pytest.approx(want[0], rel=1e-15)
    assert ref[1] == pytest.approx(want[1], rel=1e-15)
    assert_same(compiled(build, 0.1, 0.2, at=big), ref)


def test_negative_power_overflow_keeps_the_sign_of_the_base():
    build = lambda x: x**-2
    want = pytorch(build, -1e-110)
    assert want[1] == [math.inf]
    assert_same(reference(build, -1e-110), want)
    assert_same(compiled(build, -1e-110), want)
    odd = lambda x: x**-3  # slope -3 x**-4 overflows too: -inf whatever the sign of x
    want = pytorch(odd, -1e-80)
    assert want[1] == [-math.inf]
    assert_same(reference(odd, -1e-80), want)
    assert_same(compiled(odd, -1e-80), want)


def test_square_at_minus_infinity_has_slope_minus_infinity():
    build = lambda x: x**2
    want = pytorch(build, -math.inf)
    assert want == (math.inf, [-math.inf])
    assert_same(reference(build, -math.inf), want)
    assert_same(compiled(build, -math.inf), want)


def test_zero_to_the_zero_has_slope_zero():
    build = lambda x: x**0
    want = pytorch(build, 0.0)
    assert want == (1.0, [0.0])
    assert_same(reference(build, 0.0), want)
    assert_same(compiled(build, 0.0), want)
    both = lambda x, k: x**k  # the exponent a Value too
    want = pytorch(both, 0.0, 0.0)
    assert_same(reference(both, 0.0, 0.0), want)
    assert_same(compiled(both, 0.0, 0.0), want)


def test_power_zero_at_nan_has_slope_zero():
    build = lambda x: x**0
    want = pytorch(build, math.nan)
    assert want == (1.0, [0.0])
    assert_same(reference(build, math.nan), want)
    assert_same(compiled(build, math.nan), want)


@pytest.mark.parametrize("exponent_is_a_value", [False, True])
def test_negative_base_to_an_infinite_power_is_refused_on_both_engines(exponent_is_a_value):
    # PyTorch says inf with grads (inf, nan); (-2)**n has no limit, so both engines refuse it the same way.
    if exponent_is_a_value:
        build, data = (lambda a, k: a**k), (-2.0, math.inf)
    else:
        build, data = (lambda a: a**math.inf), (-2.0,)
    for engine in (reference, compiled):
        with pytest.raises(ValueError) as error:
            engine(build, *data)
        assert str(error.value).startswith("power of a negative number:")
        assert "not a real number" in str(error.value)


@pytest.mark.parametrize("beta1", [0.0, 0.9])
def test_adamw_matches_torch(beta1):
    # beta1 = 0: bit for bit (torch's lerp makes m == g exactly). beta1 = 0.9: ATen fuses lerp's
    # multiply-add, NumPy rounds twice, so only to a few ulps.
    rng = np.random.default_rng(15)
    n, steps = 13, 6  # 13: ATen's vectorised loop and its scalar tail both run
    start = rng.normal(size=n)
    grads = [rng.normal(size=n) * 10.0 ** rng.integers(-6, 3, size=n) for _ in range(steps)]
    params = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    torch_opt = torch.optim.AdamW([params], lr=0.01, betas=(beta1, 0.999), eps=1e-8, weight_decay=0.01)
    ours, data = AdamW(lr=constant(0.01), betas=(beta1, 0.999), eps=1e-8, weight_decay=0.01), start.copy()
    for g in grads:
        params.grad = torch.tensor(g, dtype=torch.float64)
        torch_opt.step()
        ours.update(data, g)
        if beta1 == 0.0:
            assert data.tolist() == params.detach().numpy().tolist()
        else:
            np.testing.assert_allclose(data, params.detach().numpy(), rtol=1e-14, atol=0)
