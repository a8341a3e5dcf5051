"""The compiled engine's instruction set: one class per (depth, operation) group of nodes.

`micrograd.compiled.Program` lays a traced graph out in rows and hands each group its rows; a group's
`forward` fills its rows from its operands' rows with a few NumPy calls, and `backward` adds each edge's
contribution (local derivative times the group's gradient) into the operands' gradients. Parameters are
shared by every sample, so they live in their own flat vector, and their gradients are summed over the batch.
"""

from __future__ import annotations

import itertools

import numpy as np

from micrograd.engine import Value

# Operation codes. Leaves are rows filled from outside; LINEAR is a sum with folded parameter products.
# SHIFT is a cross-entropy's -max(logits) (`engine.LogitShift`): a constant to gradients, recomputed every pass.
LEAF, ADD, MUL, POWK, POW, RELU, TANH, EXP, LOG, SIGMOID, LINEAR, SHIFT = range(12)
UNARY_OPS = {"ReLU": RELU, "tanh": TANH, "exp": EXP, "log": LOG, "sigmoid": SIGMOID}


def describe(node: Value) -> str:
    return f"node {node.label!r}" if node.label else f"a node with data {node.data!r}"


def as_slice(rows: np.ndarray):
    """A slice when rows are evenly spaced and increasing (a view, no copy), else the index array itself."""
    rows = np.asarray(rows, dtype=np.intp)
    if len(rows) == 1:
        return slice(int(rows[0]), int(rows[0]) + 1)
    if len(rows) > 1:
        step = int(rows[1] - rows[0])
        if step > 0 and (np.diff(rows) == step).all():
            return slice(int(rows[0]), int(rows[-1]) + 1, step)
    return rows


SMALL = 8  # Read and Accumulate of at most this many nodes are set up in plain Python


_NO_ROWS = np.zeros(0, dtype=np.intp)


def _slice(rows: list[int]):
    """`as_slice` for a short Python list."""
    if not rows:
        return _NO_ROWS
    if len(rows) == 1:
        return slice(rows[0], rows[0] + 1)
    if len(rows) > 1:
        step = rows[1] - rows[0]
        if step > 0 and all(b - a == step for a, b in itertools.pairwise(rows)):
            return slice(rows[0], rows[-1] + 1, step)
    return np.array(rows, dtype=np.intp)


LONG_RUN = 16  # a row receiving more additions than this is summed with one np.add.accumulate


class OrderedAdd:
    """``target[rows[i]] += values[i]`` for every i in turn: additions into one row happen in order i.

    Left to right, like the reference engine's chain of float adds (NumPy's reduceat and sum may pair
    terms differently, and `1e16 + -1e16 + 1` is 1.0 only left to right). Done in passes: pass r adds
    every row's r-th value (rows unique within a pass); a row with many values gets one sequential
    np.add.accumulate instead of that many passes.
    """

    def __init__(self, rows: np.ndarray, positions: np.ndarray | None = None):
        """``positions``: where value i sits in the array given to `add` (default: at i)."""
        rows = np.asarray(rows, dtype=np.intp)
        at = np.arange(len(rows)) if positions is None else np.asarray(positions, dtype=np.intp)
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        edges = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1], True]) if len(rows) else [0]
        first, counts = np.asarray(edges[:-1]), np.diff(edges)
        rank = np.empty(len(rows), dtype=np.intp)
        rank[order] = np.arange(len(rows)) - np.repeat(first, counts)
        long_row = np.zeros(len(rows), dtype=bool)
        long_row[order] = np.repeat(counts > LONG_RUN, counts)
        self.runs = [(int(sorted_rows[f]), at[order[f : f + c]]) for f, c in zip(first, counts) if c > LONG_RUN]
        self.passes = []
        for r in range(int(min(counts.max(initial=0), LONG_RUN + 1))):
            where = np.flatnonzero((rank == r) & ~long_row)
            if len(where):
                self.passes.append((as_slice(rows[where]), as_slice(at[where])))

    def add(self, target: np.ndarray, values: np.ndarray) -> None:
        for rows, where in self.passes:
            target[rows] += values[where]
        for row, where in self.runs:
            run = np.concatenate([target[row : row + 1], values[where]])
            if run.ndim == 2 and run.shape[1] == 1:  # one column: a flat accumulate is far faster than a strided one
                target[row] = np.add.accumulate(run.ravel())[-1]
            else:
                target[row] = np.add.accumulate(run, axis=0)[-1]


