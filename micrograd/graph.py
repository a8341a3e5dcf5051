"""Tools that turn a `Value` graph into something a person can read: walks, ids, text tree, DOT, Mermaid,
the chain rule as text, and a numerical gradient check.

Everything here is iterative (a graph can be 100,000 nodes deep) and read-only: no function changes a
node's ``data``, ``grad`` or ``label``.

Names. A node is shown by its label, or ``#k`` when it has none, where ``k`` is its *id*: its index in
`topological(root)` (children before parents, operands in order, so in ``c = a * b`` a is #0, b #1, c #2).
Ids are stable for one graph -- the same root gives the same ids every time -- but a sub-graph numbers its
own nodes from 0, so functions that take one node (`local_derivative_text`, `chain_rule_step`,
`forward_text`) accept ``names=node_names(root)`` to use the whole graph's ids; without it they number the
node's own sub-graph. Dictionaries here are keyed by the `Value` itself (Values hash by identity).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from micrograd.engine import Value

Names = Mapping[Value, str]


# ---- walking ------------------------------------------------------------------------------------------


def topological(root: Value) -> list[Value]:
    """Every distinct node of `root`'s graph, each after all of its children; `root` last."""
    order: list[Value] = []
    done: set[int] = set()
    stack: list[tuple[Value, int]] = [(root, 0)]  # (node, index of the next child to visit)
    on_path: set[int] = {id(root)}
    while stack:
        node, i = stack[-1]
        children = node.children
        while i < len(children) and (id(children[i]) in done or id(children[i]) in on_path):
            i += 1
        if i < len(children):
            stack[-1] = (node, i + 1)
            stack.append((children[i], 0))
            on_path.add(id(children[i]))
        else:
            stack.pop()
            on_path.discard(id(node))
            done.add(id(node))
            order.append(node)
    return order


def walk(root: Value) -> Iterator[Value]:
    """Each distinct node once, depth first from `root` (root first, then its operands in order)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(node.children))


def find(root: Value, label: str) -> Value | None:
    """The first node labelled `label` in `walk` order, or None."""
    return next((node for node in walk(root) if node.label == label), None)


def find_all(root: Value, label: str) -> list[Value]:
    return [node for node in walk(root) if node.label == label]


def leaves(root: Value) -> list[Value]:
    """The nodes with no children (inputs, parameters and constants), in id order."""
    return [node for node in topological(root) if not node.children]


def node_ids(root: Value) -> dict[Value, int]:
    """node -> its id: its index in `topological(root)` (stable for the same graph)."""
    return {node: i for i, node in enumerate(topological(root))}


def node_names(root: Value) -> dict[Value, str]:
    """node -> its label, or ``#id`` when it has none."""
    return {node: node.label or f"#{i}" for node, i in node_ids(root).items()}


_LINE_SUFFIX = re.compile(r" \(line \d+(?:, col \d+)?\)$")


def term(name: str) -> str:
    """A node's name as a term in rule text: ``c``, ``c (line 3)``, ``#7``, ``(b + a).relu()`` as they are;
    a name that is an operation or a number gets parentheses, so ``(10.0 / f).grad`` cannot be read as
    ``10.0 / f.grad``."""
    base = _LINE_SUFFIX.sub("", name)
    if not base or base[0].isdigit() or base[0] in "-+.":
        return f"({name})"
    depth = 0
    for ch in base:
        depth += ch in "(["
        depth -= ch in ")]"
        if depth == 0 and ch in " +-*/":
            return f"({name})"
    return name


def num(x: float) -> str:
    """A number the way micrograd's draw_dot shows it: four decimals."""
    return huge_int_text(x) or f"{x:.4f}"


HUGE_INT_BITS = 1000  # an int past ~1e301: a float cannot hold it and str() refuses it past 4,300 digits


def huge_int_text(x) -> str | None:
    """``1.2e+3600`` for an int too large to format as a float (a Value made through the API can hold one),
    computed from its leading bits; None for any other number."""
    if isinstance(x, bool) or not isinstance(x, int) or x.bit_length() <= HUGE_INT_BITS:
        return None
    shift = x.bit_length() - 53
    exponent = math.log10(abs(x) >> shift) + shift * math.log10(2)
    whole = math.floor(exponent)
    return f"{'-' if x < 0 else ''}{10 ** (exponent - whole):.1f}e+{whole}"


# ---- text tree ----------------------------------------------------------------------------------------


def node_line(node: Value, ids: Mapping[Value, int]) -> str:
    """``#5 c  [+]  data -2.0000  grad 1.0000`` -- one node, as the tree shows it."""
    label = f" {node.label}" if node.label else ""
    return f"#{ids[node]}{label}  [{node.op or 'leaf'}]  data {num(node.data)}  grad {num(node.grad)}"


