"""The backprop and forward steppers: same numbers as backward(), exact undo, readable rule text."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_expression import README_EXAMPLE  # pytest puts tests/ on sys.path (no __init__.py)

from micrograd.engine import Value
from micrograd.expression import evaluate
from micrograd.stepper import BackwardStepper, ForwardStepper


def labelled(v, name):
    v.label = name
    return v


def readme_graph():
    """micrograd's README example, each node labelled with the variable that names it."""
    a = labelled(Value(-4.0), "a")
    b = labelled(Value(2.0), "b")
    c = labelled(a + b, "c")
    d = labelled(a * b + b**3, "d")
    c = labelled(c + c + 1, "c")
    c = labelled(c + 1 + c + (-a), "c")
    d = labelled(d + d * 2 + (b + a).relu(), "d")
    d = labelled(d + 3 * d + (b - a).relu(), "d")
    e = labelled(c - d, "e")
    f = labelled(e**2, "f")
    g = labelled(f / 2.0, "g")
    g = labelled(g + 10.0 / f, "g")
    return a, b, g


def backward_grads(root):
    """Grads from the engine's own backward() on a zeroed graph, keyed by node id."""
    root.zero_grad()
    root.backward()
    grads = {id(n): n.grad for n in root.topological_order()}
    root.zero_grad()
    return grads


def assert_same_as_backward(root):
    expected = backward_grads(root)
    stepper = BackwardStepper(root)
    stepper.run_to_end()
    stepper.apply_to_values()
    for node in root.topological_order():
        # Exact, sign of zero included: the stepper must do backward()'s arithmetic, not an approximation.
        assert repr(node.grad) == repr(expected[id(node)])
        assert type(node.grad) is type(expected[id(node)])


def test_readme_example_grads_equal_backward_and_the_published_numbers():
    a, b, g = readme_graph()
    assert_same_as_backward(g)
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"  # micrograd's README: dg/da
    assert f"{b.grad:.4f}" == "645.5773"  # and dg/db


def test_readme_grads_against_finite_differences():
    a, b, g = readme_graph()
    stepper = BackwardStepper(g)
    stepper.run_to_end()
    h = 1e-6
    da = (_readme_value(-4.0 + h, 2.0) - _readme_value(-4.0 - h, 2.0)) / (2 * h)
    db = (_readme_value(-4.0, 2.0 + h) - _readme_value(-4.0, 2.0 - h)) / (2 * h)
    assert stepper.grad_of(a) == pytest.approx(da, rel=1e-6)
    assert stepper.grad_of(b) == pytest.approx(db, rel=1e-6)


