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

Domain errors raise `ValueError` with the reference engine's messages; other non-finite numbers propagate as
in the reference engine, and `first_nonfinite()` says where they started.
"""

from __future__ import annotations

import ast
import math

import numpy as np

from micrograd.engine import Value

# Operation codes. Leaves are rows filled from outside; everything else is computed.
LEAF, ADD, MUL, POWK, POW, RELU, TANH, EXP, LOG, SIGMOID, LINEAR = range(11)
_UNARY = {"ReLU": RELU, "tanh": TANH, "exp": EXP, "log": LOG, "sigmoid": SIGMOID}


class CompileError(ValueError):
    """The graph holds something the compiled engine cannot run (it never guesses)."""


def _describe(node: Value) -> str:
    return f"node {node.label!r}" if node.label else f"a node with data {node.data!r}"


def _as_slice(rows: np.ndarray):
    """A slice when rows are consecutive (a view, no copy), else the index array itself."""
    if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        return slice(int(rows[0]), int(rows[0]) + len(rows))
    return rows


def _operation(node: Value):
    """(code, exponent) for a node, or CompileError. Checks the shape the engine guarantees."""
    op, n = node._op, len(node._prev)
    if len(node._local) != n:
        raise CompileError(f"cannot compile {_describe(node)}: it has {n} children but {len(node._local)} local derivatives")
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
    if op in _UNARY and n == 1:
        return _UNARY[op], None
    raise CompileError(f"cannot compile {_describe(node)}: unsupported operation {op!r} with {n} children "
                       f"(supported: + * ** **k ReLU tanh exp log sigmoid)")


class _Read:
    """Reads a list of nodes as an (n, batch) array (or (n, 1) when all are parameters)."""

    def __init__(self, ids: np.ndarray, n_params: int):
        ids = np.asarray(ids, dtype=np.intp)
        self.n, shared = len(ids), ids < n_params
        self.kind = "params" if shared.all() else "rows" if not shared.any() else "mixed"
        self.params_idx, self.rows = ids[shared], _as_slice(ids[~shared] - n_params)
        self.mask = shared

    def __call__(self, params, vals):
        if self.kind == "params":
            return params[self.params_idx][:, None]
        if self.kind == "rows":
            return vals[self.rows]
        out = np.empty((self.n, vals.shape[1]))
        out[self.mask] = params[self.params_idx][:, None]
        out[~self.mask] = vals[self.rows]
        return out


class _Accumulate:
    """Adds gradient contributions, one per edge, into the edges' child nodes (rows may repeat)."""

    def __init__(self, ids: np.ndarray, n_params: int, wanted: np.ndarray):
        ids = np.asarray(ids, dtype=np.intp)
        keep = wanted[ids]  # edges into inputs/constants are skipped unless their grads were asked for
        self.empty = not keep.any()
        self.keep = None if keep.all() else np.flatnonzero(keep)
        ids = ids[keep]
        shared = ids < n_params
        self.p_pos, self.p_idx = np.flatnonzero(shared), ids[shared]
        self.p_unique = len(np.unique(self.p_idx)) == len(self.p_idx)
        self.r_pos = None if shared.all() or not shared.any() else np.flatnonzero(~shared)
        rows = ids[~shared] - n_params
        self.has_rows = len(rows) > 0
        if len(np.unique(rows)) == len(rows):
            self.rows, self.order, self.starts = _as_slice(rows), None, None
        else:  # sum repeated rows first: fancy `+=` keeps only the last of repeated indices
            self.order = np.argsort(rows, kind="stable")
            sorted_rows = rows[self.order]
            first = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
            self.rows, self.starts = sorted_rows[first], first

    def add(self, grads, param_grad, g, factor=None):
        """Contribution of edge i is g[i] * factor[i] (factor broadcasts; None means 1)."""
        if self.empty:
            return
        if self.keep is not None:
            g = g[self.keep]
            factor = None if factor is None or factor.shape[0] == 1 else factor[self.keep]
        if len(self.p_pos):
            gp = g[self.p_pos] if self.r_pos is not None else g
            fp = None if factor is None else factor[self.p_pos] if self.r_pos is not None else factor
            if fp is None or fp.shape[1] == 1:  # sum over the batch: parameters are shared by all samples
                total = gp.sum(axis=1) * (1.0 if fp is None else fp[:, 0])
            else:
                total = np.einsum("ij,ij->i", gp, fp)
            if self.p_unique:
                param_grad[self.p_idx] += total
            else:
                np.add.at(param_grad, self.p_idx, total)
        if self.has_rows:
            if self.r_pos is not None:
                g = g[self.r_pos]
                factor = None if factor is None or factor.shape[0] == 1 else factor[self.r_pos]
            contribution = g if factor is None else g * factor
            if self.order is not None:
                contribution = np.add.reduceat(contribution[self.order], self.starts, axis=0)
            grads[self.rows] += contribution


