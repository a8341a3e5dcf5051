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

from dataclasses import dataclass

from micrograd import graph
from micrograd.engine import Value


# ---- names in rule text ----------------------------------------------------------------------------

def _names(root: Value) -> dict[Value, str]:
    """graph.py's names (label, or ``#id``), made unambiguous for a graph built by hand.

    `c = c + 1` written against the engine leaves two nodes labelled c. The newest (last in topological
    order: an older c is a descendant of the newer) keeps the plain name the program's variable refers to;
    older ones get their id too (``c#12``), which is how the tree tells them apart. (The expression
    language already relabels older versions, so this only matters for graphs built in Python.)
    """
    names = graph.node_names(root)
    ids = graph.node_ids(root)
    by_label: dict[str, list[Value]] = {}
    for node in ids:  # ids are in topological order
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    for label, nodes in by_label.items():
        for node in nodes[:-1]:
            names[node] = f"{label}#{ids[node]}"
    return names


def _seed_text(name: str) -> str:
    return f"{name}.grad = 1  (∂{name}/∂{name}: backprop starts at the output)"


# ---- backward --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildUpdate:
    """One application of the chain rule: ``child.grad += local * node.grad``."""

    child: Value
    local: float  # d(node)/d(child), from the forward pass
    before: float  # the child's grad before this update (0 when it was pending)
    after: float  # ... and after it
    was_pending: bool  # no contribution had reached the child before this one
    text: str  # graph.chain_rule_step's: "a.grad += b.data × c.grad  →  0.0000 += 2.0000 × -1.5000  =  -3.0000"


@dataclass(frozen=True)
class BackwardStep:
    """The step that takes `node`'s final grad and passes it on to each of its children."""

    position: int  # 1-based: the stepper's position once this step is applied
    node: Value
    grad: float  # the node's final grad
    seed: bool  # True for the output node, whose grad starts as d(root)/d(root) = 1
    updates: tuple[ChildUpdate, ...]
    lines: tuple[str, ...]  # the rule text: the seed line (output node only), then one per update


class BackwardStepper:
    """The backward pass from `root`, one node at a time, without writing into the Values.

    Steps are the output node and then every node with children, in reverse topological order (the order
    `Value.backward()` uses). Leaves propagate nothing, so they get no step; their grads become final when
    their last parent's step has run (`is_final`).
    """

    def __init__(self, root: Value):
        self.root = root
        order = root.topological_order()
        self.nodes = order  # children before parents; the root last
        self.names = _names(root)
        self._steps = self._plan(order)
        # The step after which each node's grad can no longer change (0 = not until the first step).
        self._final_at: dict[int, int] = {}
        for step in self._steps:
            self._final_at.setdefault(id(step.node), step.position)  # the root's own step makes it final
            for update in step.updates:
                self._final_at[id(update.child)] = step.position
        self._grads: dict[int, float] = {}  # node id -> grad so far; absent = pending
        self.position = 0

    def _plan(self, order: list[Value]) -> list[BackwardStep]:
        # Run the whole pass once, with exactly backward()'s arithmetic (int 0 start, int 1 seed,
        # `grad += local * g` in child order), recording every number each update overwrites.
        grads: dict[int, float] = {id(self.root): 1}
        steps: list[BackwardStep] = []
        for node in reversed(order):
            if node.children or node is self.root:
                g = grads[id(node)]
                updates = []
                for index, child in enumerate(node.children):
                    was_pending = id(child) not in grads
                    change = graph.chain_rule_step(node, index, self.names, node_grad=g,
                                                   child_grad=grads.get(id(child), 0))
                    grads[id(child)] = change.after
                    updates.append(ChildUpdate(child, change.local, change.before, change.after, was_pending,
                                               change.text))
                seed = node is self.root
                lines = ([_seed_text(self.names[node])] if seed else []) + [u.text for u in updates]
                steps.append(BackwardStep(len(steps) + 1, node, g, seed, tuple(updates), tuple(lines)))
        return steps

    # ---- moving ----------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._steps)

    @property
    def is_done(self) -> bool:
        return self.position == self.total

    @property
    def current(self) -> BackwardStep | None:
        """The step applied last (the node to highlight), or None before the first step."""
        return self._steps[self.position - 1] if self.position else None

    @property
    def upcoming(self) -> BackwardStep | None:
        """The step `next()` would apply, or None when done."""
        return None if self.is_done else self._steps[self.position]

    @property
    def steps(self) -> tuple[BackwardStep, ...]:
        return tuple(self._steps)

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
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= self.total:
            raise ValueError(f"stepper position must be an int from 0 to {self.total}, not {position!r}")
        while self.position < position:
            self.next()
        while self.position > position:
            self.previous()

    def run_to_end(self) -> None:
        self.goto(self.total)

    def restart(self) -> None:
        self.goto(0)

    # ---- reading ---------------------------------------------------------------------------------

    def grad_of(self, node: Value) -> float | None:
        """The node's grad so far, or None while no contribution has reached it (pending)."""
        return self._grads.get(id(node))

    def is_final(self, node: Value) -> bool:
        """True once no later step can change the node's grad."""
        return self.position >= self._final_at.get(id(node), self.total + 1)

    def name_of(self, node: Value) -> str:
        return self.names[node]

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
    text: str  # graph.forward_text's: "c = a × b  →  -8.0000 = -4.0000 × 2.0000"


class ForwardStepper:
    """The forward pass of `root`'s graph, one node at a time in topological order (leaves first).

    The Values already hold their data (the graph was built by running the forward pass); this only
    reveals it in the order it was computed, with each node's rule.
    """

    def __init__(self, root: Value):
        self.root = root
        # graph.py's order (operands left to right), so the ids in the names count up as the steps go.
        self.nodes = graph.topological(root)
        self.names = _names(root)
        self._steps = [ForwardStep(i + 1, node, graph.forward_text(node, self.names))
                       for i, node in enumerate(self.nodes)]
        self._index = {id(node): i for i, node in enumerate(self.nodes)}
        self.position = 0

    @property
    def total(self) -> int:
        return len(self._steps)

    @property
    def is_done(self) -> bool:
        return self.position == self.total

    @property
    def current(self) -> ForwardStep | None:
        return self._steps[self.position - 1] if self.position else None

    @property
    def steps(self) -> tuple[ForwardStep, ...]:
        return tuple(self._steps)

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
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= self.total:
            raise ValueError(f"stepper position must be an int from 0 to {self.total}, not {position!r}")
        self.position = position

    def run_to_end(self) -> None:
        self.position = self.total

    def restart(self) -> None:
        self.position = 0

    def data_of(self, node: Value) -> float | None:
        """The node's data once its step is reached, else None (not computed yet)."""
        return node.data if self._index[id(node)] < self.position else None

    def name_of(self, node: Value) -> str:
        return self.names[node]
