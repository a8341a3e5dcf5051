"""Step through a graph's forward or backward pass one node at a time, for teaching (no UI here).

`BackwardStepper(root)` replays exactly what `root.backward()` does, one node per step, in the same
reverse topological order and with the same float arithmetic, but into its *own* table of grads: the real
`Value`s are not touched until `apply_to_values()`. So a viewer can show which grads are still pending,
which are partial sums, and which are final, and can go back a step (an exact undo: each step remembers
the numbers it overwrote).

`ForwardStepper(root)` reveals each node's data in topological order (leaves first), with the forward rule.

A stepper's state is its `position`, a plain int (the number of steps applied), so a recorded session can
say "stepper at position k" and `goto(k)` reproduces the same screen exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from micrograd import graph
from micrograd.engine import Value

# ---- names in rule text ----------------------------------------------------------------------------


def _names(ids: Mapping[Value, int]) -> dict[Value, str]:
    """graph.py's names (label, or ``#id``), made unambiguous for a graph built by hand.

    `c = c + 1` written against the engine leaves two nodes labelled c. The newest (last in topological
    order: an older c is a descendant of the newer) keeps the plain name the program's variable refers to;
    older ones get their id too (``c#12``), which is how the tree tells them apart. (The expression
    language already relabels older versions, so this only matters for graphs built in Python.)
    """
    names = {node: node.label or f"#{i}" for node, i in ids.items()}  # graph.node_names' rule
    by_label: dict[str, list[Value]] = {}
    for node in ids:  # ids are in topological order
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    for label, nodes in by_label.items():
        for node in nodes[:-1]:
            names[node] = f"{label}#{ids[node]}"
    return names


class _LazyNames(Mapping):
    """`_names(graph.node_ids(root))`, worked out on first use.

    Naming walks the whole graph; a whole-batch training graph has ~40,000 nodes, and a viewer that
    never shows text (or shows a few lines) should not wait for it.
    """

    def __init__(self, root: Value):
        self._root = root
        self._names: dict[Value, str] | None = None

    def _get(self) -> dict[Value, str]:
        if self._names is None:
            self._names = _names(graph.node_ids(self._root))
        return self._names

    def __getitem__(self, node: Value) -> str:
        return self._get()[node]

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def _seed_text(name: str) -> str:
    name = graph.term(name)
    return f"{name}.grad = 1  (∂{name}/∂{name}: backprop starts at the output)"


# ---- backward --------------------------------------------------------------------------------------


class ChildUpdate(NamedTuple):
    """One application of the chain rule: ``child.grad += local * node.grad``.

    (A NamedTuple, not a frozen dataclass: a whole-batch graph makes ~100,000 of these, and a NamedTuple
    is about 4x cheaper to build.)
    """

    node: Value  # the parent passing its grad down
    index: int  # which of its children (`a * a` updates child 0 and child 1, both a)
    child: Value
    local: float  # d(node)/d(child), from the forward pass
    node_grad: float  # the parent's (final) grad
    before: float  # the child's grad before this update (0 when it was pending)
    after: float  # ... and after it
    was_pending: bool  # no contribution had reached the child before this one
    names: Mapping[Value, str]

    @property
    def text(self) -> str:
        """graph.py's line: ``a.grad += b.data × c.grad  →  0.0000 += 2.0000 × -1.5000  =  -3.0000``.

        Made on demand: a whole-batch graph has ~100,000 updates and a viewer reads a handful.
        """
        return graph.chain_rule_step(
            self.node, self.index, self.names, node_grad=self.node_grad, child_grad=self.before
        ).text


@dataclass(frozen=True)
class BackwardStep:
    """The step that takes `node`'s final grad and passes it on to each of its children."""

    position: int  # 1-based: the stepper's position once this step is applied
    node: Value
    grad: float  # the node's final grad
    seed: bool  # True for the output node, whose grad starts as d(root)/d(root) = 1
    updates: tuple[ChildUpdate, ...]
    names: Mapping[Value, str] = field(repr=False, compare=False)

    @property
    def lines(self) -> tuple[str, ...]:
        """The rule text: the seed line (output node only), then one line per child update."""
        head = (_seed_text(self.names[self.node]),) if self.seed else ()
        return head + tuple(u.text for u in self.updates)


class _Stepping:
    """What both steppers share: a tuple of steps and a position in it (0 = nothing applied yet)."""

    _steps: tuple
    names: Mapping[Value, str]
    position: int

    @property
    def total(self) -> int:
        return len(self._steps)

    @property
    def is_done(self) -> bool:
        return self.position == self.total

    @property
    def current(self):
        """The step applied last (the node to highlight), or None before the first step."""
        return self._steps[self.position - 1] if self.position else None

    @property
    def steps(self) -> tuple:
        return self._steps

    def _checked(self, position: int) -> int:
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= self.total:
            raise ValueError(f"stepper position must be an int from 0 to {self.total}, not {position!r}")
        return position

    def run_to_end(self) -> None:
        self.goto(self.total)

    def restart(self) -> None:
        self.goto(0)

    def name_of(self, node: Value) -> str:
        return self.names[node]


