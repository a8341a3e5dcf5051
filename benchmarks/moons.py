"""micrograd's moons demo on every engine, in one run: a table of times and the ratios issue 3 targets.

    python benchmarks/moons.py                      # everything; the plain baseline alone takes ~1.5 minutes
    python benchmarks/moons.py --baseline-steps 10  # quick: time 10 baseline steps and scale to 100

The demo: MLP 2-16-16-1 (random.seed(1337)), moons(100, noise=0.1, seed=1337), svm max-margin + 1e-4 L2,
full-batch SGD with lr = 1.0 - 0.9*k/100. Every engine starts from the same weights and must reach the same
final loss (0.010978). Fast engines are timed best-of-``--repeat`` (this machine is shared); the scale run
(MLP 2-64-64-1 on 10,000 samples) runs in a child process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

# No BLAS thread setting here: micrograd limits BLAS to one thread around its own loops
# (micrograd/blas_threads.py), as a library user gets it; PyTorch is timed on one thread too.

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from micrograd.blas_threads import blas_threads  # noqa: E402
from micrograd.datasets import moons  # noqa: E402
from micrograd.nn import MLP  # noqa: E402
from micrograd.train import Trainer  # noqa: E402


def demo_model(layers=(16, 16, 1)):
    random.seed(1337)
    return MLP(2, list(layers))


def time_baseline(X, y, steps):
    import micrograd_baseline

    start = time.perf_counter()
    losses = [loss for _, loss, _ in micrograd_baseline.demo(X.tolist(), (2 * y - 1).tolist(), steps=steps)]
    return time.perf_counter() - start, losses[-1]


def time_trainer(X, y, engine, steps=100, layers=(16, 16, 1)):
    """(seconds to build the Trainer = trace, seconds for the steps, final loss)."""
    model = demo_model(layers)
    start = time.perf_counter()
    trainer = Trainer(model, X, y, engine=engine)
    built = time.perf_counter()
    results = trainer.run(steps)
    return built - start, time.perf_counter() - built, results[-1].loss


def time_torch(X, y, steps=100):
    """The same model, data and update in PyTorch, float64, one CPU thread. None when torch is missing."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch_demo_seconds(demo_model(), X, y, steps)


def torch_demo_seconds(model, X, y, steps):
    """(seconds, final loss) of `steps` demo steps in PyTorch float64 from `model`'s weights: forward, svm loss
    + 1e-4 L2, backward, SGD with micrograd's lr 1.0 - 0.9*k/100, and the accuracy read each step."""
    import torch

    params = []
    for layer in model.layers:  # our weights, as tensors: W (out, in) and b (out,)
        params.append(
            torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        )
        params.append(torch.tensor([float(n.b.data) for n in layer.neurons], dtype=torch.float64, requires_grad=True))
    Xt = torch.tensor(X, dtype=torch.float64)
    t = torch.tensor(2.0 * y - 1.0, dtype=torch.float64)
    start = time.perf_counter()
    for k in range(steps):
        h = Xt
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = torch.relu(h)
        scores = h[:, 0]
        data_loss = torch.relu(1 - t * scores).sum() * (1.0 / len(t))
        reg_loss = 1e-4 * sum((p * p).sum() for p in params)
        total = data_loss + reg_loss
        ((scores > 0) == (t > 0)).double().mean().item()  # the accuracy every engine reports, read as they do
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= (1.0 - 0.9 * k / 100) * p.grad
        loss = total.item()
    return time.perf_counter() - start, loss