def _segment_sum(x: np.ndarray, counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Row sums of consecutive segments of x (segments may be empty), each added left to right."""
    if len(counts) and (counts == 1).all():
        return x
    out = np.zeros((len(counts), x.shape[1]))
    nonempty = counts > 0
    if nonempty.any():
        out[nonempty] = np.add.reduceat(x, starts[nonempty], axis=0)
    return out


def _slope(base: np.ndarray, k: np.ndarray) -> np.ndarray:
    """k * base**(k-1), with the reference engine's infinities where that divides by zero or overflows."""
    with np.errstate(all="ignore"):
        power = base ** (k - 1)
        slope = k * power
    slope = np.where((base == 0) & (k - 1 < 0), np.inf, slope)
    return np.where(np.isinf(power) & (base != 0), np.copysign(np.inf, k), slope)


class _Group:
    """Nodes of one depth and one operation, stored in consecutive rows [start, stop) of `vals`."""

    def __init__(self, program, start, stop):
        self.program, self.start, self.stop = program, start, stop

    def fail(self, message: str, where: np.ndarray):
        """Raise the reference engine's ValueError for the first (node, sample) where `where` holds."""
        row, column = np.argwhere(np.broadcast_to(where, (self.stop - self.start, where.shape[1])))[0]
        node = self.program.nodes[self.program.n_params + self.start + row]
        raise ValueError(f"{message} (at {_describe(node)}, sample {column})")


class _AddGroup(_Group):
    def __init__(self, program, start, stop, children, counts):
        super().__init__(program, start, stop)
        self.read = _Read(children, program.n_params)
        self.acc = _Accumulate(children, program.n_params, program.wanted)
        self.counts, self.starts = counts, np.r_[0, np.cumsum(counts)[:-1]]

    def forward(self, params, vals):
        vals[self.start:self.stop] = _segment_sum(self.read(params, vals), self.counts, self.starts)

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start:self.stop]
        self.acc.add(grads, param_grad, g if (self.counts == 1).all() else np.repeat(g, self.counts, axis=0))


class _MulGroup(_Group):
    def __init__(self, program, start, stop, left, right):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.left, self.right = _Read(left, P), _Read(right, P)
        self.acc_left, self.acc_right = _Accumulate(left, P, wanted), _Accumulate(right, P, wanted)

    def forward(self, params, vals):
        np.multiply(self.left(params, vals), self.right(params, vals), out=vals[self.start:self.stop])

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start:self.stop]
        self.acc_left.add(grads, param_grad, g, self.right(params, vals))  # d(a*b)/da = b
        self.acc_right.add(grads, param_grad, g, self.left(params, vals))


class _PowGroup(_Group):
    """base ** exponent, the exponent a number per node (``**k``) or a Value (``**``)."""

    def __init__(self, program, start, stop, base, exponent=None, constant=None):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.base, self.acc_base = _Read(base, P), _Accumulate(base, P, wanted)
        self.exponent = _Read(exponent, P) if exponent is not None else None
        self.acc_exponent = _Accumulate(exponent, P, wanted) if exponent is not None else None
        self.constant = None if constant is None else np.asarray(constant, dtype=float)[:, None]

    def operands(self, params, vals):
        k = self.constant if self.exponent is None else self.exponent(params, vals)
        return self.base(params, vals), k

    def forward(self, params, vals):
        a, k = self.operands(params, vals)
        if ((a == 0) & (k < 0)).any():
            self.fail("power of zero: 0 ** negative is undefined (a negative power of 0 divides by zero)", (a == 0) & (k < 0))
        fractional = (a < 0) & (k != np.floor(k))
        if fractional.any():
            self.fail("power of a negative number: a negative base to a fractional power is not a real number", fractional)
        with np.errstate(over="ignore"):
            out = a**k
        overflow = np.isinf(out) & np.isfinite(a) & np.isfinite(k)
        if overflow.any():
            self.fail("power overflow: the result is too large for a float", overflow)
        vals[self.start:self.stop] = out

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start:self.stop]
        a, k = self.operands(params, vals)
        self.acc_base.add(grads, param_grad, g, _slope(a, k))
        if self.exponent is not None:  # d(a**b)/db = a**b * ln(a); 0 at a == 0 (b >= 0); undefined below 0
            out = vals[self.start:self.stop]
            with np.errstate(all="ignore"):
                d = np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)), np.where((a == 0) & (k >= 0), 0.0, np.nan))
            self.acc_exponent.add(grads, param_grad, g, d)


