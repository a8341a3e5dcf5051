"""The node inspector: everything about the node under the tree's cursor."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from micrograd import graph
from micrograd.engine import Value
from tui.plain import shown

CHECK_LIMIT = 5_000  # a gradient check is two forward passes of the whole graph: instant below this size


class NodeInspector(Static):
    """data, grad, op, children, the local derivative in words, and a numerical gradient check."""

    def __init__(self, **kwargs) -> None:
        super().__init__("Move through the graph to inspect a node.", **kwargs)

    def show_node(self, value: Value | None, root: Value | None, names: dict, *, check: bool) -> None:
        if value is None:
            self.update("Move through the graph to inspect a node.")
            return
        self.update(describe(value, root, names, check=check))

    def show_step(self, state, value: Value | None, names: dict) -> None:
        """The stepper's rule text with numbers (tui/stepping.py StepperState), and the node at the cursor."""
        text = Text()
        lines = state.lines()
        text.append(shown(lines[0]) + "\n", style="bold")  # the rules quote labels: no control characters
        for line in lines[1:]:
            text.append(shown(line) + "\n", style="red" if line.startswith("pitfall") else "")
        if value is not None and not state.is_current(value):
            data, grad = state.numbers(value)
            numbers = [
                f"data {graph.num(data)}" if data is not None else "data not computed yet",
                f"grad {graph.num(grad)}" if grad is not None else "grad pending",
            ]
            text.append(f"cursor: {names.get(value, value.label or '?')}  {'  '.join(numbers)}", style="dim")
        self.update(text)


def describe(value: Value, root: Value | None, names: dict, *, check: bool) -> Text:
    text = Text()
    text.append(names.get(value) or shown(value.label or "?"), style="bold")
    text.append(f"   op {value.op or 'leaf'}   data {full_number(value.data)}   grad {full_number(value.grad)}\n")
    if value.children:
        children = ", ".join(f"{names.get(c, c.label or '?')}={graph.num(c.data)}" for c in value.children)
        text.append(f"children: {children}\n", style="dim")
        for line in graph.local_derivative_text(value, names):
            text.append(f"{shown(line)}\n")
    if root is not None:
        text.append(gradient_check_line(value, root, check))
    return text


def full_number(x) -> str:
    """Every digit of a float (repr); an int too large for that by its magnitude (str() refuses past 4,300
    digits, and thousands of digits would fill the pane)."""
    return graph.huge_int_text(x) or repr(x)


def gradient_check_line(value: Value, root: Value, check: bool) -> str:
    """The stored grad against a central finite difference of the root, for a leaf."""
    if value.children:
        return "gradient check: on leaves (nodes with no operands)"
    if not check:
        return "gradient check: press Enter on this leaf (the graph is large)"
    (row,) = graph.gradient_check(root, [value], stored=True)
    verdict = "ok" if row.ok else "MISMATCH (backward run twice? zero grads, then backward)"
    return (
        f"gradient check: backprop {row.backprop:.6g}  numeric {row.numerical:.6g}  "
        f"rel. error {row.rel_error:.1e}  {verdict}"
    )
