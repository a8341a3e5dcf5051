"""`python -m micrograd`: micrograd's moons demo, trained with the Trainer, one line per step.

MLP 2-16-16-1 from random.seed(1337), moons(100, noise=0.1, seed=1337), svm max-margin + 1e-4 L2, SGD with
lr 1.0 -> 0.1 over 100 steps: the run of karpathy/micrograd's demo.ipynb (final loss 0.010978, accuracy 100%).
"""

import argparse
import random
import time

from micrograd.datasets import moons
from micrograd.nn import MLP
from micrograd.train import ENGINES, Trainer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m micrograd", description="Train micrograd's moons demo.")
    parser.add_argument("--engine", choices=ENGINES, default="compiled")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=None, help="minibatch size (default: all samples)")
    args = parser.parse_args(argv)

    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    X, y = moons(100, 0.1, seed=1337)
    start = time.perf_counter()
    trainer = Trainer(model, X, y, engine=args.engine, batch_size=args.batch_size)
    results = trainer.run(
        args.steps, on_step=lambda r: print(f"step {r.step} loss {r.loss:.6f}, accuracy {r.accuracy * 100:.1f}%")
    )
    seconds = time.perf_counter() - start
    last = results[-1]
    print(
        f"{len(results)} steps in {seconds:.3f} s ({args.engine} engine, setup included): "
        f"final loss {last.loss:.6f}, accuracy {last.accuracy * 100:.1f}%"
        + ("" if last.finite else f"; stopped: {last.error}")
    )
    return 0 if last.finite else 1


if __name__ == "__main__":
    raise SystemExit(main())