class _UnaryGroup(_Group):
    def __init__(self, program, start, stop, code, children):
        super().__init__(program, start, stop)
        self.code = code
        self.read, self.acc = _Read(children, program.n_params), _Accumulate(children, program.n_params, program.wanted)

    def forward(self, params, vals):
        x, out = self.read(params, vals), vals[self.start:self.stop]
        if self.code == RELU:
            np.maximum(x, 0.0, out=out)
        elif self.code == TANH:
            np.tanh(x, out=out)
        elif self.code == EXP:
            with np.errstate(over="ignore"):
                np.exp(x, out=out)
            if np.isinf(out).any() and (np.isinf(out) & np.isfinite(x)).any():
                self.fail("exp overflow: exp(x) is too large for a float (the limit is about exp(709.78))",
                          np.isinf(out) & np.isfinite(x))
        elif self.code == LOG:
            if (x <= 0).any():
                self.fail("log of a non-positive number: log(x) is undefined (the input must be > 0)", x <= 0)
            np.log(x, out=out)
        else:  # sigmoid, as the reference computes it: exp only ever sees a non-positive number
            e = np.exp(-np.abs(x))
            out[...] = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def backward(self, params, vals, grads, param_grad):
        g, out = grads[self.start:self.stop], vals[self.start:self.stop]
        if self.code == RELU:
            local = out > 0
        elif self.code == TANH:
            local = 1.0 - out * out
        elif self.code == EXP:
            local = out
        elif self.code == LOG:
            local = 1.0 / self.read(params, vals)
        else:
            local = out * (1.0 - out)
        self.acc.add(grads, param_grad, g, local)


