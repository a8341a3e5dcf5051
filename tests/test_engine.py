"""The Value engine against independent references: karpathy/micrograd's published numbers and tests,
PyTorch (float64) where installed, and central finite differences always."""

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd.engine import Value


def finite_difference(f, xs, i, h=1e-6):
    """d f / d xs[i] by a central difference, f taking plain floats."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def close(a, b, tol=1e-5):
    return abs(a - b) <= tol * (1 + abs(b))


# ---- karpathy/micrograd's README and test/test_engine.py ------------------------------------------


def readme_program(a, b):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_readme_example_prints_the_published_numbers():
    a, b = Value(-4.0), Value(2.0)
    g = readme_program(a, b)
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def sanity_program(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return y


def test_sanity_check_against_torch(torch):
    x = Value(-4.0)
    y = sanity_program(x)
    y.backward()
    xt = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    yt = sanity_program(xt)
    yt.backward()
    assert y.data == yt.data.item()
    assert x.grad == xt.grad.item()


def test_more_ops_against_torch(torch):
    a, b = Value(-4.0), Value(2.0)
    g = readme_program(a, b)
    g.backward()
    at = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    gt = readme_program(at, bt)
    gt.backward()
    tol = 1e-6
    assert abs(g.data - gt.data.item()) < tol
    assert abs(a.grad - at.grad.item()) < tol
    assert abs(b.grad - bt.grad.item()) < tol


# ---- every op, against PyTorch and finite differences ------------------------------------------------

# name -> (function of the operands, operand values). Each function works on Values, torch tensors and floats.
BINARY_OPS = {
    "add": (lambda a, b: a + b, [(1.5, -2.0), (0.0, 3.0)]),
    "sub": (lambda a, b: a - b, [(1.5, -2.0), (-0.25, 4.0)]),
    "mul": (lambda a, b: a * b, [(1.5, -2.0), (0.5, 0.0)]),
    "div": (lambda a, b: a / b, [(1.5, -2.0), (-3.0, 0.25)]),
    "pow_value": (lambda a, b: a**b, [(1.5, -2.0), (0.3, 2.5), (4.0, 0.5)]),
    "radd": (lambda a, b: 2.5 + a * b, [(1.5, -2.0)]),
    "rsub": (lambda a, b: 2.5 - a * b, [(1.5, -2.0)]),
    "rmul": (lambda a, b: 2.5 * (a + b), [(1.5, -2.0)]),
    "rtruediv": (lambda a, b: 2.5 / (a + b), [(1.5, -2.25)]),
    "rpow": (lambda a, b: 2.5 ** (a * b), [(1.5, -2.0)]),
}

UNARY_OPS = {
    "neg": (lambda a: -a, [1.5, -2.0]),
    "relu": (lambda a: a.relu(), [1.5, -2.0]),
    "tanh": (lambda a: a.tanh(), [0.7, -2.0, 0.0]),
    "sigmoid": (lambda a: a.sigmoid(), [0.7, -2.0, 0.0, 30.0, -30.0]),
    "exp": (lambda a: a.exp(), [0.7, -2.0, 5.0]),
    "log": (lambda a: a.log(), [0.7, 2.0, 1e-3]),
    "pow2": (lambda a: a**2, [1.5, -2.0]),
    "pow3": (lambda a: a**3, [1.5, -2.0]),
    "pow_neg1": (lambda a: a**-1, [1.5, -2.0]),
    "pow_half": (lambda a: a**0.5, [1.5, 0.01]),
    "pow_neg_half": (lambda a: a**-0.5, [1.5, 4.0]),
    "pow_int_float": (lambda a: a**2.0, [-1.5]),
}

# Finite differences evaluate through Values, forward only (Python floats have no .relu/.tanh/...).


def value_fn(fn):
    return lambda xs: fn(*[Value(x) for x in xs]).data


def check_against_torch(torch, fn, xs):
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out_t = fn(*ts)  # tensors have the same operators and .relu/.tanh/.sigmoid/.exp/.log methods
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-14, abs=1e-300)
    for v, t in zip(vs, ts):
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_op_against_torch(torch, name):
    fn, cases = BINARY_OPS[name]
    for xs in cases:
        check_against_torch(torch, fn, xs)


@pytest.mark.parametrize("name", UNARY_OPS)
def test_unary_op_against_torch(torch, name):
    fn, cases = UNARY_OPS[name]
    for x in cases:
        check_against_torch(torch, fn, [x])


@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_op_against_finite_differences(name):
    fn, cases = BINARY_OPS[name]
    for xs in cases:
        vs = [Value(x) for x in xs]
        fn(*vs).backward()
        for i, v in enumerate(vs):
            assert close(v.grad, finite_difference(value_fn(fn), xs, i)), (name, xs, i)


@pytest.mark.parametrize("name", [n for n in UNARY_OPS if n != "relu"])
def test_unary_op_against_finite_differences(name):
    fn, cases = UNARY_OPS[name]
    for x in cases:
        v = Value(x)
        fn(v).backward()
        h = 1e-7 if abs(x) < 0.1 else 1e-6
        assert close(v.grad, finite_difference(value_fn(fn), [x], 0, h)), (name, x)


def test_relu_slopes():
    for x, slope in [(2.0, 1.0), (-2.0, 0.0), (0.0, 0.0)]:  # 0 at the kink, like PyTorch
        v = Value(x)
        v.relu().backward()
        assert v.grad == slope


def test_forward_values_against_math():
    assert Value(0.7).tanh().data == math.tanh(0.7)
    assert Value(0.7).exp().data == math.exp(0.7)
    assert Value(0.7).log().data == math.log(0.7)
    assert Value(0.7).sigmoid().data == pytest.approx(1 / (1 + math.exp(-0.7)), rel=1e-15)
    assert Value(-3.0).relu().data == 0
    assert (Value(2.0) ** Value(3.0)).data == 8.0


def test_sum_node_matches_a_chain_of_adds_bit_for_bit():
    rng = random.Random(7)
    for _ in range(50):
        xs = [rng.uniform(-1e3, 1e3) * 10 ** rng.randint(-8, 8) for _ in range(rng.randint(1, 30))]
        chain = Value(xs[0])
        for x in xs[1:]:
            chain = chain + x
        node = Value.sum(Value(x) for x in xs)
        assert node.data == chain.data
        assert node.op == "+" and len(node.children) == len(xs)
    vs = [Value(1.0), Value(2.0), Value(3.0)]
    Value.sum(vs + [vs[0]]).backward()  # a repeated operand counts twice
    assert [v.grad for v in vs] == [2.0, 1.0, 1.0]
    assert Value.sum([]).data == 0.0


def test_graph_records_micrograd_constructions():
    a, b = Value(3.0), Value(2.0)
    assert (a - b).op == "+" and (a - b).children[1].op == "*"  # a + (b * -1)
    assert (-a).op == "*" and (-a).children[1].data == -1
    q = a / b
    assert q.op == "*" and q.children[1].op == "**-1"
    assert (a**b).op == "**" and (a**b).children == (a, b)
    assert (a * a).children == (a, a)
    assert (a * b).local_grads == (2.0, 3.0)


# ---- property tests over random expression graphs ----------------------------------------------------

# Ops for random programs: each takes two operands (some ignore the second). All are smooth where the
# finite-difference test uses them; "relu" is only in the torch comparison.
PROGRAM_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "tanh": lambda a, b: (a * b).tanh(),
    "sigmoid": lambda a, b: (a - b).sigmoid(),
    "exp": lambda a, b: a.tanh().exp(),
    "log": lambda a, b: (a * a + 1).log(),
    "square": lambda a, b: a**2,
    "power": lambda a, b: (a * a + 1) ** b.tanh(),
    "relu": lambda a, b: (a + b).relu(),
}
SMOOTH_OPS = [name for name in PROGRAM_OPS if name != "relu"]


def programs(ops):
    step = st.tuples(st.sampled_from(ops), st.integers(0, 100), st.integers(0, 100))
    leaves = st.lists(st.floats(-2, 2, allow_nan=False).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=4)
    return st.tuples(leaves, st.lists(step, min_size=1, max_size=12))


def run_program(program, leaves):
    """Each step combines two earlier nodes (so nodes are shared: a DAG, not a tree); the output sums them all."""
    nodes = list(leaves)
    for name, i, j in program:
        nodes.append(PROGRAM_OPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    out = nodes[len(leaves)]
    for node in nodes[len(leaves) + 1 :]:
        out = out + node
    return out, nodes


def bounded(nodes):
    return all(math.isfinite(float(n.data)) and abs(float(n.data)) < 1e4 for n in nodes)


@settings(max_examples=80, deadline=None)
@given(programs(SMOOTH_OPS))
def test_random_graphs_against_finite_differences(case):
    xs, program = case
    leaves = [Value(x) for x in xs]
    out, nodes = run_program(program, leaves)
    assume(bounded(nodes))
    out.backward()

    def f(values):
        return run_program(program, [Value(v) for v in values])[0].data

    for i, leaf in enumerate(leaves):
        assert close(leaf.grad, finite_difference(f, xs, i), tol=1e-4), (program, i)


@settings(max_examples=80, deadline=None)
@given(programs(list(PROGRAM_OPS)))
def test_random_graphs_against_torch(torch, case):
    xs, program = case
    leaves = [Value(x) for x in xs]
    out, nodes = run_program(program, leaves)
    assume(bounded(nodes))
    out.backward()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out_t, _ = run_program(program, tensors)
    out_t.backward()
    assert out.data == pytest.approx(out_t.item(), rel=1e-12, abs=1e-12)
    for leaf, t in zip(leaves, tensors):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert leaf.grad == pytest.approx(expected, rel=1e-9, abs=1e-9), program


# ---- Value ** Value ------------------------------------------------------------------------------------


@pytest.mark.parametrize("base, exponent", [(2.0, 3.0), (0.5, -1.5), (3.0, 0.0), (7.0, 0.5)])
def test_value_power_value_against_torch_and_math(torch, base, exponent):
    a, b = Value(base), Value(exponent)
    out = a**b
    out.backward()
    assert out.data == pytest.approx(base**exponent, rel=1e-15)
    assert a.grad == pytest.approx(exponent * base ** (exponent - 1), rel=1e-12)
    assert b.grad == pytest.approx(base**exponent * math.log(base), rel=1e-12, abs=1e-15)
    ta = torch.tensor(base, requires_grad=True)
    tb = torch.tensor(exponent, requires_grad=True)
    (ta**tb).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12, abs=1e-15)


def test_value_power_value_edge_cases_follow_torch(torch):
    # 0 ** b (b > 0): slope in b taken as 0, PyTorch's convention.
    a, b = Value(0.0), Value(2.0)
    (a**b).backward()
    ta, tb = torch.tensor(0.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    (ta**tb).backward()
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item()) == (0.0, 0.0)
    # A negative base with a whole exponent is fine; its slope in the exponent is undefined (nan).
    a, b = Value(-2.0), Value(3.0)
    out = a**b
    out.backward()
    assert out.data == -8.0 and a.grad == 12.0 and math.isnan(b.grad)
    ta, tb = torch.tensor(-2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    (ta**tb).backward()
    assert math.isnan(tb.grad.item())


def test_number_to_the_power_of_a_value():
    x = Value(1.5)
    out = 2**x
    out.backward()
    assert out.data == 2**1.5
    assert x.grad == pytest.approx(2**1.5 * math.log(2), rel=1e-15)


# ---- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Value(1000.0).exp(), ["exp", "1000"]),
        (lambda: Value(0.0).log(), ["log", "0.0"]),
        (lambda: Value(-2.5).log(), ["log", "-2.5"]),
        (lambda: Value(0.0) ** -1, ["0", "-1"]),
        (lambda: Value(0.0) ** Value(-0.5), ["0", "-0.5"]),
        (lambda: 1.0 / Value(0.0), ["0", "-1"]),
        (lambda: Value(-8.0) ** (1 / 3), ["-8.0", "negative"]),
        (lambda: Value(-2.0) ** Value(0.5), ["-2.0", "negative"]),
        (lambda: Value(10.0) ** 400, ["overflow", "400"]),
    ],
)
def test_errors_are_value_errors_naming_the_op_and_input(make, words):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert "power" in message or "exp" in message or "log" in message
    for word in words:
        assert word in message, (word, message)
    assert "math domain error" not in message


def test_a_non_number_exponent_is_a_type_error_even_under_python_O():
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** "3"


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300])
def test_tanh_and_sigmoid_saturate_without_overflow(x):
    t, s = Value(x), Value(x)
    out_t, out_s = t.tanh(), s.sigmoid()
    out_t.backward()
    out_s.backward()
    assert out_t.data == math.copysign(1.0, x) and t.grad == 0.0
    assert out_s.data == (1.0 if x > 0 else 0.0) and s.grad == 0.0


# ---- backward: depth, accumulation, zero_grad ----------------------------------------------------------


def test_chain_100000_deep():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    expected = 1.00001**100_000
    assert y.data == pytest.approx(expected, rel=1e-9)
    assert x.grad == pytest.approx(expected, rel=1e-9)
    y.zero_grad()
    assert x.grad == 0 and y.grad == 0


def test_gradients_accumulate_across_backward_calls(torch):
    # The same leaf in two separate graphs: each backward adds, as in micrograd and PyTorch.
    x = Value(3.0)
    (x * x).backward()
    (x * 5.0 + 1.0).backward()
    xt = torch.tensor(3.0, requires_grad=True)
    (xt * xt).backward()
    (xt * 5.0 + 1.0).backward()
    assert x.grad == xt.grad.item() == 11.0


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c.tanh() + a
    d.backward()
    assert a.grad != 0 and b.grad != 0 and c.grad != 0
    d.zero_grad()
    assert [n.grad for n in d.topological_order()] == [0] * len(d.topological_order())
    d.backward()
    first = (a.grad, b.grad)
    d.zero_grad()
    d.backward()
    assert (a.grad, b.grad) == first  # zeroed, so the second pass gives the same numbers


def test_topological_order_puts_children_first_and_the_root_last():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = e.topological_order()
    assert order[-1] is e
    assert len(order) == len({id(n) for n in order}) == 5
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]


def test_micrograd_style_attributes():
    v = Value(2.0)
    assert v.grad == 0 and v._op == "" and len(v._prev) == 0
    w = v * 3
    assert v in w._prev and w._op == "*"
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0)"
