"""The compiled engine against the reference engine (every node's data and grad), finite differences, and
its errors. The reference engine is itself checked against PyTorch in test_engine.py."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd.compiled import CompileError, Program
from micrograd.engine import Value
from micrograd.losses import l2
from micrograd.nn import MLP


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_) or (math.isnan(a) and math.isnan(b))


# ---- random graphs ------------------------------------------------------------------------------------
# A recipe is a list of steps over earlier nodes; `build` turns it into Values. Operands that could leave a
# function's domain are squashed first (sigmoid + 0.5 is in (0.5, 1.5)), so every recipe is well defined.


def positive(v):
    return v.sigmoid() + 0.5


STEPS = {
    "add": lambda v, w, k: v + w,
    "sub": lambda v, w, k: v - w,
    "mul": lambda v, w, k: v * w,
    "neg": lambda v, w, k: -v,
    "div": lambda v, w, k: v / positive(w),
    "powk": lambda v, w, k: positive(v) ** k,
    "square": lambda v, w, k: v**2,
    "pow": lambda v, w, k: positive(v) ** w.tanh(),
    "rpow": lambda v, w, k: 2.0 ** v.tanh(),
    "relu": lambda v, w, k: v.relu(),
    "tanh": lambda v, w, k: v.tanh(),
    "exp": lambda v, w, k: (v.tanh() * 3).exp(),
    "log": lambda v, w, k: positive(v).log(),
    "sigmoid": lambda v, w, k: v.sigmoid(),
    "const": lambda v, w, k: v * k + k,
}

dyadic = st.integers(-16, 16).map(lambda i: i / 8)  # sums of these are exact, so no engine sits on a kink by rounding
step = st.tuples(
    st.sampled_from(sorted(STEPS) + ["sum", "dot"]),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.sampled_from([-2, -1, 0.5, 1.5, 2, 3]),
)
recipe = st.fixed_dictionaries(
    {
        "leaves": st.lists(dyadic, min_size=2, max_size=5),
        "steps": st.lists(step, min_size=1, max_size=12),
        "params": st.lists(st.booleans(), min_size=5, max_size=5),
    }
)


def build(r, leaf_values=None):
    """(leaves, output) for a recipe; `leaf_values` replaces the leaves' numbers (a batch column)."""
    leaves = [Value(x) for x in (r["leaves"] if leaf_values is None else leaf_values)]
    nodes = list(leaves)
    for name, i, j, k in r["steps"]:
        v, w = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if name == "sum":
            out = Value.sum(nodes[-3:] + [v])
        elif name == "dot":  # parameter * node terms in one sum: the folded, matrix-product path
            out = Value.sum([leaves[0]] + [p * n for p, n in zip(leaves, nodes[-len(leaves) :][::-1])])
        else:
            out = STEPS[name](v, w, k)
        nodes.append(out)
    return leaves, Value.sum(nodes[-2:]) * 0.5


def split(r, leaves):
    params = [x for x, is_param in zip(leaves, r["params"]) if is_param]
    inputs = [x for x, is_param in zip(leaves, r["params"]) if not is_param]
    return params, inputs


@settings(max_examples=60, deadline=None)
@given(recipe)
def test_random_graph_matches_reference_on_every_node(r):
    leaves, out = build(r)
    out.backward()
    expected = [(n.data, n.grad) for n in out.topological_order()]

    leaves2, out2 = build(r)
    params, inputs = split(r, leaves2)
    program = Program(out2, inputs=inputs, params=params)
    program.forward(np.array([[x.data] for x in inputs]).reshape(len(inputs), 1))
    program.backward()
    for n in out2.topological_order():
        n.data, n.grad = math.nan, math.nan
    program.write_back()
    got = [(n.data, n.grad) for n in out2.topological_order()]
    assert len(got) == len(expected)
    for (d, g), (d2, g2) in zip(expected, got):
        assert close(d, d2) and close(g, g2), (d, g, d2, g2)


