"""What the live network view costs: its redraw rate while training, and how much it slows the training loop.

    PYTHONPATH=. python benchmarks/network_view.py [--seconds 3] [--rounds 3] [--size 100x30]

Runs the real app headless (Textual's `run_test`) on micrograd's moons demo (2-16-16-1, 100 samples, compiled
engine), training until paused, alternately with the loss chart showing and with the network view open
(ctrl+f), `--rounds` times each for `--seconds` each. Prints the training loop's steps per second in both, the
slowdown, and the network view's live redraws per second with the time each took on the UI thread. Medians over
the rounds: the machine is shared, so single runs wander.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from tui.app import MicrogradApp


async def one_round(network: bool, seconds: float, size: tuple[int, int]) -> dict:
    app = MicrogradApp(train_steps=None)
    redraws: list[tuple[float, float]] = []  # (when, UI-thread seconds) of each redraw from a posted snapshot
    seen: set[int] = set()  # the snapshots themselves are kept alive in `app`'s messages only briefly: by id
    async with app.run_test(size=size) as pilot:
        if network:
            await pilot.press("ctrl+f")
            await pilot.pause()
            original = app.refresh_network

            def timed(snapshot=None):
                start = time.perf_counter()
                original(snapshot)
                if snapshot is not None and id(snapshot) not in seen:  # not a resize redrawing the last one
                    seen.add(id(snapshot))
                    redraws.append((start, time.perf_counter() - start))

            app.refresh_network = timed
        await pilot.press("f9")
        while app._run is None:
            await pilot.pause()
        run, start = app._run, time.perf_counter()
        steps_at_start = run.steps
        await asyncio.sleep(seconds)
        steps, elapsed = run.steps - steps_at_start, time.perf_counter() - start
        await pilot.press("f9")
        await app.workers.wait_for_complete()
        await pilot.pause()
    during = [took for when, took in redraws if start <= when <= start + elapsed]
    return {
        "steps_per_second": steps / elapsed,
        "redraws_per_second": len(during) / elapsed,
        "redraw_ms": 1000 * statistics.median(during) if during else float("nan"),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="100x30", help="terminal size, e.g. 160x48")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    closed, opened = [], []
    for _ in range(args.rounds):
        closed.append(await one_round(False, args.seconds, size))
        opened.append(await one_round(True, args.seconds, size))

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    base, live = median(closed, "steps_per_second"), median(opened, "steps_per_second")
    print(f"moons demo 2-16-16-1, compiled engine, {args.size}, {args.rounds} rounds x {args.seconds:g} s, medians")
    print(f"training loop, loss chart showing:   {base:8.1f} steps/s")
    print(f"training loop, network view open:    {live:8.1f} steps/s")
    print(f"slowdown from the network view:      {100 * (1 - live / base):8.1f} %")
    print(f"network view live redraws:           {median(opened, 'redraws_per_second'):8.1f} per second")
    print(f"UI-thread time per redraw:           {median(opened, 'redraw_ms'):8.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
