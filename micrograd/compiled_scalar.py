"""Runs of one-node groups as one instruction: the compiled engine on long chains.

A graph like ``x = x * 1.0001 + 0.1`` repeated has one node per depth, so every group of `compiled_ops` would
hold one node, and setting up 250,000 group objects (each with its operand readers and gradient
accumulators) took most of the 17-35 s a 500,000-node chain needed to trace. A `ScalarRun` is a list of
steps -- (operation, row, operand references, exponent) in plain Python -- built in one pass, and run by one
loop that does the same NumPy operations on one row at a time as the groups do on many, in the same order,
so the numbers are the groups' own (and the reference engine's). The program asks ``should_stop()`` between
runs, so a run has at most `CHUNK` steps.
"""

from __future__ import annotations

import numpy as np

from micrograd.compiled_ops import (
    ADD,
    EXP,
    LOG,
    LONG_RUN,
    MUL,
    POW,
    POWK,
    RELU,
    SIGMOID,
    TANH,
    describe,
    exponent_slope,
    power,
    slope,
    unary,
    unary_slope,
)

SCALAR_CODES = frozenset({ADD, MUL, POWK, POW, RELU, TANH, EXP, LOG, SIGMOID})
CHUNK = 2048  # steps per run: at most about a millisecond between two should_stop() questions


def runs_of(program, steps: list[tuple]) -> list[ScalarRun]:
    """`ScalarRun`s of at most CHUNK steps each."""
    return [ScalarRun(program, steps[i : i + CHUNK]) for i in range(0, len(steps), CHUNK)]


def eligible_codes(codes: np.ndarray, n_children: np.ndarray) -> np.ndarray:
    """Whether one-node groups of these operations can be steps (a long sum stays a group of its own)."""
    return np.isin(codes, list(SCALAR_CODES)) & ((codes != ADD) | (n_children <= LONG_RUN))


class ScalarRun:
    """Consecutive one-node groups. A step is (code, row, operands, exponent); an operand is a row of the
    values (>= 0) or parameter number p given as -1 - p."""

    def __init__(self, program, steps: list[tuple]):
        self.nodes, self.steps = program.nodes, steps  # the node list, not the program: no reference cycle
        self.wanted = program.wanted_list  # per node (parameters first): whether its gradient is kept
        self.n_params = program.n_params

    def target_rows(self) -> list[int]:
        """The rows this run adds gradients into, in the order backward adds them."""
        P, wanted = self.n_params, self.wanted
        return [ref for _, _, operands, _ in reversed(self.steps) for ref in operands if ref >= 0 and wanted[P + ref]]

    @staticmethod
    def read(ref: int, params: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """One operand as a (1, batch) row, or (1, 1) for a parameter: the groups' `Read` shapes."""
        if ref >= 0:
            return vals[ref : ref + 1]
        return params[-1 - ref : -ref][:, None]

    def forward(self, params, vals):
        read = self.read
        for code, row, operands, k in self.steps:
            out = vals[row : row + 1]
            if code == MUL:
                np.multiply(read(operands[0], params, vals), read(operands[1], params, vals), out=out)
            elif code == ADD:  # left to right, as `SegmentSum` and the reference engine add
                total = read(operands[0], params, vals)
                for ref in operands[1:]:
                    total = total + read(ref, params, vals)  # a new array: a parameter's (1, 1) may grow
                out[...] = total
            elif code in (POWK, POW):
                exponent = k if code == POWK else read(operands[1], params, vals)
                out[...] = power(read(operands[0], params, vals), exponent, self.failure(row))
            else:
                unary(code, read(operands[0], params, vals), out, self.failure(row))

    def backward(self, params, vals, grads, param_grad):
        read, add = self.read, self.add
        for code, row, operands, k in reversed(self.steps):
            g = grads[row : row + 1]
            if code == MUL:
                a, b = operands
                add(a, grads, param_grad, g, read(b, params, vals))  # d(a*b)/da = b, then d/db = a
                add(b, grads, param_grad, g, read(a, params, vals))
            elif code == ADD:
                for ref in operands:
                    add(ref, grads, param_grad, g, None)
            elif code in (POWK, POW):
                base = read(operands[0], params, vals)
                exponent = k if code == POWK else read(operands[1], params, vals)
                add(operands[0], grads, param_grad, g, slope(base, exponent))
                if code == POW:
                    add(operands[1], grads, param_grad, g, exponent_slope(base, exponent, vals[row : row + 1]))
            else:
                x = operands[0]
                local = unary_slope(code, lambda x=x: read(x, params, vals), vals[row : row + 1])
                add(x, grads, param_grad, g, local)

    def add(self, ref: int, grads, param_grad, g, factor) -> None:
        """One edge's contribution g * factor, as `Accumulate.add` adds it for one edge."""
        if ref < 0:  # a parameter: summed over the batch
            p = -1 - ref
            if factor is None or factor.shape[1] == 1:
                total = g.sum(axis=1) * (1.0 if factor is None else factor[:, 0])
            else:
                total = np.einsum("ij,ij->i", g, factor)
            param_grad[p : p + 1] += total
        elif self.wanted[self.n_params + ref]:
            grads[ref : ref + 1] += g if factor is None else g * factor

    def failure(self, row: int):
        """The `fail(message, where)` of the node in this row: the reference engine's ValueError."""

        def fail(message: str, where: np.ndarray):
            column = int(np.argwhere(np.atleast_2d(where))[0][-1])
            node = self.nodes[self.n_params + row]
            raise ValueError(f"{message} (at {describe(node)}, sample {column})")

        return fail
