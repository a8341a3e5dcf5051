"""Run a traced `Value` graph with NumPy: the same numbers as `engine.py`, at the speed of a tensor library.

`Program(outputs, inputs=..., params=...)` walks the graph once and turns it into integer arrays: every
node gets a row, nodes are grouped by depth and operation, and each group runs as a few NumPy calls that
gather its operands' rows. Backward walks the groups in reverse and adds each edge's contribution
(local derivative times the parent's gradient) into the child's row.

* **Inputs** are leaves fed new numbers on every call, as an ``(n_inputs, batch)`` array. The batch is a
  second array axis: a graph traced for *one* sample (``model(x) -> loss term``) runs on 10,000 samples
  without 10,000 copies of the graph.
* **Parameters** are leaves shared by every sample. They live in one flat float64 vector,
  ``program.params``, that an optimizer updates in place (``opt.update(program.params, program.param_grad)``).
* **Constants** (every other leaf) keep the number they had when traced, unless `forward` is given new ones
  (the Trainer feeds per-sample label constants this way).

One fusion, because a layer of neurons is a matrix product in disguise: a ``*`` of a parameter and a
per-sample node, used only by one ``+``, is folded into that sum, and sums reading the same operands become
one matrix multiplication. The folded ``*`` nodes still get their data and grad in `write_back`.

The groups' NumPy code (the engine's instruction set) is in `micrograd.compiled_ops`.

Domain errors raise `ValueError` with the reference engine's messages; other non-finite numbers propagate as
in the reference engine, and `first_nonfinite()` says where they started.
"""

from __future__ import annotations

import ast

import numpy as np

from micrograd.blas_threads import one_blas_thread
from micrograd.compiled_ops import (
    ADD,
    LEAF,
    LINEAR,
    MUL,
    POW,
    POWK,
    SHIFT,
    UNARY_OPS,
    Accumulate,
    AddGroup,
    LinearGroup,
    MulGroup,
    PowGroup,
    Read,
    ShiftGroup,
    UnaryGroup,
    describe,
)
from micrograd.engine import LogitShift, Value


class Cancelled(Exception):
    """`should_stop()` returned true between two groups of a forward or backward pass."""


class CompileError(ValueError):
    """The graph holds something the compiled engine cannot run (it never guesses)."""


def _children(node: Value) -> tuple[Value, ...]:
    """The nodes a node is computed from: its operands, or for a `LogitShift` the logits it reads."""
    return node.logits if isinstance(node, LogitShift) else node._prev


def _operation(node: Value):
    """(code, exponent) for a node, or CompileError. Checks the shape the engine guarantees."""
    if isinstance(node, LogitShift):
        if node._prev or not node.logits:
            raise CompileError(f"cannot compile {describe(node)}: a logit shift reads logits and has no operands")
        return SHIFT, None
    op, n = node._op, len(node._prev)
    if len(node._local) != n:
        raise CompileError(
            f"cannot compile {describe(node)}: it has {n} children but {len(node._local)} local derivatives"
        )
    if op == "" and n == 0:
        return LEAF, None
    if op == "+" and n >= 1:
        return ADD, None
    if op == "*" and n == 2:
        return MUL, None
    if op == "**" and n == 2:
        return POW, None
    if op.startswith("**") and n == 1:
        try:
            k = ast.literal_eval(op[2:])
        except (ValueError, SyntaxError):
            k = None
        if isinstance(k, (int, float)) and not isinstance(k, bool):
            return POWK, float(k)
    if op in UNARY_OPS and n == 1:
        return UNARY_OPS[op], None
    raise CompileError(
        f"cannot compile {describe(node)}: unsupported operation {op!r} with {n} children "
        f"(supported: + * ** **k ReLU tanh exp log sigmoid)"
    )


def _topological(roots: list[Value]) -> list[Value]:
    """Children before parents, every node once; iterative like `Value.topological_order`."""
    order, visited = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(_children(node)) if id(child) not in visited)
    return order


