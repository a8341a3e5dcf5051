"""Fast by default: a library user's run, imported plainly, against the same run with one BLAS thread set by hand.

    python benchmarks/blas_threads.py [--repeat 3] [--steps 100]

`Trainer(MLP(2, [64, 64, 1]), X, y).run(100)` on 10,000 moons, each run in a fresh process: as a user gets it
("plain": micrograd limits BLAS itself, micrograd/blas_threads.py), with OPENBLAS_NUM_THREADS=1 set by hand
(the one-thread figure), and with micrograd's limit switched off (what users got before). Each is timed on an
idle machine and beside one and two CPU-bound processes (`python -c "while True: pass"`). Target (issue 15):
plain within 1.2x of the one-thread figure in every row. Medians of --repeat runs; the machine is shared, so
compare the ratios within a row.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time
import micrograd.blas_threads as blas_threads
if sys.argv[2] == "off":
    blas_threads._libraries = []  # micrograd's limit switched off: BLAS keeps its own thread count
from micrograd.datasets import moons
from micrograd.nn import MLP
from micrograd.train import Trainer
X, y = moons(10_000, 0.1, seed=1337)
trainer = Trainer(MLP(2, [64, 64, 1]), X, y)
start = time.perf_counter()
trainer.run(int(sys.argv[1]))
print(json.dumps(time.perf_counter() - start))
"""

SETUPS = {
    "plain": ({}, "on"),
    "OPENBLAS_NUM_THREADS=1": ({"OPENBLAS_NUM_THREADS": "1"}, "on"),
    "limit off (before)": ({}, "off"),
}


def run(steps: int, env_extra: dict, limit: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_extra}
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if name not in env_extra:
            env.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(steps), limit], env=env, capture_output=True, text=True, check=True
    )
    return float(json.loads(out.stdout))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"Trainer(MLP(2, [64, 64, 1]), 10k moons).run({args.steps}), seconds, median of {args.repeat}")
    print(f"{'beside':>10} " + " ".join(f"{name:>24}" for name in SETUPS) + "  plain/one-thread (target <= 1.2)")
    for busy in (0, 1, 2):
        spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
        try:
            times = {name: [] for name in SETUPS}
            for _ in range(args.repeat):  # interleaved, so a noisy moment hits every setup alike
                for name, (env_extra, limit) in SETUPS.items():
                    times[name].append(run(args.steps, env_extra, limit))
        finally:
            for spinner in spinners:
                spinner.kill()
                spinner.wait()
        medians = {name: statistics.median(values) for name, values in times.items()}
        ratio = medians["plain"] / medians["OPENBLAS_NUM_THREADS=1"]
        print(
            f"{busy:>3} busy   "
            + " ".join(f"{medians[name]:24.3f}" for name in SETUPS)
            + f"  {ratio:.2f} {'ok' if ratio <= 1.2 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