class Read:
    """Reads a list of nodes as an (n, batch) array (or (n, 1) when all are parameters)."""

    def __init__(self, ids: np.ndarray, n_params: int):
        if len(ids) <= SMALL:  # a few nodes (a long chain has a group per node): no NumPy work while tracing
            ids = [int(i) for i in ids]
            shared = [i < n_params for i in ids]
            self.n, self.kind = len(ids), "params" if all(shared) else "rows" if not any(shared) else "mixed"
            self.params_idx = _slice([i for i, s in zip(ids, shared) if s])
            self.rows = _slice([i - n_params for i, s in zip(ids, shared) if not s])
            self.mask = np.array(shared) if self.kind == "mixed" else None
            return
        ids = np.asarray(ids, dtype=np.intp)
        self.n, shared = len(ids), ids < n_params
        self.kind = "params" if shared.all() else "rows" if not shared.any() else "mixed"
        self.params_idx, self.rows = as_slice(ids[shared]), as_slice(ids[~shared] - n_params)
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


class Accumulate:
    """Adds gradient contributions, one per edge, into the edges' child nodes (rows may repeat)."""

    # Set by `Program.plan_gradients`: these rows get their first contribution here, so it is written rather
    # than added (the backward pass then need not zero them first, and reads them once less).
    assign = False

    def __init__(self, ids: np.ndarray, n_params: int, wanted: np.ndarray | list[bool]):
        """``wanted``: per node, whether its gradient is kept (a list is faster for a few edges)."""
        if len(ids) <= SMALL:  # a few edges: no NumPy work while tracing
            self._small(ids, n_params, wanted)
            return
        ids = np.asarray(ids, dtype=np.intp)
        keep = np.asarray(wanted)[ids]  # edges into inputs/constants are skipped unless their grads were asked for
        self.empty = not keep.any()
        self.keep = None if keep.all() else np.flatnonzero(keep)
        ids = ids[keep]
        shared = ids < n_params
        self.p_pos, p_idx = np.flatnonzero(shared), ids[shared]
        self.p_unique = len(np.unique(p_idx)) == len(p_idx)
        self.p_idx = as_slice(p_idx) if self.p_unique else p_idx
        self.r_pos = None if shared.all() or not shared.any() else np.flatnonzero(~shared)
        rows = ids[~shared] - n_params
        self.has_rows = len(rows) > 0
        # Repeated rows (fancy `+=` would keep only the last of them) add one edge after another, in order.
        self.rows = as_slice(rows)
        self.repeated = OrderedAdd(rows) if len(np.unique(rows)) != len(rows) else None

    def _small(self, ids, n_params: int, wanted: np.ndarray) -> None:
        """`__init__` for a few edges, in plain Python (the same attributes)."""
        ids = [int(i) for i in ids]
        keep = [wanted[i] for i in ids] if isinstance(wanted, list) else [bool(wanted[i]) for i in ids]
        self.empty = not any(keep)
        self.keep = None if all(keep) else np.array([k for k, flag in enumerate(keep) if flag], dtype=np.intp)
        ids = [i for i, flag in zip(ids, keep) if flag]
        shared = [i < n_params for i in ids]
        mixed = any(shared) and not all(shared)
        p_pos = [k for k, s in enumerate(shared) if s]
        self.p_pos = np.array(p_pos, dtype=np.intp) if mixed else tuple(p_pos)
        p_idx = [i for i, s in zip(ids, shared) if s]
        self.p_unique = len(set(p_idx)) == len(p_idx)
        self.p_idx = _slice(p_idx) if self.p_unique else np.array(p_idx, dtype=np.intp)
        self.r_pos = np.array([k for k, s in enumerate(shared) if not s], dtype=np.intp) if mixed else None
        rows = [i - n_params for i, s in zip(ids, shared) if not s]
        self.has_rows = bool(rows)
        self.rows = _slice(rows)
        self.repeated = OrderedAdd(np.array(rows, dtype=np.intp)) if len(set(rows)) != len(rows) else None

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
            if self.repeated is not None:
                self.repeated.add(grads, contribution)
            elif self.assign:
                grads[self.rows] = contribution
            else:
                grads[self.rows] += contribution

    def direct(self, grads: np.ndarray) -> np.ndarray | None:
        """The gradient rows themselves when this accumulation is a plain write of whole consecutive rows
        (first contribution, no parameters, nothing skipped): a product can be computed straight into them."""
        if not self.assign or self.keep is not None or len(self.p_pos) or not isinstance(self.rows, slice):
            return None
        if self.rows.step not in (None, 1):
            return None
        return grads[self.rows]

    def target_rows(self, n_rows: int) -> np.ndarray:
        """The rows of values this adds into (parameters aside), as an index array."""
        if self.empty or not self.has_rows:
            return _NO_ROWS
        return np.arange(n_rows)[self.rows]