@settings(max_examples=30, deadline=None)
@given(recipe, st.lists(st.lists(dyadic, min_size=5, max_size=5), min_size=1, max_size=4))
def test_a_batch_runs_like_one_graph_per_sample(r, columns):
    n = len(r["leaves"])
    leaves, out = build(r)
    params, inputs = split(r, leaves)
    program = Program(out, inputs=inputs, params=params)
    is_input = [not p for p in r["params"][:n]]
    batch = np.array([[c[i] for c in columns] for i in range(n) if is_input[i]]).reshape(len(inputs), len(columns))
    got = program.forward(batch)[0]
    param_grad = program.backward()

    expected_grad = np.zeros(len(params))
    for b, column in enumerate(columns):
        values = [column[i] if is_input[i] else r["leaves"][i] for i in range(n)]
        ref_leaves, ref_out = build(r, values)
        ref_out.backward()
        assert close(ref_out.data, got[b])
        expected_grad += [x.grad for x, is_param in zip(ref_leaves, r["params"]) if is_param]
    assert np.allclose(param_grad, expected_grad, rtol=1e-9, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(recipe)
def test_parameter_grads_match_finite_differences(r):
    leaves, out = build(r)
    params, inputs = split(r, leaves)
    program = Program(out, inputs=inputs, params=params)
    x = np.array([[v.data] for v in inputs]).reshape(len(inputs), 1)
    program.forward(x)
    grad = program.backward().copy()
    kinks = [c.data for n in out.topological_order() if n.op == "ReLU" for c in n.children]
    if any(abs(k) < 1e-3 for k in kinks):
        return  # a central difference straddling a ReLU kink measures neither side
    h = 1e-6
    for i in range(len(params)):
        saved = program.params[i]
        program.params[i] = saved + h
        up = program.forward(x)[0, 0]
        program.params[i] = saved - h
        down = program.forward(x)[0, 0]
        program.params[i] = saved
        assert math.isclose(grad[i], (up - down) / (2 * h), rel_tol=1e-4, abs_tol=1e-5)


# ---- micrograd's demo graph ---------------------------------------------------------------------------


def demo_loss(model, X, y):
    scores = [model([Value(a), Value(b)]) for a, b in X]
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    return Value.sum(losses) * (1.0 / len(losses)) + l2(model.parameters(), 1e-4)


def test_demo_loss_graph_same_loss_and_grads():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2)), rng.choice([-1.0, 1.0], size=20)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    loss = demo_loss(model, X, y)
    program = Program(loss, params=model.parameters())
    assert program.folded, "the neurons' w*x products should be folded into matrix products"
    value = program.forward()[0, 0]
    grad = program.backward()
    loss.backward()
    assert close(value, loss.data)
    assert np.allclose(grad, [p.grad for p in model.parameters()], rtol=1e-9, atol=1e-15)


def test_parameters_are_updated_in_place_and_shared():
    a, b = Value(2.0), Value(3.0)
    params = np.array([2.0, 3.0])
    first = Program(a * b, params=[a, b], param_data=params)
    second = Program(a + b, params=[a, b], param_data=params)
    params -= 1.0  # what an optimizer's update does
    assert first.forward()[0, 0] == 2.0 and second.forward()[0, 0] == 3.0


def test_write_back_fills_folded_products():
    w, x = Value(3.0, label="w"), Value(0.0, label="x")
    product = w * x
    out = Value.sum([Value(1.0), product]).relu()
    program = Program(out, inputs=[x], params=[w])
    assert id(product) in program.folded
    program.forward(np.array([[2.0, 5.0]]))
    program.backward()
    program.write_back(column=1)
    assert (x.data, product.data, out.data) == (5.0, 15.0, 16.0)
    assert product.grad == 1.0 and x.grad == 3.0
    assert w.grad == 7.0  # summed over the batch: 2 + 5