class _LinearGroup(_Group):
    """Sums of (parameter * node) terms sharing the same nodes, plus other children: W @ X + rest."""

    def __init__(self, program, start, stop, weights, xs, plain, counts):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.weights = np.asarray(weights, dtype=np.intp)  # (nodes, terms) parameter indices
        self.weights_unique = len(np.unique(self.weights)) == self.weights.size
        self.x, self.acc_x = _Read(xs, P), _Accumulate(xs, P, wanted)
        self.counts, self.starts = counts, np.r_[0, np.cumsum(counts)[:-1]]
        self.plain = _Read(plain, P) if len(plain) else None
        self.acc_plain = _Accumulate(plain, P, wanted) if len(plain) else None

    def forward(self, params, vals):
        out = vals[self.start:self.stop]
        np.matmul(params[self.weights], self.x(params, vals), out=out)
        if self.plain is not None:
            out += _segment_sum(self.plain(params, vals), self.counts, self.starts)

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start:self.stop]
        d_weights = g @ self.x(params, vals).T
        if self.weights_unique:
            param_grad[self.weights] += d_weights
        else:
            np.add.at(param_grad, self.weights.ravel(), d_weights.ravel())
        self.acc_x.add(grads, param_grad, params[self.weights].T @ g)
        if self.acc_plain is not None:
            self.acc_plain.add(grads, param_grad, g if (self.counts == 1).all() else np.repeat(g, self.counts, axis=0))


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
                stack.extend((child, False) for child in reversed(node._prev) if id(child) not in visited)
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
                    raise CompileError(f"cannot compile {_describe(node)}: its data is not a real number")
                constants.append(node)
            for child in node._prev:
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
            parts = [c for c in node._prev]
            if code == ADD and any(id(c) in self.folded for c in node._prev):
                code = LINEAR
                parts = [x for c in node._prev for x in (c._prev if id(c) in self.folded else (c,))]
            depth[id(node)] = 1 + max(depth[id(c)] for c in parts)
            subkey = ()
            if code == LINEAR:  # sums reading the same nodes (in order) share one matrix product
                subkey = tuple(id(self._term(c)[1]) for c in node._prev if id(c) in self.folded)
            keys[id(node)] = (depth[id(node)], code, subkey)

        # Rows: parameters (own vector), then inputs, constants, and the groups in (depth, op) order.
        interior = sorted((n for n in order if id(n) in keys), key=lambda n: keys[id(n)])
        self.nodes = params + inputs + constants + interior
        gid = {id(n): i for i, n in enumerate(self.nodes + list(self.folded.values()))}
        self.n_rows = len(self.nodes) - P
        self.wanted = np.ones(len(self.nodes), dtype=bool)
        self.wanted[P:P + I + len(constants)] = leaf_grads
        self.leaf_grads = leaf_grads
        self.constants = np.array([float(c.data) for c in constants], dtype=float)
        self.params = np.array([float(p.data) for p in params]) if param_data is None else param_data
        self.param_grad = np.zeros(P)
        # Two traces with equal structures differ only in their constants (the Trainer merges them).
        self.structure = tuple((codes.get(id(n), (LEAF, None)), tuple(gid[id(c)] for c in n._prev))
                               for n in self.nodes + list(self.folded.values()))
        self.groups = self._build_groups(interior, keys, codes, gid)
        self.output_ids = np.array([gid[id(o)] for o in outputs], dtype=np.intp)
        self._read_outputs = _Read(self.output_ids, P)
        self._seed_outputs = _Accumulate(self.output_ids, P, np.ones(len(self.nodes), dtype=bool))
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
                groups.append(_AddGroup(self, start, stop, children, np.array([len(n._prev) for n in nodes])))
            elif code == MUL:
                groups.append(_MulGroup(self, start, stop, [gid[id(n._prev[0])] for n in nodes],
                                        [gid[id(n._prev[1])] for n in nodes]))
            elif code in (POWK, POW):
                base = [gid[id(n._prev[0])] for n in nodes]
                if code == POW:
                    groups.append(_PowGroup(self, start, stop, base, exponent=[gid[id(n._prev[1])] for n in nodes]))
                else:
                    groups.append(_PowGroup(self, start, stop, base, constant=[codes[id(n)][1] for n in nodes]))
            elif code == LINEAR:
                weights, plain, counts = [], [], []
                for n in nodes:
                    terms = [self._term(c) for c in n._prev if id(c) in self.folded]
                    weights.append([gid[id(w)] for w, _ in terms])
                    rest = [gid[id(c)] for c in n._prev if id(c) not in self.folded]
                    plain += rest
                    counts.append(len(rest))
                xs = [gid[id(x)] for _, x in (self._term(c) for c in nodes[0]._prev if id(c) in self.folded)]
                groups.append(_LinearGroup(self, start, stop, weights, xs, plain, np.array(counts)))
            else:
                groups.append(_UnaryGroup(self, start, stop, code, [gid[id(n._prev[0])] for n in nodes]))
            i = j
        return groups

    # ---- running ------------------------------------------------------------------------------------

    def forward(self, inputs=None, constants=None) -> np.ndarray:
        """Compute every node for a batch; returns the outputs as an (n_outputs, batch) array.

        ``inputs``: (n_inputs, batch) (or (n_inputs,) for one sample). ``constants``: (n_constants,) or
        (n_constants, batch) to replace the traced constants, e.g. a label per sample.
        """
        P, I, C = self.n_params, self.n_inputs, len(self.constants)
        constants = self.constants if constants is None else np.asarray(constants, dtype=float)
        if inputs is None:
            inputs = np.zeros((0, constants.shape[1] if constants.ndim == 2 else 1))
        inputs = np.asarray(inputs, dtype=float)
        inputs = inputs.reshape(I, -1) if inputs.ndim < 2 and I else inputs.reshape(0, 1) if inputs.ndim < 2 else inputs
        if inputs.shape[0] != I or constants.shape[0] != C:
            raise ValueError(f"expected {I} input rows and {C} constants, got shapes {inputs.shape} and {constants.shape}")
        batch = inputs.shape[1]
        if self.vals is None or self.vals.shape[1] != batch:
            self.vals, self.grads = np.empty((self.n_rows, batch)), np.zeros((self.n_rows, batch))
        vals = self.vals
        vals[:I] = inputs
        vals[I:I + C] = constants if constants.ndim == 2 else constants[:, None]
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan propagate, as in the reference engine
            for group in self.groups:
                group.forward(self.params, vals)
        self._has_grads = False
        return np.broadcast_to(self._read_outputs(self.params, vals), (len(self.output_ids), batch))

    def backward(self, seed=1.0) -> np.ndarray:
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