class SegmentSum:
    """Row sums of consecutive segments of x (segments may be empty), each added left to right."""

    def __init__(self, counts: np.ndarray):
        self.every = int(counts[0]) if len(counts) == 1 else 0  # one segment of this many (a chain's sums)
        if 0 < self.every <= LONG_RUN:
            self.n, self.identity = 1, self.every == 1
            return
        counts = np.asarray(counts, dtype=np.intp)
        self.n, self.identity = len(counts), bool(len(counts)) and bool((counts == 1).all())
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        long = counts > LONG_RUN  # summed by one sequential accumulate over their own slice of x
        self.long = [(int(i), int(starts[i]), int(starts[i] + counts[i])) for i in np.flatnonzero(long)]
        short = (counts > 0) & ~long
        self.all_short = bool(short.all())
        self.first_rows, self.first_src = as_slice(np.flatnonzero(short)), as_slice(starts[short])
        later = np.zeros(int(counts.sum()), dtype=bool)
        later[np.repeat(short, counts)] = True
        later[starts[short]] = False
        segment = np.repeat(np.arange(len(counts)), counts)
        self.later = OrderedAdd(segment[later], positions=np.flatnonzero(later)) if later.any() else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.identity:
            return x
        if 0 < self.every <= LONG_RUN:
            out = x[0:1].copy()
            for j in range(1, self.every):
                out += x[j : j + 1]
            return out
        if self.all_short:
            out = x[self.first_src].copy()
        else:  # -0.0 is the identity of float addition: an empty segment adds nothing, even to -0.0
            out = np.full((self.n, x.shape[1]), -0.0)
            out[self.first_rows] = x[self.first_src]
        if self.later is not None:
            self.later.add(out, x)
        for i, start, stop in self.long:
            run = x[start:stop]
            out[i] = np.add.accumulate(run.ravel() if run.shape[1] == 1 else run, axis=0)[-1]
        return out


def slope(base: np.ndarray, k: np.ndarray) -> np.ndarray:
    """k * base**(k-1) as PyTorch computes it (and the reference engine): 0 where k == 0 (0**0, nan**0),
    infinite where base**(k-1) divides by zero, a signed infinity where it overflows."""
    with np.errstate(all="ignore"):
        slope = k * base ** (k - 1)
    return np.where(k == 0, 0.0, slope)


class Group:
    """Nodes of one depth and one operation, stored in consecutive rows [start, stop) of `vals`."""

    def __init__(self, program, start, stop):
        # The program's node list, not the program: no reference cycle, so a dropped program is freed at once.
        self.nodes, self.n_params, self.start, self.stop = program.nodes, program.n_params, start, stop

    def fail(self, message: str, where: np.ndarray):
        """Raise the reference engine's ValueError for the first (node, sample) where `where` holds."""
        row, column = np.argwhere(np.broadcast_to(where, (self.stop - self.start, where.shape[1])))[0]
        node = self.nodes[self.n_params + self.start + row]
        raise ValueError(f"{message} (at {describe(node)}, sample {column})")


class AddGroup(Group):
    def accumulators(self):
        return [self.acc]

    def __init__(self, program, start, stop, children, counts):
        super().__init__(program, start, stop)
        self.read = Read(children, program.n_params)
        self.acc = Accumulate(children, program.n_params, program.wanted)
        self.counts, self.sum = counts, SegmentSum(counts)

    def forward(self, params, vals):
        vals[self.start : self.stop] = self.sum(self.read(params, vals))

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        self.acc.add(grads, param_grad, g if (self.counts == 1).all() else np.repeat(g, self.counts, axis=0))