class BackwardStepper(_Stepping):
    """The backward pass from `root`, one node at a time, without writing into the Values.

    Steps are the output node and then every node with children, in reverse topological order (the order
    `Value.backward()` uses). Leaves propagate nothing, so they get no step; their grads become final when
    their last parent's step has run (`is_final`).
    """

    def __init__(self, root: Value):
        self.root = root
        order = root.topological_order()
        self.nodes = order  # children before parents; the root last
        self.names = _LazyNames(root)
        self._steps = tuple(self._plan(order))
        # The position from which each node's grad can no longer change: its last parent's step.
        self._final_at: dict[int, int] = {}
        for step in self._steps:
            self._final_at.setdefault(id(step.node), step.position)  # the root's own step makes it final
            for update in step.updates:
                self._final_at[id(update.child)] = step.position
        self._grads: dict[int, float] = {}  # node id -> grad so far; absent = pending
        self.position = 0

    # How an update combines the child's grad so far with this node's contribution: `+=`, as backward() does.
    # (A subclass that overwrites instead shows the lecture's "= instead of +=" bug.)
    update_class = ChildUpdate

    @staticmethod
    def combine(before: float, contribution: float) -> float:
        return before + contribution

    def _plan(self, order: list[Value]) -> list[BackwardStep]:
        # Run the whole pass once, with exactly backward()'s arithmetic (int 0 start, int 1 seed,
        # `grad += local * g` in child order), recording every number each update overwrites.
        grads: dict[int, float] = {id(self.root): 1}
        steps: list[BackwardStep] = []
        for node in reversed(order):
            if node.children or node is self.root:
                g = grads[id(node)]
                updates = []
                for index, (child, local) in enumerate(zip(node.children, node.local_grads)):
                    was_pending = id(child) not in grads
                    before = grads.get(id(child), 0)
                    after = self.combine(before, local * g)  # the engine's line, so the numbers are its numbers
                    grads[id(child)] = after
                    updates.append(
                        self.update_class(node, index, child, local, g, before, after, was_pending, self.names)
                    )
                steps.append(BackwardStep(len(steps) + 1, node, g, node is self.root, tuple(updates), self.names))
        return steps

    # ---- moving ----------------------------------------------------------------------------------

    @property
    def upcoming(self) -> BackwardStep | None:
        """The step `next()` would apply, or None when done."""
        return None if self.is_done else self._steps[self.position]

    def next(self) -> BackwardStep | None:
        """Apply one step; returns it (None, and nothing changes, when already done)."""
        if self.is_done:
            return None
        step = self._steps[self.position]
        if step.seed:
            self._grads[id(step.node)] = step.grad
        for update in step.updates:
            self._grads[id(update.child)] = update.after
        self.position += 1
        return step

    def previous(self) -> BackwardStep | None:
        """Undo the last step exactly; returns the new current step (None at the start)."""
        if self.position == 0:
            return None
        step = self._steps[self.position - 1]
        for update in reversed(step.updates):  # reversed: `a * a` updates the same child twice
            if update.was_pending:
                del self._grads[id(update.child)]
            else:
                self._grads[id(update.child)] = update.before
        if step.seed:
            del self._grads[id(step.node)]
        self.position -= 1
        return self.current

    def goto(self, position: int) -> None:
        """Move to `position` (0..total), e.g. to replay a recorded session."""
        position = self._checked(position)
        while self.position < position:
            self.next()
        while self.position > position:
            self.previous()

    # ---- reading ---------------------------------------------------------------------------------

    def grad_of(self, node: Value) -> float | None:
        """The node's grad so far, or None while no contribution has reached it (pending)."""
        return self._grads.get(id(node))

    def is_final(self, node: Value) -> bool:
        """True once no later step can change the node's grad."""
        return self.position >= self._final_at.get(id(node), self.total + 1)

    def apply_to_values(self) -> None:
        """Write the grads so far into the Values (pending ones as 0), replacing what they held.

        After `run_to_end()` this gives exactly the grads of `zero_grad()` followed by `root.backward()`.
        """
        for node in self.nodes:
            node.grad = self._grads.get(id(node), 0)


# ---- forward ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForwardStep:
    position: int
    node: Value
    names: Mapping[Value, str] = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        """graph.py's line: ``c = a × b  →  -8.0000 = -4.0000 × 2.0000``."""
        return graph.forward_text(self.node, self.names)


class ForwardStepper(_Stepping):
    """The forward pass of `root`'s graph, one node at a time in topological order (leaves first).

    The Values already hold their data (the graph was built by running the forward pass); this only
    reveals it in the order it was computed, with each node's rule.
    """

    def __init__(self, root: Value):
        self.root = root
        # graph.py's order (operands left to right), so the ids in the names count up as the steps go.
        ids = graph.node_ids(root)
        self.nodes = list(ids)
        self.names = _names(ids)
        self._steps = tuple(ForwardStep(i + 1, node, self.names) for i, node in enumerate(self.nodes))
        self._index = {id(node): i for i, node in enumerate(self.nodes)}
        self.position = 0

    def next(self) -> ForwardStep | None:
        if self.is_done:
            return None
        self.position += 1
        return self.current

    def previous(self) -> ForwardStep | None:
        if self.position:
            self.position -= 1
        return self.current

    def goto(self, position: int) -> None:
        self.position = self._checked(position)

    def data_of(self, node: Value) -> float | None:
        """The node's data once its step is reached, else None (not computed yet)."""
        return node.data if self._index[id(node)] < self.position else None
