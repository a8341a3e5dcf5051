"""Graph tools: walks and ids, text tree, DOT (checked by real Graphviz), Mermaid, chain-rule text, grad check."""

import math
import re
import subprocess

import pytest
from test_expression import NEURON, README_EXAMPLE  # pytest puts tests/ on sys.path (no __init__.py)

from micrograd import graph
from micrograd.engine import Value
from micrograd.expression import evaluate


@pytest.fixture
def readme():
    return evaluate(README_EXAMPLE)


@pytest.fixture
def neuron():
    return evaluate(NEURON)


def every_op_graph():
    """One graph using every op the engine has, including n-ary sum, ** Value, and a repeated operand."""
    a, b = Value(1.5, label="a"), Value(-0.7, label="b")
    parts = [a * a, b**3, (a**b).log(), b.exp(), (a + b).tanh(), (a - 2.0 * b).relu(), (a * b).sigmoid(), a / b]
    out = Value.sum(parts, label="out")
    return out, a, b


# ---- walking and ids -------------------------------------------------------------------------------------


def test_topological_order_and_ids(readme):
    root = readme.output
    order = graph.topological(root)
    position = {id(node): i for i, node in enumerate(order)}
    assert order[-1] is root and len(order) == len(set(map(id, order)))
    assert all(position[id(child)] < position[id(node)] for node in order for child in node.children)
    assert {id(n) for n in order} == {id(n) for n in root.topological_order()}
    ids = graph.node_ids(root)
    assert ids == graph.node_ids(root)  # stable
    assert ids[readme.values["a"]] == 0 and ids[readme.values["b"]] == 1 and ids[root] == len(order) - 1


def test_walk_visits_each_node_once_root_first(readme):
    nodes = list(graph.walk(readme.output))
    assert nodes[0] is readme.output
    assert len(nodes) == len({id(n) for n in nodes}) == len(graph.topological(readme.output))


def test_walk_is_iterative_on_a_deep_chain():
    x = Value(1.0, label="x")
    node = x
    for _ in range(20_000):
        node = node + 1.0
    assert sum(1 for _ in graph.walk(node)) == 40_001
    assert len(graph.topological(node)) == 40_001
    assert graph.find(node, "x") is x


def test_find(neuron):
    o = neuron.output
    assert graph.find(o, "w1") is neuron.values["w1"]
    assert graph.find(o, "nope") is None
    assert graph.leaves(o) == [neuron.values[k] for k in ("x1", "w1", "x2", "w2", "b")]


# ---- text tree -------------------------------------------------------------------------------------------


def test_tree_text_shows_shared_nodes_once(readme):
    root = readme.output
    text = graph.tree_text(root)
    lines = text.splitlines()
    full = [line for line in lines if "↪" not in line]
    assert len(full) == len(graph.topological(root))  # each node drawn exactly once
    assert lines[0] == "#38 g  [+]  data 24.7041  grad 1.0000"
    assert any(line.endswith("↪ see #0 a") for line in lines)
    assert "#0 a  [leaf]  data -4.0000  grad 138.8338" in text
    assert "c (line 7)" in text and "g (line 13)" in text
    # every reference points at a node drawn above it
    for i, line in enumerate(lines):
        if "↪ see #" in line:
            k = re.search(r"↪ see #(\d+)", line).group(1)
            assert any(re.search(rf"[─ ]#{k} ", above) or above.startswith(f"#{k} ") for above in lines[:i])


def test_tree_text_max_lines(readme):
    assert len(graph.tree_text(readme.output, max_lines=5).splitlines()) == 6


# ---- DOT and Mermaid -------------------------------------------------------------------------------------

NASTY = 'a{b}|c<d>"e\\N\\ \n#x; `q` & end\\'


