"""The largest configurations the cost limits allow, on each engine: estimate against measurement.

    python benchmarks/cost_limits.py            # every row (a few minutes on a busy 2-core machine)
    python benchmarks/cost_limits.py --quick    # the estimates only, nothing built

For each engine it finds, with micrograd/cost.py alone, the largest configuration the app accepts along two
directions (more samples for the demo's MLP 2-16-16-1; wider layers), then builds and steps it in a child
process and prints: the estimate (nodes, memory, seconds), the measured build time (the Trainer, and for the
reference engine its first step, whose graph is built every step), the peak memory of the child (ru_maxrss),
and how long a pause takes: `should_stop` is set while a step is under way and the time until the step gives
up is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from micrograd import cost  # noqa: E402


def allowed(inputs, layers, samples, engine) -> bool:
    return cost.refusal(cost.estimate(inputs=inputs, layers=layers, samples=samples, engine=engine)) is None


def largest(check, low: int, high: int) -> int:
    """The largest n in [low, high] with check(n) true (check is monotone: true, then false)."""
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if check(mid) else (low, mid - 1)
    return low


def candidates():
    rows = []
    n = largest(lambda n: allowed(2, [16, 16, 1], n, "reference"), 2, 10_000)
    rows.append(("reference", [16, 16, 1], n))
    w = largest(lambda w: allowed(2, [w, w, 1], 100, "reference"), 1, 512)
    rows.append(("reference", [w, w, 1], 100))
    rows.append(("compiled", [16, 16, 1], largest(lambda n: allowed(2, [16, 16, 1], n, "compiled"), 2, 10_000)))
    w = largest(lambda w: allowed(2, [w, w, 1], 10_000, "compiled"), 1, 512)
    rows.append(("compiled", [w, w, 1], 10_000))
    w = largest(lambda w: allowed(2, [w] * 7 + [1], 10_000, "compiled"), 1, 512)
    rows.append(("compiled", [w] * 7 + [1], 10_000))
    return rows


def measure(engine: str, layers: list[int], samples: int) -> dict:
    """In this (child) process: build, one step, a pause during a second step, peak memory."""
    from micrograd import datasets
    from micrograd.nn import MLP
    from micrograd.train import StepCancelled, Trainer

    X, y = datasets.moons(samples, 0.1, seed=1337)
    started = time.perf_counter()
    trainer = Trainer(MLP(2, layers, rng=random.Random(1337)), X, y, engine=engine)
    built = time.perf_counter() - started
    started = time.perf_counter()
    trainer.step()
    first_step = time.perf_counter() - started
    stop = threading.Event()
    asked_at = []
    trainer.should_stop = stop.is_set
    outcome = {}

    def run():
        try:
            trainer.step()
            outcome["finished"] = True
        except StepCancelled:
            outcome["cancelled_at"] = time.perf_counter()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(min(first_step * 0.4, 2.0))  # well inside the step
    asked_at.append(time.perf_counter())
    stop.set()
    thread.join()
    pause = (outcome["cancelled_at"] - asked_at[0]) if "cancelled_at" in outcome else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"build": built, "step": first_step, "pause": pause, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="estimates only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, layers, samples = json.loads(args.child)
        print(json.dumps(measure(engine, layers, samples)))
        return
    print(
        f"limits: build {cost.MAX_BUILD_SECONDS:.0f} s, memory {cost.MAX_MEMORY_BYTES / 1024**3:.0f} GB "
        "(micrograd/cost.py); BLAS: one thread inside micrograd's loops (micrograd/blas_threads.py)"
    )
    header = (
        f"{'engine':9} {'layers':22} {'samples':>7} | {'est nodes':>11} {'est mem':>8} {'est build':>9} | "
        f"{'build':>7} {'1st step':>8} {'peak RSS':>8} {'pause':>8}"
    )
    print(header)
    print("-" * len(header))
    for engine, layers, samples in candidates():
        e = cost.estimate(inputs=2, layers=layers, samples=samples, engine=engine)
        shown = (
            ",".join(map(str, layers))
            if len(set(layers[:-1])) > 1 or len(layers) < 4
            else f"[{layers[0]}]*{len(layers) - 1}+[1]"
        )
        line = (
            f"{engine:9} {shown:22} {samples:>7,} | {e.graph_nodes:>11,} {e.memory_bytes / 1024**2:>6.0f}MB "
            f"{e.build_seconds:>8.1f}s | "
        )
        if args.quick:
            print(line)
            continue
        out = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps([engine, layers, samples])],
            capture_output=True,
            text=True,
            check=True,
        )
        m = json.loads(out.stdout)
        pause = f"{m['pause'] * 1000:>6.0f}ms" if m["pause"] is not None else "  (done)"
        print(line + f"{m['build']:>6.1f}s {m['step']:>7.2f}s {m['peak'] / 1024**2:>6.0f}MB {pause:>8}", flush=True)
    print(
        "build: the Trainer (compiled: the trace and its programs); 1st step: the reference engine builds its "
        "whole graph here, every step. pause: should_stop set mid-step until the step gave up."
    )


if __name__ == "__main__":
    main()