def _readme_value(a, b):
    """The README expression in plain floats: an independent reference for the finite differences."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + max(b + a, 0)
    d += 3 * d + max(b - a, 0)
    e = c - d
    f = e**2
    return f / 2.0 + 10.0 / f


def test_stepping_never_touches_the_values_until_applied():
    a, b, g = readme_graph()
    stepper = BackwardStepper(g)
    stepper.run_to_end()
    assert all(n.grad == 0 for n in g.topological_order())
    stepper.goto(3)
    stepper.apply_to_values()  # a partial pass: reached nodes get their sums so far, pending ones 0
    assert g.grad == 1
    assert a.grad == 0


def test_first_three_readme_steps_text():
    a, b, g = readme_graph()
    stepper = BackwardStepper(g)
    first = stepper.next()
    assert first.node is g and first.seed and first.grad == 1
    assert first.lines == (
        "g.grad = 1  (∂g/∂g: backprop starts at the output)",
        "g#34.grad += g.grad  →  0.0000 += 1.0000  =  1.0000",  # the older g (f / 2.0) gets its id
        "#37.grad += g.grad  →  0.0000 += 1.0000  =  1.0000",
    )
    second = stepper.next()
    assert second.node.label == "g" and second.node is not g
    assert second.lines == (
        "f.grad += #33.data × g#34.grad  →  0.0000 += 0.5000 × 1.0000  =  0.5000",
        "#33.grad += f.data × g#34.grad  →  0.0000 += 49.0000 × 1.0000  =  49.0000",
    )
    third = stepper.next()
    assert third.lines == (
        "#35.grad += #36.data × #37.grad  →  0.0000 += 10.0000 × 1.0000  =  10.0000",
        "#36.grad += #35.data × #37.grad  →  0.0000 += 0.0204 × 1.0000  =  0.0204",
    )
    assert [u.after for u in third.updates] == [10.0, 1 / 49]


def test_readme_through_the_expression_language():
    program = evaluate(README_EXAMPLE)
    g, a, b = program.values["g"], program.values["a"], program.values["b"]
    backward = {id(n): n.grad for n in g.topological_order()}  # the program ran g.backward()
    g.zero_grad()
    stepper = BackwardStepper(g)
    assert [stepper.next().lines for _ in range(2)] == [
        (
            "g.grad = 1  (∂g/∂g: backprop starts at the output)",
            "g (line 13).grad += g.grad  →  0.0000 += 1.0000  =  1.0000",
            "(10.0 / f).grad += g.grad  →  0.0000 += 1.0000  =  1.0000",
        ),  # named by its source text
        (
            "f.grad += (0.5).data × g (line 13).grad  →  0.0000 += 0.5000 × 1.0000  =  0.5000",  # a constant: its value
            "(0.5).grad += f.data × g (line 13).grad  →  0.0000 += 49.0000 × 1.0000  =  49.0000",
        ),
    ]
    stepper.run_to_end()
    stepper.apply_to_values()
    assert {id(n): n.grad for n in g.topological_order()} == backward
    assert (f"{a.grad:.4f}", f"{b.grad:.4f}") == ("138.8338", "645.5773")


def test_pending_partial_and_final():
    a = labelled(Value(2.0), "a")
    b = labelled(a * 3.0, "b")
    c = labelled(a + b, "c")  # a reaches c twice: directly and through b
    stepper = BackwardStepper(c)
    assert stepper.position == 0 and stepper.current is None
    assert all(stepper.grad_of(n) is None for n in (a, b, c))
    stepper.next()  # c: passes 1 to a and to b
    assert stepper.grad_of(c) == 1 and stepper.is_final(c)
    assert stepper.grad_of(a) == 1.0 and not stepper.is_final(a)  # partial: b's share is still to come
    assert stepper.grad_of(b) == 1.0 and stepper.is_final(b)
    stepper.next()  # b: passes 3 to a
    assert stepper.grad_of(a) == 4.0 and stepper.is_final(a)
    assert stepper.is_done and stepper.next() is None


def test_previous_is_an_exact_undo_and_goto_replays():
    a, b, g = readme_graph()
    nodes = g.topological_order()
    stepper = BackwardStepper(g)
    snapshots = []
    while True:
        snapshots.append([stepper.grad_of(n) for n in nodes])
        if stepper.next() is None:
            break
    assert len(snapshots) == stepper.total + 1
    for position in range(stepper.total, -1, -1):
        assert stepper.position == position
        assert [stepper.grad_of(n) for n in nodes] == snapshots[position]
        stepper.previous()
    assert stepper.previous() is None and stepper.position == 0
    fresh = BackwardStepper(g)
    for position in (7, 2, stepper.total, 0, 5):
        fresh.goto(position)
        assert [fresh.grad_of(n) for n in nodes] == snapshots[position]
    fresh.run_to_end()
    assert fresh.is_done and fresh.current.position == fresh.total
    fresh.restart()
    assert fresh.position == 0 and all(fresh.grad_of(n) is None for n in nodes)


@pytest.mark.parametrize("bad", [-1, 10_000, 1.5, "3", True])
def test_goto_refuses_bad_positions(bad):
    stepper = BackwardStepper(readme_graph()[2])
    with pytest.raises(ValueError, match="stepper position"):
        stepper.goto(bad)


def test_a_node_used_twice_by_one_parent():
    a = labelled(Value(3.0), "a")
    b = labelled(a * a, "b")
    stepper = BackwardStepper(b)
    step = stepper.next()
    assert [u.child for u in step.updates] == [a, a]
    assert step.lines[1:] == (
        "a.grad += a.data × b.grad  →  0.0000 += 3.0000 × 1.0000  =  3.0000",
        "a.grad += a.data × b.grad  →  3.0000 += 3.0000 × 1.0000  =  6.0000",
    )
    assert stepper.grad_of(a) == 6.0
    stepper.previous()
    assert stepper.grad_of(a) is None


def test_a_leaf_root_is_one_seed_step():
    x = labelled(Value(5.0), "x")
    stepper = BackwardStepper(x)
    assert stepper.total == 1
    stepper.run_to_end()
    stepper.apply_to_values()
    assert x.grad == 1 and stepper.current.lines == ("x.grad = 1  (∂x/∂x: backprop starts at the output)",)


def one_step_lines(node):
    stepper = BackwardStepper(node)
    return stepper.next().lines[1:]


LINE = re.compile(
    r"^(?P<child>\S+)\.grad \+= (?P<formula>.+) → {2}(?P<before>\S+) \+= "
    r"(?:(?P<local>\S+) × )?(?P<grad>\S+) {2}= {2}(?P<after>\S+)$"
)


@pytest.mark.parametrize(
    "build, formula",
    [
        (lambda a, b: a + b, "c.grad"),
        (lambda a, b: Value.sum([a, b, a]), "c.grad"),
        (lambda a, b: a * b, "b.data × c.grad"),
        (lambda a, b: a**3, "3 × a.data**2 × c.grad"),
        (lambda a, b: a**-1, "-1 × a.data**-2 × c.grad"),
        (lambda a, b: a**0.5, "0.5 × a.data**-0.5 × c.grad"),
        (lambda a, b: a**b, "b.data × a.data**(b.data - 1) × c.grad"),
        (lambda a, b: a.relu(), "(1 if a.data > 0 else 0) × c.grad"),
        (lambda a, b: a.tanh(), "(1 - c.data²) × c.grad"),
        (lambda a, b: a.exp(), "c.data × c.grad"),
        (lambda a, b: a.log(), "1 / a.data × c.grad"),
        (lambda a, b: a.sigmoid(), "c.data × (1 - c.data) × c.grad"),
    ],
)
def test_rule_text_for_every_op_shows_the_numbers_it_applies(build, formula):
    a = labelled(Value(2.0), "a")
    b = labelled(Value(0.5), "b")
    out = labelled(build(a, b), "c")
    stepper = BackwardStepper(out * -1.5)  # so c's upstream grad is -1.5, not the seed's 1
    stepper.next()
    step = stepper.next()
    assert step.node is out and step.grad == -1.5
    first = LINE.match(step.lines[0])
    assert first, step.lines[0]
    assert first["formula"] == formula + " "
    for line, update in zip(step.lines, step.updates):
        m = LINE.match(line)
        assert m["child"] == stepper.name_of(update.child)
        # The numbers shown are the numbers applied (to the 4 decimals shown).
        assert float(m["before"]) == pytest.approx(update.before, abs=5e-5)
        assert float(m["local"] or 1) == pytest.approx(update.local, abs=5e-5)
        assert float(m["grad"]) == -1.5
        assert float(m["after"]) == pytest.approx(update.after, abs=5e-5)


def test_rule_numbers_multiply_to_the_update():
    """Each line's numbers, evaluated by hand, give the step's `after` (the text shows what is computed)."""
    a = labelled(Value(1.3), "a")
    out = labelled(((a * 2.0).tanh() + a.sigmoid() * a.exp()).log(), "out")
    stepper = BackwardStepper(out)
    while (step := stepper.next()) is not None:
        for u in step.updates:
            assert u.after == u.before + u.local * step.grad
            assert u.text.endswith(f"=  {u.after:.4f}")  # graph.py's text shows this update's result


def test_forward_stepper_reveals_data_in_topological_order():
    a, b, g = readme_graph()
    fwd = ForwardStepper(g)
    assert fwd.total == len(g.topological_order())
    assert fwd.data_of(a) is None and fwd.data_of(g) is None
    seen = set()
    while (step := fwd.next()) is not None:
        # leaves first: every child was revealed before its parent
        assert all(id(c) in seen for c in step.node.children)
        seen.add(id(step.node))
        assert fwd.data_of(step.node) == step.node.data
    assert fwd.current.node is g
    assert fwd.current.text == "g = g#34 + #37  →  24.7041 = 24.5000 + 0.2041"
    fwd.previous()
    assert fwd.data_of(g) is None and fwd.position == fwd.total - 1
    fwd.goto(0)
    assert fwd.current is None
    with pytest.raises(ValueError):
        fwd.goto(fwd.total + 1)


def test_forward_text_for_every_op():
    a = labelled(Value(-4.0), "a")
    b = labelled(Value(2.0), "b")

    def text(node):
        return ForwardStepper(node).steps[-1].text

    assert text(a) == "a = -4.0000  (leaf)"
    assert text(labelled(a * b, "c")) == "c = a × b  →  -8.0000 = -4.0000 × 2.0000"
    assert text(labelled(Value.sum([a, b, b]), "s")) == "s = a + b + b  →  0.0000 = -4.0000 + 2.0000 + 2.0000"
    assert text(labelled(b**3, "c")) == "c = b**3  →  8.0000 = 2.0000**3"
    assert text(labelled(b**b, "c")) == "c = b**b  →  4.0000 = 2.0000**2.0000"
    assert text(labelled(a.relu(), "r")) == "r = relu(a)  →  0.0000 = relu(-4.0000)"
    assert text(labelled(b.log(), "l")) == "l = log(b)  →  0.6931 = log(2.0000)"
    assert text(labelled(a.sigmoid(), "s")) == "s = sigmoid(a)  →  0.0180 = sigmoid(-4.0000)"


# ---- random graphs: the stepper must agree with backward() bit for bit ---------------------------------

OPS = ("add", "mul", "sum", "pow", "powv", "relu", "tanh", "exp", "log", "sigmoid", "neg", "div")


def build_random_graph(leaves, program):
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    for op, i, j in program:
        x, y = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "add":
            out = x + y
        elif op == "mul":
            out = x * y
        elif op == "sum":
            out = Value.sum([x, y, x])
        elif op == "pow":
            out = x**2 if abs(x.data) < 1e3 else x.tanh()
        elif op == "powv":
            out = (x * x + 1) ** y.tanh()  # a positive base, a bounded exponent
        elif op == "relu":
            out = x.relu()
        elif op == "tanh":
            out = x.tanh()
        elif op == "exp":
            out = x.tanh().exp()
        elif op == "log":
            out = (x * x + 1).log()
        elif op == "sigmoid":
            out = x.sigmoid()
        elif op == "neg":
            out = -x
        else:
            out = x / (y * y + 1)
        nodes.append(out)
    # Sum a few nodes so several paths reach the output.
    return Value.sum(nodes[-3:]) if len(nodes) > 3 else nodes[-1]


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=4),
    program=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 50)), max_size=25),
)
def test_random_graphs_match_backward_exactly(leaves, program):
    root = build_random_graph(leaves, program)
    assert_same_as_backward(root)
    stepper = BackwardStepper(root)
    stepper.run_to_end()
    assert all(stepper.is_final(n) for n in root.topological_order())
    for step in stepper.steps:  # every op's rule text renders, with the numbers the step applied
        assert len(step.lines) == len(step.updates) + step.seed
    assert len(ForwardStepper(root).steps[-1].text) > 0