def scale_run(samples, steps):
    """The scale target in this (child) process; prints JSON."""
    X, y = moons(samples, 0.1, seed=1337)
    trace, seconds, loss = time_trainer(X, y, "compiled", steps, layers=(64, 64, 1))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({"trace": trace, "seconds": seconds, "loss": loss, "peak_mb": peak_mb}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline-steps",
        type=int,
        default=100,
        help="steps of the plain micrograd baseline to time; scaled to 100 (default 100)",
    )
    parser.add_argument(
        "--reference-steps",
        type=int,
        default=100,
        help="steps of the reference engine to time; scaled to 100 (default 100)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="best of N for the fast engines (default 5)")
    parser.add_argument("--scale-samples", type=int, default=10_000)
    parser.add_argument("--scale-steps", type=int, default=100)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--scale-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_only:
        return scale_run(args.scale_samples, args.scale_steps)

    X, y = moons(100, 0.1, seed=1337)
    rows = []  # (engine, seconds for 100 steps, note, final loss)
    baseline = None
    if not args.skip_baseline:
        seconds, loss = time_baseline(X, y, args.baseline_steps)
        baseline = seconds * 100 / args.baseline_steps
        note = (
            "" if args.baseline_steps == 100 else f"{args.baseline_steps} steps timed, x{100 / args.baseline_steps:g}"
        )
        rows.append(("plain micrograd (baseline)", baseline, note, loss if args.baseline_steps == 100 else None))
    _, seconds, ref_loss = time_trainer(X, y, "reference", args.reference_steps)
    reference = seconds * 100 / args.reference_steps
    rows.append(
        (
            "reference engine",
            reference,
            ""
            if args.reference_steps == 100
            else (
                f"{args.reference_steps} steps timed, "
                f"x{100 / args.reference_steps:g}; early steps are slower, "
                "so this overstates the ratio"
            ),
            ref_loss if args.reference_steps == 100 else None,
        )
    )
    torch_runs = [time_torch(X, y) for _ in range(args.repeat)]
    torch_time = min(r[0] for r in torch_runs) if torch_runs[0] else None
    if torch_time is not None:
        rows.append(("PyTorch CPU float64, 1 thread", torch_time, f"best of {args.repeat}", torch_runs[0][1]))
    compiled_runs = [time_trainer(X, y, "compiled") for _ in range(args.repeat)]
    trace = min(r[0] for r in compiled_runs)
    compiled = min(r[1] for r in compiled_runs)
    rows.append(("compiled engine", compiled, f"best of {args.repeat}; trace {trace:.4f} s apart", compiled_runs[0][2]))

    print(
        "micrograd moons demo: MLP 2-16-16-1, 100 samples, 100 full-batch SGD steps; "
        f"BLAS threads: 1 inside micrograd's loops (outside: {blas_threads()})"
    )
    print(f"{'engine':32} {'100 steps (s)':>14} {'final loss':>12}  note")
    for name, seconds, note, loss in rows:
        loss_text = f"{loss:.6f}" if loss is not None else "-"
        print(f"{name:32} {seconds:14.4f} {loss_text:>12}  {note}")
    print()
    print(f"{'target':58} {'value':>10}  {'goal':>8}  met")
    checks = []
    if baseline is not None:
        checks.append(
            ("reference engine / plain micrograd", reference / baseline, "<= 0.10", reference / baseline <= 0.10)
        )
    if torch_time is not None:
        checks.append(("compiled engine / PyTorch", compiled / torch_time, "<= 1.00", compiled / torch_time <= 1.0))
    checks.append(("compiled engine: trace + compile (s)", trace, "< 0.10", trace < 0.1))
    if not args.skip_scale:
        env = dict(os.environ)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--scale-only",
                "--scale-samples",
                str(args.scale_samples),
                "--scale-steps",
                str(args.scale_steps),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        scale = json.loads(out.stdout)
        total = scale["trace"] + scale["seconds"]
        what = f"scale: 2-64-64-1, {args.scale_samples} samples, {args.scale_steps} steps"
        checks.append((f"{what} (s)", total, "< 10", total < 10))
        checks.append((f"{what}: peak RSS (MB)", scale["peak_mb"], "< 2048", scale["peak_mb"] < 2048))
        checks.append((f"{what}: final loss", scale["loss"], "", True))
    for name, value, goal, met in checks:
        print(f"{name:58} {value:10.4f}  {goal:>8}  {'yes' if met else 'NO'}")
    return 0 if all(met for *_, met in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
