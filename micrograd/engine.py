"""The scalar autograd engine: one `Value` per number, and backpropagation over the graph they form.

Drop-in compatible with karpathy/micrograd's `micrograd.engine.Value`, with three differences in how it
works (not in what it computes):

* Each operator stores its *local derivatives* beside its forward value (``_local``), instead of a
  ``_backward`` closure. The chain rule is then one loop in `backward()`. This is what PyTorch calls
  "saved tensors"; here it also removes the reference cycle every closure made (node -> closure -> node),
  so a finished graph is freed by reference counting instead of waiting for the garbage collector, which
  is where plain micrograd spends most of its time.
* `backward()` sorts the graph with an explicit stack, so a chain 100,000 nodes deep works.
* `Value.sum(values)` adds many values in one node (micrograd builds a chain of ``+`` nodes).

Gradients *accumulate*: `backward()` adds into ``.grad`` (like micrograd and PyTorch), so call
`zero_grad()` on the graph (or `Module.zero_grad()` on a model) before the next backward pass. As in
micrograd, a second `backward()` through the *same* graph without zeroing also re-propagates the
intermediate nodes' stale grads, so it does not simply double the first result (PyTorch refuses a second
backward through a freed graph instead). The app's "forget zero_grad" pitfall shows exactly this.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import islice, repeat

Number = int | float
CHECK_EVERY = 5_000  # nodes between two calls of a sort's or backward pass's `check`: about a millisecond of work


class Value:
    """Stores a single scalar value and its gradient."""

    __slots__ = ("_local", "_op", "_prev", "data", "grad", "label")

    def __init__(self, data, _children=(), _op="", label="", *, _local=()):
        self.data = data
        self.grad = 0
        self.label = label
        # Children in operand order (micrograd keeps a set; an ordered tuple is still iterable the same
        # way, and lets `a * a` keep both operands).
        self._prev = _children if type(_children) is tuple else tuple(_children)  # operators pass tuples
        self._op = _op
        # d(self)/d(child) for each child, in the same order as _prev.
        self._local = _local if type(_local) is tuple else tuple(_local)

    # ---- read-only views for tools --------------------------------------------------------------

    @property
    def children(self) -> tuple[Value, ...]:
        """The operands this value was computed from, in order (empty for a leaf)."""
        return self._prev

    @property
    def op(self) -> str:
        """The operation that produced this value ('' for a leaf)."""
        return self._op

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(child) for each child, as computed in the forward pass."""
        return self._local

    # ---- operators: forward value, then local derivative(s) ------------------------------------

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), "+", _local=(1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), "*", _local=(other.data, self.data))

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        if not isinstance(other, (int, float)):  # micrograd asserts; an assert vanishes under python -O
            raise TypeError(f"** needs a number or a Value as the exponent, not {type(other).__name__}")
        base = self.data
        out = _power(base, other)
        return Value(out, (self,), f"**{other}", _local=(_power_slope(base, other),))

    def _pow_value(self, other: Value) -> Value:
        """a ** b with b a Value too: d/da = b * a**(b-1), d/db = a**b * ln(a)."""
        a, b = self.data, other.data
        out = _power(a, b)
        if a > 0:
            d_exponent = out * math.log(a)
        elif a == 0 and b >= 0:
            d_exponent = 0.0  # PyTorch's convention: the limit from the positive side
        else:
            d_exponent = math.nan  # ln of a negative base is undefined
        return Value(out, (self, other), "**", _local=(_power_slope(a, b), d_exponent))

    def relu(self):
        out = 0 if self.data < 0 else self.data
        return Value(out, (self,), "ReLU", _local=(1.0 if out > 0 else 0.0,))

    def tanh(self):
        t = math.tanh(self.data)  # math.tanh saturates at +-1; it never overflows
        return Value(t, (self,), "tanh", _local=(1.0 - t * t,))

    def exp(self):
        x = self.data
        try:
            out = math.exp(x)
        except OverflowError:
            raise ValueError(
                f"exp overflow: exp({x!r}) is too large for a float (the limit is about exp(709.78))"
            ) from None
        return Value(out, (self,), "exp", _local=(out,))

    def log(self):
        x = self.data
        if x <= 0:
            raise ValueError(f"log of a non-positive number: log({x!r}) is undefined (the input must be > 0)")
        return Value(math.log(x), (self,), "log", _local=(1.0 / x,))

    def sigmoid(self):
        x = self.data
        if x >= 0:  # two branches so exp() only ever sees a non-positive number: no overflow
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value(s, (self,), "sigmoid", _local=(s * (1.0 - s),))

    @staticmethod
    def sum(values: Iterable[Value | Number], label: str = "") -> Value:
        """One n-ary ``+`` node: d(sum)/d(each) = 1. Adds left to right, like a chain of ``+``."""
        children = [v if isinstance(v, Value) else Value(v) for v in values]
        if not children:
            return Value(0.0, label=label)
        total = children[0].data
        for child in children[1:]:  # plain left-to-right float adds: bit-identical to a chain of +
            total = total + child.data
        return Value(total, children, "+", label, _local=(1.0,) * len(children))

    # Composite operators, built exactly as micrograd builds them so graphs and numbers match it.

    def __neg__(self):  # -self
        return self * -1

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def __rtruediv__(self, other):  # other / self
        return other * self**-1

    def __rpow__(self, other):  # other ** self, a number raised to a Value
        return Value(other) ** self

    # ---- backpropagation ------------------------------------------------------------------------

    def topological_order(self, check: Callable[[], None] | None = None) -> list[Value]:
        """Every node this value depends on (itself included), each after all of its children.

        Iterative depth-first search, so graph depth is limited by memory, not the recursion limit. `check`,
        if given, is called once per CHECK_EVERY nodes (it may raise to stop a long sort).
        """
        order: list[Value] = []
        visited: set[Value] = set()
        # None on the stack means "the node below me has all its children ordered: emit it". Plain nodes
        # and a marker, rather than (node, flag) tuples, halve the time of this loop on big graphs.
        stack: list[Value | None] = [self]
        # In chunks of CHECK_EVERY nodes, ended by the empty stack's IndexError, with the methods looked up
        # once: as fast as a plain `while stack` loop (a count and a test per node cost 5-20%).
        pop, push, extend, emit, see = stack.pop, stack.append, stack.extend, order.append, visited.add
        while stack:
            try:
                for _ in repeat(None, CHECK_EVERY):
                    node = pop()
                    if node is None:
                        emit(pop())
                    elif node not in visited:
                        see(node)
                        push(node)
                        push(None)
                        extend(node._prev)
            except IndexError:  # the stack ran out: every node is ordered
                break
            if check is not None:
                check()
        return order

    def backward(self, check: Callable[[], None] | None = None) -> None:
        """Fill in d(self)/d(node) for every node in the graph, *adding* to each node's ``grad``.

        `check`, if given, is called once per CHECK_EVERY nodes of the sort and of the pass (it may raise to
        stop: then some grads have been added to and some not)."""
        order = self.topological_order(check)
        self.grad = 1
        nodes = reversed(order)
        for _ in range(0, len(order), CHECK_EVERY):
            for node in islice(nodes, CHECK_EVERY):
                g = node.grad
                for child, local in zip(node._prev, node._local):
                    child.grad += local * g  # the chain rule
            if check is not None:
                check()

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this value and every value it was computed from."""
        for node in self.topological_order():
            node.grad = 0

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


class LogitShift(Value):
    """A constant leaf holding -max(logits): the shift that keeps every exp of a log-sum-exp at or below 0.

    To the reference engine it is an ordinary constant (its graph, and so the shift, is rebuilt every
    step). The compiled engine replays one traced graph on new numbers, so it recomputes the shift from
    ``logits`` on every forward pass instead of freezing the traced number; no gradient flows through it
    on either engine (log-sum-exp(z - c) + c does not depend on c).
    """

    __slots__ = ("logits",)

    def __init__(self, logits: Iterable[Value], label: str = ""):
        self.logits = tuple(logits)
        super().__init__(-max(z.data for z in self.logits), label=label)


# ---- helpers for ** -------------------------------------------------------------------------------


def _power(base: Number, exponent: Number) -> float:
    """base ** exponent, with a clear ValueError where Python would give an error or a complex number."""
    if base == 0 and exponent < 0:
        raise ValueError(f"power of zero: 0 ** {exponent!r} is undefined (a negative power of 0 divides by zero)")
    if base < 0 and not float(exponent).is_integer():
        raise ValueError(f"power of a negative number: ({base!r}) ** {exponent!r} is not a real number")
    try:
        return base**exponent
    except OverflowError:
        raise ValueError(f"power overflow: ({base!r}) ** {exponent!r} is too large for a float") from None


def _power_slope(base: Number, exponent: Number) -> float:
    """d(base**exponent)/d(base) = exponent * base**(exponent-1), as PyTorch computes it.

    0 wherever the exponent is 0 (PyTorch masks that case: 0**0 and nan**0 have slope 0); infinite where
    base**(exponent-1) divides by zero; a signed infinity where it overflows (the sign of the true product).
    """
    if exponent == 0:
        return 0.0
    try:
        return exponent * base ** (exponent - 1)
    except ZeroDivisionError:  # 0 ** (negative): the slope of e.g. sqrt at 0
        return math.inf
    except OverflowError:  # |base ** (exponent-1)| too large; negative only for a negative base to an odd power
        negative_power = base < 0 and float(exponent - 1).is_integer() and (exponent - 1) % 2 == 1
        return math.copysign(math.inf, exponent) * (-1.0 if negative_power else 1.0)
