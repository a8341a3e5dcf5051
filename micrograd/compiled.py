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
import gc
import itertools
import operator

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
from micrograd.compiled_scalar import ScalarRun, eligible_codes, runs_of
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


def _topological(roots: list[Value]) -> tuple[list[Value], list[LogitShift]]:
    """(every node once, children before parents; the `LogitShift`s among them). Iterative depth-first search
    visiting children in operand order, with a marker (None) instead of (node, flag) pairs: this loop runs once
    per node of graphs with millions of nodes."""
    order: list[Value] = []
    shifts: list[LogitShift] = []
    visited: set[Value] = set()
    emit, visit = order.append, visited.add
    for root in roots:
        stack: list[Value | None] = [root]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            if node is None:
                emit(pop())
                continue
            if node in visited:
                continue
            visit(node)
            children = node._prev
            if not children:
                if type(node) is Value or not isinstance(node, LogitShift):
                    emit(node)  # a leaf: nothing to wait for
                    continue
                shifts.append(node)
                children = node.logits
            push(node)
            push(None)
            extend(reversed(children))
    return order, shifts


def _op_code(op: str):
    """(code, exponent) for an operation's name, or None when the engine has no such operation."""
    if op in _SIMPLE_OPS:
        return _SIMPLE_OPS[op], None
    if op.startswith("**"):
        try:
            k = ast.literal_eval(op[2:])
        except (ValueError, SyntaxError):
            return None
        if isinstance(k, (int, float)) and not isinstance(k, bool):
            return POWK, float(k)
    return None


_SIMPLE_OPS = {"": LEAF, "+": ADD, "*": MUL, "**": POW, **UNARY_OPS}


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of arange(start, start + count) for each pair: the edges of a list of nodes."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.intp)
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total, dtype=np.intp)


def _depths(child: list[int], first_edge: list[int], folded: list[bool]) -> np.ndarray:
    """Each node's depth: 0 for a leaf, else 1 + its deepest operand; a folded product takes its operands'
    depth without the 1 (its sum reads the product's other operand directly). Nodes in topological order."""
    depth = [0] * len(folded)
    for i, fold in enumerate(folded):
        s, e = first_edge[i], first_edge[i + 1]
        if s == e:
            continue
        if e - s == 1:
            d = depth[child[s]]
        elif e - s == 2:
            d, d2 = depth[child[s]], depth[child[s + 1]]
            if d2 > d:
                d = d2
        else:
            d = max(map(depth.__getitem__, child[s:e]))
        depth[i] = d if fold else d + 1
    return np.array(depth, dtype=np.intp)


