"""The compiled engine against PyTorch across sizes, and how long tracing takes (issue 15's targets).

    python benchmarks/engine_curve.py [--repeat 5] [--steps 20] [--busy 1] [--chain 500000]

Every point of n in {100, 1k, 10k} x hidden layers {16-16, 64-64, 128-128} (2 inputs, 1 output, ReLU, svm loss,
1e-4 L2, SGD): 20 full-batch steps of the compiled `Trainer` against the same model, data and update in PyTorch
(float64, torch.set_num_threads(1)), timed alternately in one process; the ratio compiled / PyTorch is the
median over --repeat rounds, target <= 1.0. --busy N runs N CPU-bound processes beside it. Then the time to
build (trace) a 2-128-128-1 Trainer (target <= 0.25 s) and to compile a chain of --chain nodes
(x = x * 1.0001 + 0.1 repeated, four nodes a link: target <= 2 s). Never asserted anywhere: the machine is shared.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from moons import torch_demo_seconds  # noqa: E402

from micrograd.compiled import Program  # noqa: E402
from micrograd.datasets import moons  # noqa: E402
from micrograd.engine import Value  # noqa: E402
from micrograd.nn import MLP  # noqa: E402
from micrograd.train import Trainer  # noqa: E402

SIZES = (100, 1_000, 10_000)
HIDDEN = ((16, 16), (64, 64), (128, 128))


def model(hidden):
    random.seed(1337)
    return MLP(2, [*hidden, 1])


def time_compiled(X, y, hidden, steps):
    """(seconds to build the Trainer, seconds for the steps, last loss)."""
    start = time.perf_counter()
    trainer = Trainer(model(hidden), X, y)
    built = time.perf_counter()
    results = trainer.run(steps)
    return built - start, time.perf_counter() - built, results[-1].loss if results else None


def time_torch(X, y, hidden, steps):
    """The same work in PyTorch: forward, svm loss + L2, backward, SGD with micrograd's lr, accuracy, loss."""
    return torch_demo_seconds(model(hidden), X, y, steps)


def chain_seconds(nodes: int) -> float:
    x = Value(1.0)
    out = x
    for _ in range(nodes // 4):  # a constant, a *, a constant, a + per link
        out = out * 1.0001 + 0.1
    start = time.perf_counter()
    Program(out, inputs=[x])
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--busy", type=int, default=0, help="CPU-bound processes to run beside the benchmark")
    parser.add_argument("--chain", type=int, default=500_000, help="nodes in the chain to trace (0: skip)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        print(
            f"compiled engine / PyTorch (float64, 1 thread), {args.steps} full-batch steps, median of {args.repeat}"
            f" rounds, {args.busy} CPU-bound process(es) beside; target <= 1.00 at every point"
        )
        print(f"{'samples':>8} {'layers':>12} {'compiled s':>11} {'torch s':>9} {'ratio':>6}  {'trace s':>8}")
        worst = 0.0
        for n in SIZES:
            X, y = moons(n, 0.1, seed=1337)
            for hidden in HIDDEN:
                ratios, ours, theirs, traces = [], [], [], []
                for round_ in range(args.repeat):
                    if round_ % 2:  # alternate which goes first, so neither always follows the other's garbage
                        torch_seconds, torch_loss = time_torch(X, y, hidden, args.steps)
                        trace, seconds, loss = time_compiled(X, y, hidden, args.steps)
                    else:
                        trace, seconds, loss = time_compiled(X, y, hidden, args.steps)
                        torch_seconds, torch_loss = time_torch(X, y, hidden, args.steps)
                    if abs(loss - torch_loss) > 1e-9 * max(1.0, abs(loss)):
                        raise SystemExit(f"not the same work: loss {loss!r} against PyTorch's {torch_loss!r}")
                    ratios.append(seconds / torch_seconds)
                    ours.append(seconds)
                    theirs.append(torch_seconds)
                    traces.append(trace)
                ratio = statistics.median(ratios)
                worst = max(worst, ratio)
                layers = "2-" + "-".join(map(str, hidden)) + "-1"
                print(
                    f"{n:>8} {layers:>12} {statistics.median(ours):11.4f} {statistics.median(theirs):9.4f} "
                    f"{ratio:6.2f}  {statistics.median(traces):8.3f}  {'ok' if ratio <= 1.0 else 'MISSED'}"
                )
        print(f"worst ratio {worst:.2f} (target <= 1.00)")
        X, y = moons(100, 0.1, seed=1337)
        trace = statistics.median(time_compiled(X, y, (128, 128), 0)[0] for _ in range(args.repeat))
        print(f"trace 2-128-128-1 Trainer: {trace:.3f} s (target <= 0.25)")
        if args.chain:
            seconds = chain_seconds(args.chain)
            print(f"trace a {args.chain:,}-node chain: {seconds:.2f} s (target <= 2)")
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    main()