def test_leaf_grads_false_leaves_input_grads_alone():
    w, x = Value(3.0), Value(2.0)
    x.grad = "untouched"
    program = Program(w * x + 1, inputs=[x], params=[w], leaf_grads=False)
    program.forward(np.array([2.0]))
    assert program.backward()[0] == 2.0
    program.write_back()
    assert x.grad == "untouched"


def test_structure_equal_when_only_constants_differ():
    def trace(t):
        x, w = Value(0.0), Value(1.0)
        return Program((1 + -t * (w * x)).relu(), inputs=[x], params=[w])

    a, b = trace(1), trace(-1)
    assert a.structure == b.structure and list(a.constants) != list(b.constants)
    x, w = Value(0.0), Value(1.0)
    assert Program((1 + w * x).tanh(), inputs=[x], params=[w]).structure != a.structure


# ---- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "node",
    [
        Value(1.0, (Value(2.0),), "sin", _local=(0.5,)),
        Value(1.0, (Value(2.0),), "**two", _local=(0.5,)),
        Value(1.0, (Value(2.0), Value(3.0)), "*", _local=(1.0,)),
        Value(1.0, (Value(2.0), Value(3.0)), "tanh", _local=(1.0, 1.0)),
    ],
)
def test_unsupported_graph_is_a_clear_error(node):
    with pytest.raises(CompileError, match="cannot compile"):
        Program(node * 2)


def test_non_leaf_input_is_rejected():
    a = Value(1.0)
    with pytest.raises(CompileError, match="leaf"):
        Program(a * 2, inputs=[a + 1])


@pytest.mark.parametrize(
    "make, x, message",
    [
        (lambda x: x.log(), -1.0, "log of a non-positive number"),
        (lambda x: x.log(), 0.0, "log of a non-positive number"),
        (lambda x: x.exp(), 1000.0, "exp overflow"),
        (lambda x: x**-1, 0.0, "power of zero"),
        (lambda x: x**0.5, -4.0, "power of a negative number"),
        (lambda x: x**3, 1e200, "power overflow"),
        (lambda x: x ** Value(0.5), -4.0, "power of a negative number"),
    ],
)
def test_domain_errors_match_the_reference(make, x, message):
    leaf = Value(1.0, label="x")
    program = Program(make(leaf), inputs=[leaf])
    with pytest.raises(ValueError, match=message):
        make(Value(x))  # the reference engine says the same
    with pytest.raises(ValueError, match=message + r".*sample 1"):
        program.forward(np.array([[1.0, x]]))


def test_first_nonfinite_names_where_it_started():
    x, y = Value(0.0, label="x"), Value(10.0, label="y")
    product = x * y
    product.label = "product"
    program = Program((product + 1).tanh(), inputs=[x])
    program.forward(np.array([[1.0, 1e308]]))
    node, sample = program.first_nonfinite()
    assert node is product and sample == 1
    program.forward(np.array([[1.0, 2.0]]))
    assert program.first_nonfinite() is None


def test_a_long_chain_matches_the_reference_engine():
    # One node per depth: run as ScalarRun steps (micrograd/compiled_scalar.py), more than one run of them.
    def chain(x, w):
        out = x
        for i in range(1500):
            out = (out * w + 0.1).tanh() if i % 3 == 0 else out * 1.0001 + x if i % 3 == 1 else out**2 * 0.5
        return out

    x, w = Value(0.3), Value(0.9)
    reference = chain(x, w)
    reference.backward()
    x2, w2 = Value(0.0), Value(0.9)
    program = Program(chain(x2, w2), inputs=[x2], params=[w2])
    out = program.forward(np.array([[0.3, 0.3]]))
    assert out[0].tolist() == [reference.data, reference.data]
    param_grad = program.backward(np.array([[1.0, 0.0]]))
    assert param_grad.tolist() == [w.grad]
    program.write_back()
    assert x2.grad == x.grad