class _Builder:
    """Turns the sorted interior nodes into groups (`micrograd.compiled_ops`), one per (depth, op, subkey)."""

    def __init__(self, program, code, exponent, child, first_edge, n_children, folded, weight_of, other_of, gid):
        self.program, self.code, self.exponent = program, code, exponent
        self.child, self.first_edge, self.n_children = child, first_edge, n_children
        self.folded, self.weight_of, self.other_of, self.gid = folded, weight_of, other_of, gid
        self.lists = None  # Python lists of the same, for groups of one node (built when the first comes)

    def __call__(self, interior: np.ndarray, depth: np.ndarray, subkey: np.ndarray) -> list:
        if not len(interior):
            return []
        keys = np.stack([depth[interior], self.code[interior], subkey[interior]])
        cuts = np.flatnonzero((keys[:, 1:] != keys[:, :-1]).any(axis=0)) + 1
        bounds = np.r_[0, cuts, len(interior)].tolist()
        codes = self.code[interior[np.r_[0, cuts]]].tolist()
        start_row = int(self.gid[interior[0]]) - self.program.n_params
        # Groups of one node whose operation a ScalarRun can do become its steps, built a run at a time.
        first_nodes = interior[np.r_[0, cuts]]
        single = (np.diff(np.r_[0, cuts, len(interior)]) == 1) & eligible_codes(
            self.code[first_nodes], self.n_children[first_nodes]
        )
        edges = np.flatnonzero(np.diff(np.r_[False, single, False].astype(np.int8)))
        run_starts, run_stops = edges[::2].tolist(), edges[1::2].tolist()
        groups, g = [], 0
        for a, b in zip(run_starts + [len(codes)], run_stops + [len(codes)]):
            for h in range(g, a):  # the groups before this run
                lo, hi = bounds[h], bounds[h + 1]
                groups.append(self.group(codes[h], interior[lo:hi], start_row + lo, start_row + hi))
            if a < b:
                groups += runs_of(self.program, self.steps(first_nodes[a:b], start_row + np.asarray(bounds[a:b])))
            g = b
        return groups

    def steps(self, nodes: np.ndarray, rows: np.ndarray) -> list[tuple]:
        """One-node groups as `ScalarRun` steps: (code, row, operand references, exponent)."""
        P = self.program.n_params
        if self.lists is None:  # every edge's operand as a reference: a row (>= 0) or parameter p as -1 - p
            operand = self.gid[self.child]
            self.lists = np.where(operand >= P, operand - P, -1 - operand).tolist()
        refs = self.lists
        first, last = self.first_edge[nodes].tolist(), self.first_edge[nodes + 1].tolist()
        codes, exponents = self.code[nodes].tolist(), self.exponent[nodes].tolist()
        return [
            (code, row, tuple(refs[f:l]), np.array([[k]]) if code == POWK else None)
            for code, row, f, l, k in zip(codes, rows.tolist(), first, last, exponents)
        ]

    def group(self, code: int, pos: np.ndarray, start: int, stop: int):
        program, gid, child = self.program, self.gid, self.child
        first = self.first_edge[pos]
        if code == MUL:
            return MulGroup(program, start, stop, gid[child[first]], gid[child[first + 1]])
        if code == POWK:
            return PowGroup(program, start, stop, gid[child[first]], constant=self.exponent[pos])
        if code == POW:
            return PowGroup(program, start, stop, gid[child[first]], exponent=gid[child[first + 1]])
        if code not in (ADD, LINEAR, SHIFT):
            return UnaryGroup(program, start, stop, code, gid[child[first]])
        counts = self.n_children[pos]
        edges = child[_ranges(first, counts)]
        if code == ADD:
            return AddGroup(program, start, stop, gid[edges], counts)
        if code == SHIFT:
            return ShiftGroup(program, start, stop, gid[edges])
        folded = self.folded[edges]
        terms = int(folded.sum()) // len(pos)  # sums in one group read the same nodes, so as many terms each
        weights = gid[self.weight_of[edges[folded]]].reshape(len(pos), terms)
        xs = gid[self.other_of[edges[folded][:terms]]]
        owner = np.repeat(np.arange(len(pos)), counts)
        plain_counts = np.bincount(owner[~folded], minlength=len(pos))
        return LinearGroup(program, start, stop, weights, xs, gid[edges[~folded]], plain_counts)