def _dot_to_svg(dot, dot_text):
    run = subprocess.run([dot, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr.decode()
    assert not run.stderr.strip(), run.stderr.decode()  # no warnings either
    return run.stdout.decode()


def test_dot_is_valid_graphviz(readme, graphviz):
    text = graph.to_dot(readme.output)
    assert text.startswith("digraph micrograd {") and "rankdir=LR" in text
    assert 'n0 [shape=record, label="{ a | data -4.0000 | grad 138.8338 }"];' in text
    assert "n38_op -> n38;" in text
    svg = _dot_to_svg(graphviz, text)
    assert "data 24.7041" in svg and "grad 645.5773" in svg


def test_dot_escapes_labels(neuron, graphviz):
    x = Value(2.0, label=NASTY)
    y = (x * x).tanh()
    y.label = "o"
    svg = _dot_to_svg(graphviz, graph.to_dot(y))
    # Graphviz shows the label text literally (XML-escaped in SVG, newline as a space)
    assert "a{b}|c&lt;d&gt;&quot;e\\N\\ #x; `q` &amp; end\\" in svg
    svg = _dot_to_svg(graphviz, graph.to_dot(neuron.output))
    assert "x1*w1 + x2*w2" in svg


def test_mermaid(readme):
    root = readme.output
    text = graph.to_mermaid(root)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  n0["a<br/>data -4.0000<br/>grad 138.8338"]' in lines
    assert '  n38op(("+"))' in lines and "  n38op --> n38" in lines
    count = len(graph.topological(root))
    assert sum(1 for line in lines if re.fullmatch(r'  n\d+\[".*"\]', line)) == count
    edges = sum(len(node.children) for node in graph.topological(root))
    assert sum(1 for line in lines if "-->" in line) == edges + sum(1 for n in graph.topological(root) if n.op)
    nasty = graph.to_mermaid(Value(1.0, label=NASTY))
    label = re.search(r'n0\["(.*)"\]', nasty).group(1)
    assert '"' not in label and "<d>" not in label and "#35;x#59;" not in label and "#35;x;" in label


# ---- local derivatives and the chain rule ----------------------------------------------------------------


def test_local_derivative_text_for_a_product():
    a, b = Value(-3.0, label="a"), Value(2.0, label="b")
    c = a * b
    c.label = "c"
    assert graph.local_derivative_text(c) == ["∂c/∂a = b = 2.0000", "∂c/∂b = a = -3.0000"]
    assert graph.local_derivative_text(a) == []


def test_local_derivative_text_every_op_matches_finite_differences():
    out, a, b = every_op_graph()
    names = graph.node_names(out)
    for node in graph.topological(out):
        lines = graph.local_derivative_text(node, names)
        assert len(lines) == len(node.children)
        rule = graph.forward_rule(node.op) if node.children else None
        for i, line in enumerate(lines):
            assert line.startswith(f"∂{names[node]}/∂{names[node.children[i]]} = ")
            number = float(line.rsplit(" = ", 1)[1])
            assert number == pytest.approx(node.local_grads[i], abs=5e-5)
            # the local derivative itself, checked by a central difference of the op's forward rule
            xs = [child.data for child in node.children]
            up, down = list(xs), list(xs)
            up[i] += 1e-6
            down[i] -= 1e-6
            if node.children.count(node.children[i]) == 1:
                numeric = (rule(up) - rule(down)) / 2e-6
                assert numeric == pytest.approx(node.local_grads[i], rel=1e-5, abs=1e-6)
    power = next(n for n in graph.topological(out) if n.op == "**3")
    assert (
        graph.local_derivative_text(power, names)[0].startswith("∂#")
        and "3 × b**2" in graph.local_derivative_text(power, names)[0]
    )


def test_chain_rule_step_text(neuron):
    v = neuron.values
    names = graph.node_names(neuron.output)
    x1w1, x1 = v["x1w1"], v["x1"]
    step = graph.chain_rule_step(x1w1, 0, names, child_grad=0.0)
    assert step.child is x1 and step.local == -3.0 and step.node_grad == pytest.approx(0.5)
    # a name that is itself an expression is parenthesised in rule text
    assert step.text == "x1.grad += w1.data × (x1*w1).grad  →  0.0000 += -3.0000 × 0.5000  =  -1.5000"
    tanh = graph.chain_rule_step(v["o"], 0, names, child_grad=0.0)
    assert tanh.text.startswith("n.grad += (1 - o.data²) × o.grad  →  0.0000 += 0.5000 × 1.0000")
    plus = graph.chain_rule_step(v["n"], 1, names, child_grad=0.0)
    assert plus.text == "b.grad += n.grad  →  0.0000 += 0.5000  =  0.5000"


def test_backward_schedule_replays_backward_exactly(readme):
    root = readme.output
    grads = {id(node): 0.0 for node in graph.topological(root)}
    grads[id(root)] = 1.0
    for node, i in graph.backward_schedule(root):
        step = graph.chain_rule_step(node, i, node_grad=grads[id(node)], child_grad=grads[id(node.children[i])])
        grads[id(step.child)] = step.after
    assert all(grads[id(node)] == node.grad for node in graph.topological(root))  # bit-identical


def test_forward_text(readme):
    names = graph.node_names(readme.output)
    f = readme.values["f"]
    assert graph.forward_text(f, names) == "f = e**2  →  49.0000 = (-7.0000)**2"
    assert graph.forward_text(readme.values["a"], names) == "a = -4.0000  (leaf)"
    relu = next(n for n in graph.topological(readme.output) if n.op == "ReLU")
    # unnamed intermediates read as the source text that made them (issue 12)
    assert graph.forward_text(relu, names) == "(b + a).relu() = relu(b + a)  →  0.0000 = relu(-2.0000)"


# ---- forward re-evaluation and gradient check ------------------------------------------------------------


def test_forward_values_reproduce_the_graph():
    for root in (every_op_graph()[0], evaluate(README_EXAMPLE).output, evaluate(NEURON).output):
        values = graph.forward_values(root)
        assert all(values[node] == node.data for node in graph.topological(root))


def test_forward_values_with_an_override(neuron):
    values = graph.forward_values(neuron.output, {neuron.values["x2"]: 1.0})
    assert values[neuron.output] == pytest.approx(math.tanh(2.0 * -3.0 + 1.0 * 1.0 + 6.8813735870195432))
    assert neuron.values["x2"].data == 0.0  # untouched


def test_gradient_check_agrees_with_backward_on_readme(readme):
    rows = graph.gradient_check(readme.output)
    by_name = {row.name: row for row in rows}
    assert by_name["a"].numerical == pytest.approx(138.8338, abs=1e-4)
    assert by_name["b"].numerical == pytest.approx(645.5773, abs=1e-4)
    assert all(row.ok for row in rows) and len(rows) == len(graph.leaves(readme.output))
    for row in rows:
        assert row.backprop == row.node.grad
        assert row.rel_error < 1e-6


def test_gradient_check_every_op_and_before_backward():
    out, a, b = every_op_graph()  # backward never ran: fresh grads are computed, the graph stays untouched
    rows = graph.gradient_check(out, [a, b])
    assert all(row.ok for row in rows), rows
    assert a.grad == 0 and b.grad == 0


def test_gradient_check_flags_stale_grads(neuron):
    neuron.output.backward()  # a second backward without zero_grad: grads doubled
    rows = graph.gradient_check(neuron.output, stored=True)
    flagged = {row.name for row in rows if not row.ok}
    assert flagged == {"x1", "x2", "w1", "b"}  # w2's grad is 0 either way
    assert all(row.ok for row in graph.gradient_check(neuron.output))


def test_gradient_check_undefined_numerical_is_flagged():
    x = Value(0.0, label="x")
    y = x**0.5  # sqrt at 0: x - eps is outside the domain
    rows = graph.gradient_check(y)
    assert math.isnan(rows[0].numerical) and not rows[0].ok