class MulGroup(Group):
    def accumulators(self):
        return [self.acc_left, self.acc_right]  # backward's order

    def __init__(self, program, start, stop, left, right):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.left, self.right = Read(left, P), Read(right, P)
        self.acc_left, self.acc_right = Accumulate(left, P, wanted), Accumulate(right, P, wanted)

    def forward(self, params, vals):
        np.multiply(self.left(params, vals), self.right(params, vals), out=vals[self.start : self.stop])

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        self.acc_left.add(grads, param_grad, g, self.right(params, vals))  # d(a*b)/da = b
        self.acc_right.add(grads, param_grad, g, self.left(params, vals))


class PowGroup(Group):
    """base ** exponent, the exponent a number per node (``**k``) or a Value (``**``)."""

    def accumulators(self):
        return [self.acc_base] + ([self.acc_exponent] if self.acc_exponent is not None else [])

    def __init__(self, program, start, stop, base, exponent=None, constant=None):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.base, self.acc_base = Read(base, P), Accumulate(base, P, wanted)
        self.exponent = Read(exponent, P) if exponent is not None else None
        self.acc_exponent = Accumulate(exponent, P, wanted) if exponent is not None else None
        self.constant = None if constant is None else np.asarray(constant, dtype=float)[:, None]

    def operands(self, params, vals):
        k = self.constant if self.exponent is None else self.exponent(params, vals)
        return self.base(params, vals), k

    def forward(self, params, vals):
        a, k = self.operands(params, vals)
        vals[self.start : self.stop] = power(a, k, self.fail)

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        a, k = self.operands(params, vals)
        self.acc_base.add(grads, param_grad, g, slope(a, k))
        if self.exponent is not None:
            self.acc_exponent.add(grads, param_grad, g, exponent_slope(a, k, vals[self.start : self.stop]))


def power(a: np.ndarray, k: np.ndarray, fail) -> np.ndarray:
    """a ** k, or ``fail(message, where)`` where the reference engine raises."""
    if ((a == 0) & (k < 0)).any():
        fail("power of zero: 0 ** negative is undefined (a negative power of 0 divides by zero)", (a == 0) & (k < 0))
    fractional = (a < 0) & ((k != np.floor(k)) | np.isinf(k))  # inf: no whole power either (as the reference)
    if fractional.any():
        fail(
            "power of a negative number: a negative base to a fractional or infinite power is not a real number",
            fractional,
        )
    with np.errstate(over="ignore"):
        out = a**k
    overflow = np.isinf(out) & np.isfinite(a) & np.isfinite(k)
    if overflow.any():
        fail("power overflow: the result is too large for a float", overflow)
    return out


def exponent_slope(a: np.ndarray, k: np.ndarray, out: np.ndarray) -> np.ndarray:
    """d(a**k)/dk = a**k * ln(a); 0 at a == 0 (k >= 0); undefined (nan) below 0."""
    with np.errstate(all="ignore"):
        return np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)), np.where((a == 0) & (k >= 0), 0.0, np.nan))


def unary(code: int, x: np.ndarray, out: np.ndarray, fail) -> None:
    """out = op(x) for a one-operand operation, or ``fail(message, where)`` where the reference raises."""
    if code == RELU:
        np.maximum(x, 0.0, out=out)
    elif code == TANH:
        np.tanh(x, out=out)
    elif code == EXP:
        with np.errstate(over="ignore"):
            np.exp(x, out=out)
        if np.isinf(out).any() and (np.isinf(out) & np.isfinite(x)).any():
            fail(
                "exp overflow: exp(x) is too large for a float (the limit is about exp(709.78))",
                np.isinf(out) & np.isfinite(x),
            )
    elif code == LOG:
        if (x <= 0).any():
            fail("log of a non-positive number: log(x) is undefined (the input must be > 0)", x <= 0)
        np.log(x, out=out)
    else:  # sigmoid, as the reference computes it: exp only ever sees a non-positive number
        e = np.exp(-np.abs(x))
        out[...] = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def unary_slope(code: int, x, out: np.ndarray):
    """d op(x) / dx from the operand (a callable, read only for log) and the result."""
    if code == RELU:
        return out > 0
    if code == TANH:
        return 1.0 - out * out
    if code == EXP:
        return out
    if code == LOG:
        return 1.0 / x()
    return out * (1.0 - out)