def tree_text(root: Value, max_lines: int | None = None) -> str:
    """The graph as an indented tree, root first. A node used twice is drawn once, then ``↪ see #k``."""
    ids = node_ids(root)
    lines: list[str] = []
    shown: set[int] = set()
    stack: list[tuple[Value, str, str]] = [(root, "", "")]  # (node, prefix for its line, prefix for children)
    while stack:
        if max_lines is not None and len(lines) >= max_lines:
            lines.append(f"… (stopped after {max_lines} lines)")
            break
        node, here, below = stack.pop()
        if id(node) in shown:
            label = f" {node.label}" if node.label else ""
            lines.append(f"{here}↪ see #{ids[node]}{label}")
            continue
        shown.add(id(node))
        lines.append(here + node_line(node, ids))
        children = node.children
        for k in range(len(children) - 1, -1, -1):  # pushed in reverse so they pop in operand order
            last = k == len(children) - 1
            stack.append((children[k], below + ("└── " if last else "├── "), below + ("    " if last else "│   ")))
    return "\n".join(lines)


# ---- DOT and Mermaid ----------------------------------------------------------------------------------


MAX_EXPORT_LABEL = 200  # characters of a node's name in DOT or Mermaid: Graphviz rejects a label of ~16 KB


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_EXPORT_LABEL else text[: MAX_EXPORT_LABEL - 1] + "…"


def _dot_record_field(text: str) -> str:
    """Escape text for one field of a Graphviz record label inside a double-quoted DOT string."""
    out = []
    for ch in _bounded(text):
        if ch in '\\{}|<>"':
            out.append("\\" + ch)  # record syntax characters, and \ so that \N, \G, ... stay literal
        elif ch < " " or ch == "\x7f":
            out.append(" ")  # control characters (newlines too) would break the one-line record
        else:
            out.append(ch)
    return "".join(out).strip() or " "


def _dot_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(root: Value) -> str:
    """Graphviz DOT in the style of micrograd's draw_dot: a record per value, an oval per operation."""
    ids = node_ids(root)
    names = node_names(root)
    lines = ["digraph micrograd {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    edges = []
    for node, i in ids.items():
        fields = (_dot_record_field(names[node]), f"data {num(node.data)}", f"grad {num(node.grad)}")
        lines.append(f'  n{i} [shape=record, label="{{ {" | ".join(fields)} }}"];')
        if node.op:
            lines.append(f'  n{i}_op [label="{_dot_string(node.op)}"];')
            edges.append(f"  n{i}_op -> n{i};")
            edges.extend(f"  n{ids[child]} -> n{i}_op;" for child in node.children)
    return "\n".join(lines + edges + ["}"]) + "\n"


def _mermaid_text(text: str) -> str:
    """Escape text for a double-quoted Mermaid label (Mermaid's own #code; entities). `%` is escaped too, so a
    `%%{init: ...}%%` directive or a `%%` comment inside a label stays text, and `{}[]()|` so no shape syntax
    reaches the parser."""
    text = _bounded(text)
    codes = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "%": "#37;"}
    codes.update({ch: f"#{ord(ch)};" for ch in "{}[]()|"})
    if ";" in text or any(ch in codes for ch in text):  # only "#...;" reads as an entity: "#12" stays readable
        codes["#"] = "#35;"
    return "".join(codes.get(ch, " " if ch < " " or ch == "\x7f" else ch) for ch in text)


def to_mermaid(root: Value) -> str:
    """A Mermaid flowchart of the graph, for pasting into Markdown (```mermaid ... ```)."""
    ids = node_ids(root)
    names = node_names(root)
    lines = ["flowchart LR"]
    edges = []
    for node, i in ids.items():
        text = f"{_mermaid_text(names[node])}<br/>data {num(node.data)}<br/>grad {num(node.grad)}"
        lines.append(f'  n{i}["{text}"]')
        if node.op:
            lines.append(f'  n{i}op(("{_mermaid_text(node.op)}"))')
            edges.append(f"  n{i}op --> n{i}")
            edges.extend(f"  n{ids[child]} --> n{i}op" for child in node.children)
    return "\n".join(lines + edges) + "\n"


# ---- the chain rule as text ---------------------------------------------------------------------------


def power_exponent(op: str) -> float | int:
    """The k of an ``**k`` op string (the engine writes it with repr: "**3", "**-1", "**0.5")."""
    k = float(op[2:])
    return int(k) if k.is_integer() else k


def _k_text(k: float | int) -> str:
    return str(int(k)) if float(k).is_integer() else repr(k)


