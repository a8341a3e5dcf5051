"""The workbench's teaching tools, no Textual here: the backprop/forward stepper, the "= instead of +="
pitfall, and the gradient-check table.

The steppers (micrograd.stepper) keep their own table of numbers: stepping never writes into the Values, and
leaving the stepper applies nothing. A stepper's whole state is (mode, position, overwrite) -- plain JSON -- so
the workbench logs `{"do": "stepper", "mode": ..., "position": k, "overwrite": ...}` and replay is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from micrograd import graph
from micrograd.engine import Value
from micrograd.stepper import BackwardStepper, ChildUpdate, ForwardStepper

MODES = ("backward", "forward", "off")
MOVES = ("next", "previous", "end", "restart")
GRAPHS = ("expression", "sample", "neuron")  # which graph the stepper walks: the expression, or the traced sample's
# actions after which a sample's (or the network view's neuron's) graph is out of date
STALE_SAMPLE = ("step", "train", "reset", "configure", "trace", "set_parameter", "select_neuron")

OVERWRITE_NOTE = (
    "pitfall '= instead of +=': each update overwrites the child's grad, so a node used twice "
    "keeps only its last contribution"
)


class OverwriteUpdate(ChildUpdate):
    """One update of the *buggy* backward: ``child.grad = local * node.grad`` (overwrites, never adds)."""

    __slots__ = ()

    @property
    def text(self) -> str:
        names = self.names
        target, upstream = f"{graph.term(names[self.child])}.grad", f"{graph.term(names[self.node])}.grad"
        formula = graph.local_formula(self.node, self.index, names, ".data")
        if formula == "1":
            text = f"{target} = {upstream}  →  {graph.num(self.after)}"
        else:
            text = (
                f"{target} = {formula or graph.num(self.local)} × {upstream}  →  "
                f"{graph.num(self.local)} × {graph.num(self.node_grad)}  =  {graph.num(self.after)}"
            )
        if not self.was_pending:
            text += f"  (overwrote {graph.num(self.before)}!)"
        return text


class OverwritingBackwardStepper(BackwardStepper):
    """The lecture's bug: `=` instead of `+=` in backward. Right for a tree, wrong for a node used twice.

    (`b = a + a`: the second update replaces the first, so a.grad ends 1 instead of 2.)
    """

    update_class = OverwriteUpdate

    @staticmethod
    def combine(before: float, contribution: float) -> float:
        return contribution  # the bug: `=` where backward needs `+=`


def make_stepper(root: Value, mode: str, overwrite: bool = False):
    if mode == "forward":
        return ForwardStepper(root)
    return (OverwritingBackwardStepper if overwrite else BackwardStepper)(root)


@dataclass
class StepperState:
    """The workbench's stepper: which pass, where, and whether the '=' pitfall is on."""

    mode: str
    overwrite: bool
    stepper: object  # BackwardStepper | ForwardStepper
    graph: str = "expression"  # or "sample"

    @property
    def position(self) -> int:
        return self.stepper.position

    @property
    def total(self) -> int:
        return self.stepper.total

    def numbers(self, node: Value) -> tuple[float | None, float | None]:
        """(data, grad) as the stepper shows them; None = not reached yet (pending)."""
        if self.mode == "forward":
            try:
                return self.stepper.data_of(node), None
            except KeyError:  # not a node of the stepper's graph
                return node.data, node.grad
        return node.data, self.stepper.grad_of(node)

    def is_current(self, node: Value) -> bool:
        current = self.stepper.current
        return current is not None and current.node is node

    def is_partial(self, node: Value) -> bool:
        """Backward: some grad has arrived but more is still to come."""
        return self.mode == "backward" and self.stepper.grad_of(node) is not None and not self.stepper.is_final(node)

    def title(self) -> str:
        rule = "  [= instead of +=]" if self.overwrite and self.mode == "backward" else ""
        return f"{self.mode} pass, step {self.position}/{self.total}{rule}"

    def lines(self) -> list[str]:
        """What the inspector shows: the step just applied, with its numbers."""
        step = self.stepper.current
        if step is None:
            first = "the output node" if self.mode == "backward" else "the first leaf"
            head = [f"{self.title()}: nothing applied yet; next starts at {first}."]
        elif self.mode == "forward":
            head = [f"{self.title()}: {self.stepper.name_of(step.node)}", step.text]
        else:
            name = self.stepper.name_of(step.node)
            head = [f"{self.title()}: {name} passes its grad {graph.num(step.grad)} to its operands", *step.lines]
        if self.overwrite and self.mode == "backward":
            head.append(OVERWRITE_NOTE)
        return head


# ---- gradient check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    name: str
    backprop: float
    numerical: float
    rel_error: float
    ok: bool


def gradient_check(root: Value, grads=None, tolerance: float = 1e-5) -> list[CheckRow]:
    """Every leaf: `grads(leaf)` (default: its stored .grad) against a central finite difference.

    Uses graph.gradient_check's numerical column and its verdict rule (abs error <= tolerance x scale).
    """
    rows = []
    for row in graph.gradient_check(root, stored=True, tolerance=tolerance):
        if grads is None:
            rows.append(CheckRow(row.name, row.backprop, row.numerical, row.rel_error, row.ok))
            continue
        backprop = float(grads(row.node))
        abs_error = abs(backprop - row.numerical)
        scale = max(abs(backprop), abs(row.numerical))
        rel_error = abs_error / scale if scale > 0 else abs_error
        ok = abs_error <= tolerance * max(1.0, scale)  # False for nan, as in graph.gradient_check
        rows.append(CheckRow(row.name, backprop, row.numerical, rel_error, ok))
    return rows


def check_table(rows: list[CheckRow]) -> list[str]:
    """The rows as aligned text lines, a header first."""
    width = max([4] + [len(r.name) for r in rows])
    lines = [f"{'leaf':<{width}}  {'backprop':>12}  {'numerical':>12}  {'rel. error':>10}  verdict"]
    for r in rows:
        numerical = f"{r.numerical:12.6g}" if math.isfinite(r.numerical) else f"{'undefined':>12}"
        verdict = "ok" if r.ok else "MISMATCH"
        lines.append(f"{r.name:<{width}}  {r.backprop:12.6g}  {numerical}  {r.rel_error:10.1e}  {verdict}")
    return lines