class Program:
    """A `Value` graph traced once, run forward and backward over a batch with NumPy.

    ``outputs``: a Value or a list of Values. ``inputs``: leaves fed by `forward` (one row each).
    ``params``: leaves shared by all samples, held in ``self.params`` (pass ``param_data`` to share one
    vector between programs). ``leaf_grads=False`` skips the gradients of inputs and constants.

    Tracing is array work after one walk over the graph: nodes get positions in topological order, edges
    become integer arrays, and only the depths (a longest path) are computed node by node in Python.
    """

    def __init__(self, outputs, *, inputs=(), params=(), param_data=None, leaf_grads=True):
        # Tracing makes a few containers per node; with a big graph alive, each of Python's cyclic garbage
        # collections it sets off walks every Value (the 500,000-node chain: a third of its time). Nothing
        # here makes a cycle worth collecting, so collection waits until the program is built.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._trace(outputs, inputs, params, param_data, leaf_grads)
        finally:
            if collecting:
                gc.enable()

    def _trace(self, outputs, inputs, params, param_data, leaf_grads) -> None:
        outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
        inputs, params = list(inputs), list(params)
        for kind, leaves in (("input", inputs), ("parameter", params)):
            for leaf in leaves:
                if not isinstance(leaf, Value) or leaf._prev:
                    raise CompileError(f"every {kind} must be a leaf Value; got {leaf!r}")
        if len(set(params + inputs)) != len(params) + len(inputs):
            raise CompileError("a Value is listed twice among the inputs and parameters")
        self._param_set = set(params)
        order, shifts = _topological(outputs)
        P, I, n = len(params), len(inputs), len(order)
        self.n_params, self.n_inputs = P, I
        position = dict(zip(order, range(n)))

        # ---- operations and edges, as arrays over the nodes in topological order
        prevs = list(map(operator.attrgetter("_prev"), order))
        shift_at = [position[s] for s in shifts]
        for i, s in zip(shift_at, shifts):
            prevs[i] = s.logits
        n_children = np.fromiter(map(len, prevs), dtype=np.intp, count=n)
        child = np.fromiter(
            map(position.__getitem__, itertools.chain.from_iterable(prevs)), dtype=np.intp, count=int(n_children.sum())
        )
        first_edge = np.zeros(n + 1, dtype=np.intp)
        np.cumsum(n_children, out=first_edge[1:])
        ops = list(map(operator.attrgetter("_op"), order))
        table = {op: _op_code(op) for op in set(ops)}
        code = np.fromiter((-1 if table[op] is None else table[op][0] for op in ops), dtype=np.intp, count=n)
        code[shift_at] = SHIFT
        arity_ok = np.select(
            [code == LEAF, code == ADD, (code == MUL) | (code == POW), code == SHIFT, code >= 0],
            [n_children == 0, n_children >= 1, n_children == 2, n_children >= 1, n_children == 1],
            False,
        )
        n_local = np.fromiter(map(len, map(operator.attrgetter("_local"), order)), dtype=np.intp, count=n)
        bad = ~arity_ok | ((n_local != n_children) & (code != SHIFT))
        if bad.any():
            _operation(order[int(np.argmax(bad))])  # raises the CompileError that names the node
            raise CompileError(f"cannot compile {describe(order[int(np.argmax(bad))])}")
        exponent = np.zeros(n)
        powk = np.flatnonzero(code == POWK)
        exponent[powk] = [table[ops[i]][1] for i in powk.tolist()]

        # ---- leaves: parameters and inputs (rows given from outside), constants (numbers kept from the trace)
        param_pos = np.full(n, -1, dtype=np.intp)
        input_pos = np.full(n, -1, dtype=np.intp)
        for pos_array, leaves in ((param_pos, params), (input_pos, inputs)):
            for i, leaf in enumerate(leaves):
                where = position.get(leaf)
                if where is not None:
                    pos_array[where] = i
        is_param = param_pos >= 0
        is_constant = (code == LEAF) & ~is_param & (input_pos < 0)
        constant_at = np.flatnonzero(is_constant)
        constant_nodes = [order[i] for i in constant_at.tolist()]
        data = [node.data for node in constant_nodes]
        if not set(map(type, data)) <= {int, float}:
            for node in constant_nodes:
                if not isinstance(node.data, (int, float)) or isinstance(node.data, bool):
                    raise CompileError(f"cannot compile {describe(node)}: its data is not a real number")
        C = len(constant_nodes)

        # ---- folding: a parameter * non-parameter product used once, by a sum, joins that sum's matrix product
        uses = np.bincount(child, minlength=n)
        np.add.at(uses, [position[o] for o in outputs], 1)
        parent = np.full(n, -1, dtype=np.intp)
        parent[child] = np.repeat(np.arange(n, dtype=np.intp), n_children)  # the parent, for nodes used once
        mul = np.flatnonzero(code == MUL)
        a, b = child[first_edge[mul]], child[first_edge[mul] + 1]
        fold = (uses[mul] == 1) & (parent[mul] >= 0) & (is_param[a] != is_param[b])
        fold[fold] = code[parent[mul[fold]]] == ADD
        folded = np.zeros(n, dtype=bool)
        folded[mul[fold]] = True
        weight_of = np.full(n, -1, dtype=np.intp)  # a folded product's (parameter, other) operands
        other_of = np.full(n, -1, dtype=np.intp)
        fa, fb = a[fold], b[fold]
        weight_of[mul[fold]] = np.where(is_param[fa], fa, fb)
        other_of[mul[fold]] = np.where(is_param[fa], fb, fa)
        folded_at = np.flatnonzero(folded)
        self.folded = {id(order[i]): order[i] for i in folded_at.tolist()}
        self._folded_parent = {id(order[i]): order[parent[i]] for i in folded_at.tolist()}
        has_folded = np.zeros(n, dtype=bool)
        has_folded[parent[folded_at]] = True
        code[has_folded] = LINEAR

        # ---- depth: 1 + the deepest operand (a folded product passes its other operand's depth through)
        depth = _depths(child.tolist(), first_edge.tolist(), folded.tolist())

        # ---- rows: parameters (their own vector), inputs, constants, then the groups in (depth, op) order
        interior = np.flatnonzero((code != LEAF) & ~folded)
        subkey = np.zeros(n, dtype=np.intp)
        linear = np.flatnonzero(code == LINEAR)
        if len(linear) or shift_at:
            keys: dict = {}
            for i in linear.tolist():  # sums reading the same nodes (in order) share one matrix product
                edges = child[first_edge[i] : first_edge[i + 1]]
                key = (LINEAR, tuple(other_of[edges[folded[edges]]].tolist()))
                subkey[i] = keys.setdefault(key, len(keys))
            for i in shift_at:  # shifts over the same number of logits share one max
                subkey[i] = keys.setdefault((SHIFT, int(n_children[i])), len(keys))
        interior = interior[np.lexsort((subkey[interior], code[interior], depth[interior]))]
        gid = np.full(n, -1, dtype=np.intp)
        gid[is_param] = param_pos[is_param]
        gid[input_pos >= 0] = P + input_pos[input_pos >= 0]
        gid[constant_at] = P + I + np.arange(C)
        gid[interior] = P + I + C + np.arange(len(interior))
        gid[folded_at] = P + I + C + len(interior) + np.arange(len(folded_at))
        self.nodes = params + inputs + constant_nodes + [order[i] for i in interior.tolist()]
        self.n_rows = len(self.nodes) - P
        self.wanted = np.ones(len(self.nodes), dtype=bool)
        self.wanted[P : P + I + C] = leaf_grads
        self.wanted_list = self.wanted.tolist()  # the same, for the one-node steps of `compiled_scalar`
        self.leaf_grads = leaf_grads
        self.constants = np.array(data, dtype=float)
        self.params = np.array([float(p.data) for p in params]) if param_data is None else param_data
        if self.params.shape != (P,):
            raise ValueError(f"param_data must be a flat array of {P} numbers, got shape {self.params.shape}")
        self.param_grad = np.zeros(P)
        # Two traces with equal structures differ only in their constants (the Trainer merges them): every
        # node's operation, exponent and operands, by row.
        rows = np.concatenate([constant_at, interior, folded_at])
        self.structure = b"".join(
            x.tobytes()
            for x in (
                np.array([P, I, C, len(interior)]),
                gid[[position[p] for p in params if p in position]],
                gid[[position[v] for v in inputs if v in position]],
                code[rows],
                exponent[rows],
                n_children[rows],
                gid[child[_ranges(first_edge[rows], n_children[rows])]],
            )
        )
        self.groups = _Builder(self, code, exponent, child, first_edge, n_children, folded, weight_of, other_of, gid)(
            interior, depth, subkey
        )
        self.output_ids = gid[[position[o] for o in outputs]].astype(np.intp)
        self._read_outputs = Read(self.output_ids, P)
        self._seed_outputs = Accumulate(self.output_ids, P, np.ones(len(self.nodes), dtype=bool))
        self._zero_rows = self._plan_gradients()
        self.vals = self.grads = None

    def _plan_gradients(self) -> list:
        """Which gradient rows backward must zero: walking the accumulations in backward's order, an
        accumulation whose rows nothing has touched yet writes them instead of adding (`Accumulate.assign`);
        every other row is zeroed first. Returns the rows to zero, as slices and index arrays."""
        n = self.n_rows
        written, zero = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)

        def visit(rows: np.ndarray, acc=None) -> None:
            fresh = ~written[rows]
            if acc is not None and acc.repeated is None and len(rows) and fresh.all():
                acc.assign = True
            else:
                zero[rows[fresh]] = True
            written[rows] = True

        visit(self._seed_outputs.target_rows(n), self._seed_outputs)
        for group in reversed(self.groups):
            if isinstance(group, ScalarRun):  # it only adds: every row it meets first must be zeroed
                rows = np.array(group.target_rows(), dtype=np.intp)
                zero[rows[~written[rows]]] = True
                written[rows] = True
            else:
                for acc in group.accumulators():
                    visit(acc.target_rows(n), acc)
        zero |= ~written
        rows = np.flatnonzero(zero)
        cuts = np.flatnonzero(np.diff(rows) != 1) + 1
        return [slice(int(run[0]), int(run[-1]) + 1) for run in np.split(rows, cuts) if len(run)]

    def _term(self, mul):
        """(parameter, other) operands of a folded product."""
        a, b = mul._prev
        return (a, b) if a in self._param_set else (b, a)

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
        for rows in self._zero_rows:  # the other rows are written by their first contribution
            grads[rows] = 0.0
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