def local_formula(node: Value, index: int, names: Names, suffix: str = "") -> str | None:
    """d(node)/d(child `index`) as a formula in the nodes' names (``b`` for ``c = a * b``), or None if the
    op has no known formula. `suffix` is appended to each name (".data" for the chain rule's form)."""
    kids = node.children
    n, c = term(names[node]) + suffix, term(names[kids[index]]) + suffix
    op = node.op
    if op == "+":
        return "1"
    if op == "*" and len(kids) == 2:
        return term(names[kids[1 - index]]) + suffix
    if op.startswith("**") and len(op) > 2:
        k = power_exponent(op)
        if k - 1 == 0:
            return _k_text(k)
        return f"{_k_text(k)} × {c}" + ("" if k - 1 == 1 else f"**{_k_text(k - 1)}")
    if op == "**" and len(kids) == 2:
        base, exponent = term(names[kids[0]]) + suffix, term(names[kids[1]]) + suffix
        return f"{exponent} × {base}**({exponent} - 1)" if index == 0 else f"{n} × ln({base})"
    return {
        "ReLU": f"(1 if {c} > 0 else 0)",
        "tanh": f"(1 - {n}²)",
        "exp": n,
        "log": f"1 / {c}",
        "sigmoid": f"{n} × (1 - {n})",
    }.get(op)


def local_derivative_text(node: Value, names: Names | None = None) -> list[str]:
    """One line per child: ``∂c/∂a = b = 2.0000`` (for ``c = a * b``). Empty for a leaf."""
    names = names if names is not None else node_names(node)
    lines = []
    for i, (child, local) in enumerate(zip(node.children, node.local_grads)):
        formula = local_formula(node, i, names)
        head = f"∂{term(names[node])}/∂{term(names[child])}"
        if formula is None or formula == "1":
            lines.append(f"{head} = {formula or num(local)}")
        else:
            lines.append(f"{head} = {formula} = {num(local)}")
    return lines


@dataclass(frozen=True)
class ChainStep:
    """One chain-rule update of backprop: ``child.grad += local × node.grad``, with its numbers."""

    node: Value  # the parent whose grad flows down
    index: int  # which child (a * a has child 0 and child 1, both a)
    child: Value
    local: float  # d(node)/d(child)
    node_grad: float
    before: float  # child's grad before this update
    after: float  # ... and after it
    text: str  # "a.grad += b.data × c.grad  →  0.0000 += 2.0000 × -1.5000  =  -3.0000"


def chain_rule_step(
    node: Value,
    index: int,
    names: Names | None = None,
    *,
    node_grad: float | None = None,
    child_grad: float | None = None,
) -> ChainStep:
    """Describe (without applying) the update backprop makes to child `index` of `node`.

    By default the numbers are the Values' current grads; a stepper that keeps its own table of grads
    passes them as `node_grad` and `child_grad`. `after` is computed exactly as the engine computes it.
    """
    names = names if names is not None else node_names(node)
    child, local = node.children[index], node.local_grads[index]
    g = node.grad if node_grad is None else node_grad
    before = child.grad if child_grad is None else child_grad
    after = before + local * g
    target, upstream = f"{term(names[child])}.grad", f"{term(names[node])}.grad"
    formula = local_formula(node, index, names, ".data")
    if formula == "1":
        text = f"{target} += {upstream}  →  {num(before)} += {num(g)}  =  {num(after)}"
    else:
        factor = formula or num(local)
        text = f"{target} += {factor} × {upstream}  →  {num(before)} += {num(local)} × {num(g)}  =  {num(after)}"
    return ChainStep(node, index, child, local, g, before, after, text)


def backward_schedule(root: Value) -> list[tuple[Value, int]]:
    """Every (node, child index) update of ``root.backward()``, in the engine's exact order."""
    return [(node, i) for node in reversed(root.topological_order()) for i in range(len(node.children))]


_SYMBOLS = {"+": " + ", "*": " × "}


def forward_text(node: Value, names: Names | None = None) -> str:
    """``c = a × b  →  -8.0000 = -4.0000 × 2.0000``: how the forward pass computed `node`."""
    names = names if names is not None else node_names(node)
    kids, op = node.children, node.op
    if not kids:
        return f"{term(names[node])} = {num(node.data)}  (leaf)"
    if op in _SYMBOLS:
        symbolic = _SYMBOLS[op].join(term(names[k]) for k in kids)
        numeric = _SYMBOLS[op].join(num(k.data) for k in kids)
    elif op.startswith("**"):
        exponent = op[2:] if len(op) > 2 else term(names[kids[1]])
        exponent_num = op[2:] if len(op) > 2 else num(kids[1].data)
        base = num(kids[0].data) if kids[0].data >= 0 else f"({num(kids[0].data)})"
        symbolic, numeric = f"{term(names[kids[0]])}**{exponent}", f"{base}**{exponent_num}"
    else:
        function = op.lower()
        symbolic = f"{function}({', '.join(names[k] for k in kids)})"
        numeric = f"{function}({', '.join(num(k.data) for k in kids)})"
    return f"{term(names[node])} = {symbolic}  →  {num(node.data)} = {numeric}"