class Program:
    """A `Value` graph traced once, run forward and backward over a batch with NumPy.

    ``outputs``: a Value or a list of Values. ``inputs``: leaves fed by `forward` (one row each).
    ``params``: leaves shared by all samples, held in ``self.params`` (pass ``param_data`` to share one
    vector between programs). ``leaf_grads=False`` skips the gradients of inputs and constants.
    """

    def __init__(self, outputs, *, inputs=(), params=(), param_data=None, leaf_grads=True):
        outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
        inputs, params = list(inputs), list(params)
        for kind, leaves in (("input", inputs), ("parameter", params)):
            for leaf in leaves:
                if not isinstance(leaf, Value) or leaf._prev:
                    raise CompileError(f"every {kind} must be a leaf Value; got {leaf!r}")
        param_pos = {id(p): i for i, p in enumerate(params)}
        input_pos = {id(v): i for i, v in enumerate(inputs)}
        if len(param_pos) != len(params) or len(input_pos) != len(inputs) or param_pos.keys() & input_pos.keys():
            raise CompileError("a Value is listed twice among the inputs and parameters")
        self._param_pos = param_pos
        order = _topological(outputs)
        P, I = len(params), len(inputs)
        self.n_params, self.n_inputs = P, I

        codes, uses, parent = {}, {}, {}
        constants = []
        for node in order:
            code, _ = codes[id(node)] = _operation(node)
            if code == LEAF and id(node) not in param_pos and id(node) not in input_pos:
                if not isinstance(node.data, (int, float)) or isinstance(node.data, bool):
                    raise CompileError(f"cannot compile {describe(node)}: its data is not a real number")
                constants.append(node)
            for child in _children(node):
                uses[id(child)] = uses.get(id(child), 0) + 1
                parent[id(child)] = node
        for out in outputs:
            uses[id(out)] = uses.get(id(out), 0) + 1

        # A parameter * non-parameter product used once, by a sum, is folded into that sum (see module doc).
        def folded(node):
            if codes[id(node)][0] != MUL or uses[id(node)] != 1 or id(node) not in parent:
                return False  # an output, or used twice: its own value must be kept
            if codes[id(parent[id(node)])][0] != ADD:
                return False
            return (id(node._prev[0]) in param_pos) != (id(node._prev[1]) in param_pos)

        self.folded = {id(n): n for n in order if folded(n)}
        self._folded_parent = {key: parent[key] for key in self.folded}
        depth, keys = {}, {}
        for node in order:
            code = codes[id(node)][0]
            if code == LEAF or id(node) in self.folded:
                depth[id(node)] = 0
                continue
            parts = list(_children(node))
            if code == ADD and any(id(c) in self.folded for c in node._prev):
                code = LINEAR
                parts = [x for c in node._prev for x in (c._prev if id(c) in self.folded else (c,))]
            depth[id(node)] = 1 + max(depth[id(c)] for c in parts)
            subkey = ()
            if code == LINEAR:  # sums reading the same nodes (in order) share one matrix product
                subkey = tuple(id(self._term(c)[1]) for c in node._prev if id(c) in self.folded)
            elif code == SHIFT:  # shifts over the same number of logits share one max
                subkey = (len(parts),)
            keys[id(node)] = (depth[id(node)], code, subkey)

        # Rows: parameters (own vector), then inputs, constants, and the groups in (depth, op) order.
        interior = sorted((n for n in order if id(n) in keys), key=lambda n: keys[id(n)])
        self.nodes = params + inputs + constants + interior
        gid = {id(n): i for i, n in enumerate(self.nodes + list(self.folded.values()))}
        self.n_rows = len(self.nodes) - P
        self.wanted = np.ones(len(self.nodes), dtype=bool)
        self.wanted[P : P + I + len(constants)] = leaf_grads
        self.leaf_grads = leaf_grads
        self.constants = np.array([float(c.data) for c in constants], dtype=float)
        self.params = np.array([float(p.data) for p in params]) if param_data is None else param_data
        if self.params.shape != (P,):
            raise ValueError(f"param_data must be a flat array of {P} numbers, got shape {self.params.shape}")
        self.param_grad = np.zeros(P)
        # Two traces with equal structures differ only in their constants (the Trainer merges them).
        self.structure = tuple(
            (codes.get(id(n), (LEAF, None)), tuple(gid[id(c)] for c in _children(n)))
            for n in self.nodes + list(self.folded.values())
        )
        self.groups = self._build_groups(interior, keys, codes, gid)
        self.output_ids = np.array([gid[id(o)] for o in outputs], dtype=np.intp)
        self._read_outputs = Read(self.output_ids, P)
        self._seed_outputs = Accumulate(self.output_ids, P, np.ones(len(self.nodes), dtype=bool))
        self.vals = self.grads = None

    def _term(self, mul):
        """(parameter, other) operands of a folded product."""
        a, b = mul._prev
        return (a, b) if id(a) in self._param_pos else (b, a)

    def _build_groups(self, interior, keys, codes, gid):
        groups, P, i = [], self.n_params, 0
        while i < len(interior):
            j = i
            while j < len(interior) and keys[id(interior[j])] == keys[id(interior[i])]:
                j += 1
            nodes, (_, code, _) = interior[i:j], keys[id(interior[i])]
            start, stop = gid[id(nodes[0])] - P, gid[id(nodes[-1])] - P + 1
            if code == ADD:
                children = [gid[id(c)] for n in nodes for c in n._prev]
                groups.append(AddGroup(self, start, stop, children, np.array([len(n._prev) for n in nodes])))
            elif code == MUL:
                groups.append(
                    MulGroup(
                        self, start, stop, [gid[id(n._prev[0])] for n in nodes], [gid[id(n._prev[1])] for n in nodes]
                    )
                )
            elif code in (POWK, POW):
                base = [gid[id(n._prev[0])] for n in nodes]
                if code == POW:
                    groups.append(PowGroup(self, start, stop, base, exponent=[gid[id(n._prev[1])] for n in nodes]))
                else:
                    groups.append(PowGroup(self, start, stop, base, constant=[codes[id(n)][1] for n in nodes]))
            elif code == LINEAR:
                weights, plain, counts = [], [], []
                for n in nodes:
                    terms = [self._term(c) for c in n._prev if id(c) in self.folded]
                    weights.append([gid[id(w)] for w, _ in terms])
                    rest = [gid[id(c)] for c in n._prev if id(c) not in self.folded]
                    plain += rest
                    counts.append(len(rest))
                xs = [gid[id(x)] for _, x in (self._term(c) for c in nodes[0]._prev if id(c) in self.folded)]
                groups.append(LinearGroup(self, start, stop, weights, xs, plain, np.array(counts)))
            elif code == SHIFT:
                groups.append(ShiftGroup(self, start, stop, [gid[id(z)] for n in nodes for z in n.logits]))
            else:
                groups.append(UnaryGroup(self, start, stop, code, [gid[id(n._prev[0])] for n in nodes]))
            i = j
        return groups

    # ---- running ------------------------------------------------------------------------------------

    @one_blas_thread()  # see micrograd.blas_threads: small matrix products run fastest on one thread
    def forward(self, inputs=None, constants=None, *, should_stop=None) -> np.ndarray:
        """Compute every node for a batch; returns the outputs as an (n_outputs, batch) array.

        ``inputs``: (n_inputs, batch) (or (n_inputs,) for one sample). ``constants``: (n_constants,) or
        (n_constants, batch) to replace the traced constants, e.g. a label per sample.
        """
        _P, I, C = self.n_params, self.n_inputs, len(self.constants)
        constants = self.constants if constants is None else np.asarray(constants, dtype=float)
        if inputs is None:
            inputs = np.zeros((0, constants.shape[1] if constants.ndim == 2 else 1))
        inputs = np.asarray(inputs, dtype=float)
        inputs = inputs.reshape(I, -1) if inputs.ndim < 2 and I else inputs.reshape(0, 1) if inputs.ndim < 2 else inputs
        if inputs.shape[0] != I or constants.shape[0] != C:
            raise ValueError(
                f"expected {I} input rows and {C} constants, got shapes {inputs.shape} and {constants.shape}"
            )
        batch = inputs.shape[1]
        if self.vals is None or self.vals.shape[1] != batch:
            self.vals, self.grads = np.empty((self.n_rows, batch)), np.zeros((self.n_rows, batch))
        vals = self.vals
        vals[:I] = inputs
        vals[I : I + C] = constants if constants.ndim == 2 else constants[:, None]
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan propagate, as in the reference engine
            for group in self.groups:
                if should_stop is not None and should_stop():  # asked between groups: one matmul at most
                    raise Cancelled()
                group.forward(self.params, vals)
        self._has_grads = False
        return np.broadcast_to(self._read_outputs(self.params, vals), (len(self.output_ids), batch))

    @one_blas_thread()
    def backward(self, seed=1.0, *, should_stop=None) -> np.ndarray:
        """Gradients of sum(seed * outputs) over the batch, after `forward`; returns ``param_grad``.

        Parameter gradients are summed over the batch (the parameters are shared by every sample).
        """
        if self.vals is None:
            raise RuntimeError("call forward() before backward()")
        grads, param_grad = self.grads, self.param_grad
        grads.fill(0.0)
        param_grad.fill(0.0)
        seed = np.broadcast_to(np.asarray(seed, dtype=float), (len(self.output_ids), self.vals.shape[1]))
        self._seed_outputs.add(grads, param_grad, seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for group in reversed(self.groups):
                if should_stop is not None and should_stop():
                    raise Cancelled()
                group.backward(self.params, self.vals, grads, param_grad)
        self._has_grads = True
        return param_grad

    # ---- looking inside -----------------------------------------------------------------------------

    def node_values(self, column: int = 0):
        """(data, grad) of every traced node for one sample, as two dicts keyed by id(node)."""
        P, data, grad = self.n_params, {}, {}
        for i, node in enumerate(self.nodes):
            if i < P:
                data[id(node)], g = float(self.params[i]), float(self.param_grad[i])
            else:
                data[id(node)], g = float(self.vals[i - P, column]), float(self.grads[i - P, column])
            if self._has_grads and (i < P or i >= P + self.n_inputs + len(self.constants) or self.leaf_grads):
                grad[id(node)] = g
        for mul in self.folded.values():  # data = w * x; grad = the sum's grad (d sum / d term = 1)
            w, x = self._term(mul)
            data[id(mul)] = data[id(w)] * data[id(x)]
            if self._has_grads:
                grad[id(mul)] = grad[id(self._folded_parent[id(mul)])]
        return data, grad

    def write_back(self, column: int = 0) -> None:
        """Put one sample's numbers into the traced Values (parameters get batch-summed grads)."""
        data, grad = self.node_values(column)
        for node in self.nodes + list(self.folded.values()):
            node.data = data[id(node)]
            if id(node) in grad:
                node.grad = grad[id(node)]

    def first_nonfinite(self):
        """(node, sample) of the earliest non-finite number in the last forward pass, or None."""
        bad = np.flatnonzero(~np.isfinite(self.params))
        if len(bad):
            return self.nodes[bad[0]], None
        if self.vals is not None:
            rows, cols = np.nonzero(~np.isfinite(self.vals))
            if len(rows):
                first = np.argmin(rows)
                return self.nodes[self.n_params + rows[first]], int(cols[first])
        return None


def compile_graph(outputs, *, inputs=(), params=(), **kwargs) -> Program:
    """Trace ``outputs`` into a `Program` (see there)."""
    return Program(outputs, inputs=inputs, params=params, **kwargs)