class UnaryGroup(Group):
    def accumulators(self):
        return [self.acc]

    def __init__(self, program, start, stop, code, children):
        super().__init__(program, start, stop)
        self.code = code
        self.read, self.acc = Read(children, program.n_params), Accumulate(children, program.n_params, program.wanted)

    def forward(self, params, vals):
        unary(self.code, self.read(params, vals), vals[self.start : self.stop], self.fail)

    def backward(self, params, vals, grads, param_grad):
        g, out = grads[self.start : self.stop], vals[self.start : self.stop]
        local = unary_slope(self.code, lambda: self.read(params, vals), out)
        target = self.acc.direct(grads)
        if target is not None and local.shape == g.shape:
            np.multiply(g, local, out=target)
        else:
            self.acc.add(grads, param_grad, g, local)


def matrix_block(weights: np.ndarray, n_params: int):
    """(start, stop, row length, terms) when weights[i, j] == start + i * row + j (a layer's weights as
    `nn.Neuron` lays them out: each neuron's weights, then its bias), so the matrix is a reshaped slice of the
    parameter vector, read and updated without copying; else None."""
    nodes, terms = weights.shape
    if not weights.size:
        return None
    start = int(weights[0, 0])
    row = int(weights[1, 0] - weights[0, 0]) if nodes > 1 else terms
    if row < terms or start + nodes * row > n_params:
        return None
    expected = start + np.arange(nodes)[:, None] * row + np.arange(terms)[None, :]
    return (start, start + nodes * row, row, terms) if np.array_equal(weights, expected) else None


class LinearGroup(Group):
    """Sums of (parameter * node) terms sharing the same nodes, plus other children: W @ X + rest."""

    def accumulators(self):
        return [self.acc_x] + ([self.acc_plain] if self.acc_plain is not None else [])

    def __init__(self, program, start, stop, weights, xs, plain, counts):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.weights = np.asarray(weights, dtype=np.intp)  # (nodes, terms) parameter indices
        self.weights_unique = len(np.unique(self.weights)) == self.weights.size
        self.block = matrix_block(self.weights, len(program.params))
        self.x, self.acc_x = Read(xs, P), Accumulate(xs, P, wanted)
        self.counts, self.sum = counts, SegmentSum(counts)
        self.plain = Read(plain, P) if len(plain) else None
        self.acc_plain = Accumulate(plain, P, wanted) if len(plain) else None

    def forward(self, params, vals):
        out = vals[self.start : self.stop]
        np.matmul(self.matrix(params), self.x(params, vals), out=out)
        if self.plain is not None:
            out += self.sum(self.plain(params, vals))

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        d_weights = g @ self.x(params, vals).T
        if self.block is not None:
            self.matrix(param_grad)[...] += d_weights
        elif self.weights_unique:
            param_grad[self.weights] += d_weights
        else:
            np.add.at(param_grad, self.weights.ravel(), d_weights.ravel())
        if not self.acc_x.empty:  # the first layer's inputs want no gradient: skip that matrix product
            target = self.acc_x.direct(grads)
            if target is not None:
                np.matmul(self.matrix(params).T, g, out=target)
            else:
                self.acc_x.add(grads, param_grad, self.matrix(params).T @ g)
        if self.acc_plain is not None:
            self.acc_plain.add(grads, param_grad, g if (self.counts == 1).all() else np.repeat(g, self.counts, axis=0))

    def matrix(self, vector: np.ndarray) -> np.ndarray:
        """The weight matrix out of a parameter-sized vector: a view when the weights lie in a regular block."""
        if self.block is None:
            return vector[self.weights]
        start, stop, row, terms = self.block
        return vector[start:stop].reshape(-1, row)[:, :terms]


class ShiftGroup(Group):
    """-max(logits) per node (`engine.LogitShift`), from this pass's logits; a constant to gradients."""

    def accumulators(self):
        return []

    def __init__(self, program, start, stop, logits):
        super().__init__(program, start, stop)
        self.read = Read(logits, program.n_params)

    def forward(self, params, vals):
        n = self.stop - self.start
        logits = self.read(params, vals)
        np.negative(logits.reshape(n, -1, logits.shape[1]).max(axis=1), out=vals[self.start : self.stop])

    def backward(self, params, vals, grads, param_grad):
        pass  # the reference engine's shift is a leaf: no gradient reaches the logits through it