# ---- forward re-evaluation and the gradient check ------------------------------------------------------


def _power(base: float, exponent: float) -> float:
    if (base == 0 and exponent < 0) or (base < 0 and not float(exponent).is_integer()):
        raise ValueError(f"({base!r}) ** {exponent!r} is not a real number")
    return base**exponent  # OverflowError propagates


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_FORWARD = {
    "+": lambda xs: sum(xs[1:], xs[0]),  # left to right, like the engine
    "*": lambda xs: xs[0] * xs[1],
    "**": lambda xs: _power(xs[0], xs[1]),
    "ReLU": lambda xs: 0 if xs[0] < 0 else xs[0],
    "tanh": lambda xs: math.tanh(xs[0]),
    "exp": lambda xs: math.exp(xs[0]),
    "log": lambda xs: math.log(xs[0]),
    "sigmoid": lambda xs: _sigmoid(xs[0]),
}


def forward_rule(op: str):
    """The function computing an op's value from its children's values (raises for an unknown op)."""
    if op.startswith("**") and len(op) > 2:
        k = power_exponent(op)
        return lambda xs: _power(xs[0], k)
    if op not in _FORWARD:
        raise ValueError(f"no forward rule for the operation {op!r}")
    return _FORWARD[op]


def forward_values(
    root: Value, overrides: Mapping[Value, float] | None = None, order: list[Value] | None = None
) -> dict[Value, float]:
    """Recompute every node's value from the leaves, with some leaves changed (the graph is not touched).

    Raises ValueError/OverflowError where the math is undefined (log of a negative, ...).
    """
    overrides = overrides or {}
    values: dict[Value, float] = {}
    rules: dict[str, object] = {}
    for node in order if order is not None else topological(root):
        if not node.children:
            values[node] = overrides.get(node, node.data)
        else:
            rule = rules.get(node.op) or rules.setdefault(node.op, forward_rule(node.op))
            values[node] = rule([values[child] for child in node.children])
    return values


def backprop_grads(root: Value) -> dict[Value, float]:
    """d(root)/d(node) for every node, by the engine's chain rule, into a new dict (grads untouched)."""
    order = root.topological_order()
    grads: dict[Value, float] = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    for node in reversed(order):
        g = grads[node]
        for child, local in zip(node.children, node.local_grads):
            grads[child] += local * g
    return grads


@dataclass(frozen=True)
class GradCheckRow:
    node: Value
    name: str
    backprop: float
    numerical: float  # nan where the function is undefined at x ± eps
    abs_error: float
    rel_error: float
    ok: bool


def gradient_check(
    root: Value,
    leaves: Iterable[Value] | None = None,
    eps: float = 1e-6,
    *,
    tolerance: float = 1e-5,
    stored: bool = False,
) -> list[GradCheckRow]:
    """Backprop's gradient of `root` next to a central finite difference, for each leaf.

    numerical = (f(x + eps) - f(x - eps)) / (2 eps), recomputing the graph forward with `forward_values`.
    backprop = a fresh chain-rule pass (`backprop_grads`), or with ``stored=True`` the nodes' current
    ``.grad`` (to show what, say, forgetting zero_grad does). A row is ok when
    abs_error <= tolerance × max(1, |backprop|, |numerical|). Cost: two forward passes per leaf.
    """
    order = topological(root)
    names = node_names(root)
    chosen = list(leaves) if leaves is not None else [node for node in order if not node.children]
    fresh = None if stored else backprop_grads(root)
    rows = []
    for leaf in chosen:
        backprop = float(leaf.grad if fresh is None else fresh.get(leaf, 0.0))
        try:
            plus = forward_values(root, {leaf: leaf.data + eps}, order)[root]
            minus = forward_values(root, {leaf: leaf.data - eps}, order)[root]
            numerical = (plus - minus) / (2 * eps)
        except (ValueError, ArithmeticError):
            numerical = math.nan
        abs_error = abs(backprop - numerical)
        scale = max(abs(backprop), abs(numerical))
        rel_error = abs_error / scale if scale > 0 else abs_error
        ok = abs_error <= tolerance * max(1.0, scale)  # False for nan
        rows.append(
            GradCheckRow(leaf, names.get(leaf, leaf.label or "?"), backprop, numerical, abs_error, rel_error, ok)
        )
    return rows
