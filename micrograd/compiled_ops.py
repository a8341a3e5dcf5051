"""The compiled engine's instruction set: one class per (depth, operation) group of nodes.

`micrograd.compiled.Program` lays a traced graph out in rows and hands each group its rows; a group's
`forward` fills its rows from its operands' rows with a few NumPy calls, and `backward` adds each edge's
contribution (local derivative times the group's gradient) into the operands' gradients. Parameters are
shared by every sample, so they live in their own flat vector, and their gradients are summed over the batch.
"""

from __future__ import annotations

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
            target[row] = np.add.accumulate(np.concatenate([target[row : row + 1], values[where]]), axis=0)[-1]


class Read:
    """Reads a list of nodes as an (n, batch) array (or (n, 1) when all are parameters)."""

    def __init__(self, ids: np.ndarray, n_params: int):
        ids = np.asarray(ids, dtype=np.intp)
        self.n, shared = len(ids), ids < n_params
        self.kind = "params" if shared.all() else "rows" if not shared.any() else "mixed"
        self.params_idx, self.rows = ids[shared], as_slice(ids[~shared] - n_params)
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
        # Repeated rows (fancy `+=` would keep only the last of them) add one edge after another, in order.
        self.rows = as_slice(rows)
        self.repeated = OrderedAdd(rows) if len(np.unique(rows)) != len(rows) else None

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
            else:
                grads[self.rows] += contribution


class SegmentSum:
    """Row sums of consecutive segments of x (segments may be empty), each added left to right."""

    def __init__(self, counts: np.ndarray):
        counts = np.asarray(counts, dtype=np.intp)
        self.n, self.identity = len(counts), bool(len(counts)) and bool((counts == 1).all())
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.intp)
        full = counts > 0
        self.all_full = bool(full.all())
        self.first_rows, self.first_src = as_slice(np.flatnonzero(full)), as_slice(starts[full])
        later = np.ones(int(counts.sum()), dtype=bool)
        later[starts[full]] = False
        segment = np.repeat(np.arange(len(counts)), counts)
        self.later = OrderedAdd(segment[later], positions=np.flatnonzero(later)) if later.any() else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.identity:
            return x
        if self.all_full:
            out = x[self.first_src].copy()
        else:  # -0.0 is the identity of float addition: an empty segment adds nothing, even to -0.0
            out = np.full((self.n, x.shape[1]), -0.0)
            out[self.first_rows] = x[self.first_src]
        if self.later is not None:
            self.later.add(out, x)
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
        self.program, self.start, self.stop = program, start, stop

    def fail(self, message: str, where: np.ndarray):
        """Raise the reference engine's ValueError for the first (node, sample) where `where` holds."""
        row, column = np.argwhere(np.broadcast_to(where, (self.stop - self.start, where.shape[1])))[0]
        node = self.program.nodes[self.program.n_params + self.start + row]
        raise ValueError(f"{message} (at {describe(node)}, sample {column})")


class AddGroup(Group):
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
        if ((a == 0) & (k < 0)).any():
            self.fail(
                "power of zero: 0 ** negative is undefined (a negative power of 0 divides by zero)", (a == 0) & (k < 0)
            )
        fractional = (a < 0) & ((k != np.floor(k)) | np.isinf(k))  # inf: no whole power either (as the reference)
        if fractional.any():
            self.fail(
                "power of a negative number: a negative base to a fractional or infinite power is not a real number",
                fractional,
            )
        with np.errstate(over="ignore"):
            out = a**k
        overflow = np.isinf(out) & np.isfinite(a) & np.isfinite(k)
        if overflow.any():
            self.fail("power overflow: the result is too large for a float", overflow)
        vals[self.start : self.stop] = out

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        a, k = self.operands(params, vals)
        self.acc_base.add(grads, param_grad, g, slope(a, k))
        if self.exponent is not None:  # d(a**b)/db = a**b * ln(a); 0 at a == 0 (b >= 0); undefined below 0
            out = vals[self.start : self.stop]
            with np.errstate(all="ignore"):
                d = np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)), np.where((a == 0) & (k >= 0), 0.0, np.nan))
            self.acc_exponent.add(grads, param_grad, g, d)


class UnaryGroup(Group):
    def __init__(self, program, start, stop, code, children):
        super().__init__(program, start, stop)
        self.code = code
        self.read, self.acc = Read(children, program.n_params), Accumulate(children, program.n_params, program.wanted)

    def forward(self, params, vals):
        x, out = self.read(params, vals), vals[self.start : self.stop]
        if self.code == RELU:
            np.maximum(x, 0.0, out=out)
        elif self.code == TANH:
            np.tanh(x, out=out)
        elif self.code == EXP:
            with np.errstate(over="ignore"):
                np.exp(x, out=out)
            if np.isinf(out).any() and (np.isinf(out) & np.isfinite(x)).any():
                self.fail(
                    "exp overflow: exp(x) is too large for a float (the limit is about exp(709.78))",
                    np.isinf(out) & np.isfinite(x),
                )
        elif self.code == LOG:
            if (x <= 0).any():
                self.fail("log of a non-positive number: log(x) is undefined (the input must be > 0)", x <= 0)
            np.log(x, out=out)
        else:  # sigmoid, as the reference computes it: exp only ever sees a non-positive number
            e = np.exp(-np.abs(x))
            out[...] = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def backward(self, params, vals, grads, param_grad):
        g, out = grads[self.start : self.stop], vals[self.start : self.stop]
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


class LinearGroup(Group):
    """Sums of (parameter * node) terms sharing the same nodes, plus other children: W @ X + rest."""

    def __init__(self, program, start, stop, weights, xs, plain, counts):
        super().__init__(program, start, stop)
        P, wanted = program.n_params, program.wanted
        self.weights = np.asarray(weights, dtype=np.intp)  # (nodes, terms) parameter indices
        self.weights_unique = len(np.unique(self.weights)) == self.weights.size
        self.x, self.acc_x = Read(xs, P), Accumulate(xs, P, wanted)
        self.counts, self.sum = counts, SegmentSum(counts)
        self.plain = Read(plain, P) if len(plain) else None
        self.acc_plain = Accumulate(plain, P, wanted) if len(plain) else None

    def forward(self, params, vals):
        out = vals[self.start : self.stop]
        np.matmul(params[self.weights], self.x(params, vals), out=out)
        if self.plain is not None:
            out += self.sum(self.plain(params, vals))

    def backward(self, params, vals, grads, param_grad):
        g = grads[self.start : self.stop]
        d_weights = g @ self.x(params, vals).T
        if self.weights_unique:
            param_grad[self.weights] += d_weights
        else:
            np.add.at(param_grad, self.weights.ravel(), d_weights.ravel())
        self.acc_x.add(grads, param_grad, params[self.weights].T @ g)
        if self.acc_plain is not None:
            self.acc_plain.add(grads, param_grad, g if (self.counts == 1).all() else np.repeat(g, self.counts, axis=0))


class ShiftGroup(Group):
    """-max(logits) per node (`engine.LogitShift`), from this pass's logits; a constant to gradients."""

    def __init__(self, program, start, stop, logits):
        super().__init__(program, start, stop)
        self.read = Read(logits, program.n_params)

    def forward(self, params, vals):
        n = self.stop - self.start
        logits = self.read(params, vals)
        np.negative(logits.reshape(n, -1, logits.shape[1]).max(axis=1), out=vals[self.start : self.stop])

    def backward(self, params, vals, grads, param_grad):
        pass  # the reference engine's shift is a leaf: no gradient reaches the logits through it
