"""The app at headless speed (issue 15): in-app training vs the Trainer alone, and key latency while training.

    python benchmarks/app_speed.py              # every setup, 5 rounds (~4 minutes)
    python benchmarks/app_speed.py --rounds 5 --seconds 3
    python benchmarks/app_speed.py --only demo-reference

Every figure comes from a fresh child process, as a user's `micrograd-tui` or script is one: Python ran 20-40%
slower in a process that had already run and closed a few apps (their leftovers scatter the new Values in
memory), which made every round after the first look like the app's fault.

For each setup, each round times the Trainer alone (`trainer.step()` in a loop, in a child process that never
imports Textual, as a library user runs it) and then the real app driven headless by Pilot at 120x40: F9 is
pressed and the clock stops when the run has finished and its results are on screen (the worker's start, every
progress message, the final write-back and redraw all count). Both run the same number of steps, picked so the
headless run takes about `--seconds`; the app's run is timed between two headless ones and its rate is compared
with their mean, within the round (this machine is shared: ratios taken side by side are steadier than rates),
and the median over the rounds is printed next to the 0.8x target. BLAS threads are left as they are (the
library limits them itself).

Key latency: while the app trains (until paused), F1 is sent the way a terminal's key arrives (a Key event
posted from outside the event loop, without Pilot's wait for idle) and the clock stops once the help screen
is the current screen and has been painted; then Escape, until the main screen is back and painted.
p50/p95 over `--presses` presses each, next to the 100 ms target, and beside them the same presses on the idle
app at the same time (what the machine's load alone costs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tui.config import SettingError  # noqa: E402
from tui.workbench import Config, Workbench  # noqa: E402 (no Textual: the headless child imports only these)

SIZE = (120, 40)
RATIO_TARGET, LATENCY_TARGET = 0.8, 0.100
KEY_POLL = 0.005  # seconds between two looks at the screen after a key (part of the latency measured)
# name -> config changes from the defaults (micrograd's demo: moons(100), MLP 2-16-16-1, svm, SGD)
SETUPS = {
    "demo-compiled": {},
    "demo-reference": {"training": {"engine": "reference"}},
    "64-64-1x10k-compiled": {"data": {"samples": 10_000}, "model": {"layers": [64, 64, 1]}},
    "64-64-1x10k-reference": {
        "data": {"samples": 10_000},
        "model": {"layers": [64, 64, 1]},
        "training": {"engine": "reference"},
    },
}


def config_of(changes: dict) -> Config:
    return Config().merged(changes)


def headless_rate(name: str, steps: int) -> tuple[float, float]:
    """(steps per second, final loss) of the Trainer alone, built as the app builds it, in a child process:
    this one has imported Textual and run the app, whose objects would slow the Trainer's garbage collections."""
    out = subprocess.run(
        [sys.executable, __file__, "--headless", name, str(steps)], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(out.splitlines()[-1])
    return figures["rate"], figures["loss"]


def in_child(*args: str) -> dict:
    """The JSON a child process of this script printed last, run with `args`."""
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def _app_child(name: str, steps: int) -> None:
    rate, loss, figures = asyncio.run(app_rate(config_of(SETUPS[name]), steps))
    print(json.dumps({"rate": rate, "loss": loss, **figures}))


def _keys_child(name: str, presses: int, training: str) -> None:
    shows, closes = asyncio.run(key_latencies(config_of(SETUPS[name]), presses, training=training == "training"))
    print(json.dumps({"shows": shows, "closes": closes}))


def _headless_child(name: str, steps: int) -> None:
    trainer = Workbench(config_of(SETUPS[name])).trainer
    start = time.perf_counter()
    for _ in range(steps):
        result = trainer.step()
    print(json.dumps({"rate": steps / (time.perf_counter() - start), "loss": float(result.loss)}))


def steps_for(config: Config, seconds: float) -> int:
    """How many steps the Trainer alone makes in about `seconds` (at least 20)."""
    trainer = Workbench(config).trainer
    trainer.step()  # the first step may warm caches
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < min(0.5, seconds / 4) or n < 2:
        trainer.step()
        n += 1
    return max(20, round(n / (time.perf_counter() - start) * seconds))


async def painted(app) -> None:
    """Until the screen has been refreshed (painted) after what happened so far."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


def send_key(app, key: str) -> None:
    """A key as the terminal driver delivers it (its own thread posts it): no waiting for the app to idle."""
    from textual import events

    app._driver.send_message(events.Key(key, None))


async def until(condition, poll: float = 0.02) -> None:
    """Poll `condition` on the app's own event loop, not too often: each wake-up takes the GIL from the training
    thread (the screen after a key is polled every 5 ms)."""
    while not condition():
        await asyncio.sleep(poll)


async def app_rate(config: Config, steps: int) -> tuple[float, float, dict]:
    """(steps per second, final loss, figures) of the app: F9 pressed until the results are on screen."""
    from tui.app import MicrogradApp

    app = MicrogradApp(Workbench(config), train_steps=steps)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await painted(app)
        redraws = count_chart_redraws(app)
        finished = run_finished(app)
        start = time.perf_counter()
        send_key(app, "f9")
        await finished.wait()
        await painted(app)
        elapsed = time.perf_counter() - start
        loss = app.workbench.history[-1]["loss"]
        return steps / elapsed, loss, {"redraws": redraws[0], "app_reported": app._steps_per_second}


def run_finished(app) -> asyncio.Event:
    """Set when the app has taken a run's results (its `finish_training`): the run is awaited without polling,
    whose wake-ups would take the GIL from the training thread and count against the app."""
    finished, finish = asyncio.Event(), app.workbench.finish_training

    def finish_and_tell(run):
        entry = finish(run)
        finished.set()
        return entry

    app.workbench.finish_training = finish_and_tell
    return finished


def count_chart_redraws(app) -> list[int]:
    """A counter of the loss chart's draws (a list, so the caller sees it grow)."""
    from tui.widgets.loss_chart import LossChart

    chart = app.query_one(LossChart)
    count, draw = [0], chart._draw

    def counted() -> None:
        count[0] += 1
        draw()

    chart._draw = counted
    return count


async def key_latencies(config: Config, presses: int, *, training: bool = True) -> tuple[list[float], list[float]]:
    """Seconds from F1 to the help screen painted, and from Escape to the main screen painted, while training
    (or, for comparison on the same machine at the same time, idle)."""
    from tui.app import MicrogradApp
    from tui.screens.help import HelpScreen

    app = MicrogradApp(Workbench(config), train_steps=None)
    shows, closes = [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        if training:
            send_key(app, "f9")
            await until(lambda: app._run is not None)
            await asyncio.sleep(0.5)  # training in full swing
        for _ in range(presses):
            start = time.perf_counter()
            send_key(app, "f1")
            await until(lambda: isinstance(app.screen, HelpScreen), KEY_POLL)
            await painted(app)
            shows.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
            start = time.perf_counter()
            send_key(app, "escape")
            await until(lambda: not isinstance(app.screen, HelpScreen), KEY_POLL)
            await painted(app)
            closes.append(time.perf_counter() - start)
            await asyncio.sleep(0.05)
        still_training = app._run is not None
        if training:
            send_key(app, "f9")
            await until(lambda: app._run is None)
    if training and not still_training:
        raise RuntimeError("training stopped before the key presses ended: the latencies were not measured under load")
    return shows, closes


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="about how long each headless run takes")
    parser.add_argument("--presses", type=int, default=10, help="F1/Escape presses per setup")
    parser.add_argument("--only", choices=list(SETUPS), action="append")
    # the children
    parser.add_argument("--headless", nargs=2, metavar=("SETUP", "STEPS"), help=argparse.SUPPRESS)
    parser.add_argument("--app", nargs=2, metavar=("SETUP", "STEPS"), help=argparse.SUPPRESS)
    parser.add_argument("--keys", nargs=3, metavar=("SETUP", "PRESSES", "TRAINING"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.headless:
        _headless_child(args.headless[0], int(args.headless[1]))
        return
    if args.app:
        _app_child(args.app[0], int(args.app[1]))
        return
    if args.keys:
        _keys_child(args.keys[0], int(args.keys[1]), args.keys[2])
        return
    print(f"app at {SIZE[0]}x{SIZE[1]} driven by Pilot; target: app >= {RATIO_TARGET}x headless, keys p95 <= 100 ms")
    for name in args.only or SETUPS:
        try:
            config = config_of(SETUPS[name])
        except SettingError as err:
            print(f"\n{name}: not an allowed setup ({err})")
            continue
        steps = steps_for(config, args.seconds)
        print(f"\n{name}: {steps} steps per run")
        ratios = []
        for round_ in range(args.rounds):
            # The app's run between two of the Trainer alone: the machine's speed drifts by 20% and more within
            # seconds here (a shared VM), and the mean of the two around it is what the app ran beside.
            before, headless_loss = headless_rate(name, steps)
            figures = in_child("--app", name, str(steps))
            app, app_loss = figures["rate"], figures["loss"]
            after, _ = headless_rate(name, steps)
            headless = (before + after) / 2
            ratios.append(app / headless)
            same = "same final loss" if app_loss == headless_loss else f"LOSS DIFFERS {app_loss!r} vs {headless_loss!r}"
            print(
                f"  round {round_ + 1}: headless {before:9.1f} | {after:9.1f} steps/s   app {app:9.1f} steps/s   "
                f"ratio {app / headless:.2f}   ({figures['redraws']} chart redraws; {same})"
            )
        median = statistics.median(ratios)
        verdict = "ok" if median >= RATIO_TARGET else "BELOW TARGET"
        print(f"  median ratio {median:.2f}  (target >= {RATIO_TARGET}: {verdict})")
        busy = in_child("--keys", name, str(args.presses), "training")
        idle = in_child("--keys", name, str(args.presses), "idle")
        shows, closes, idle_shows, idle_closes = busy["shows"], busy["closes"], idle["shows"], idle["closes"]
        for label, values, idle in (
            ("F1 -> help shown", shows, idle_shows),
            ("Esc -> help closed", closes, idle_closes),
        ):
            p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
            verdict = "ok" if p95 <= LATENCY_TARGET * 1000 else "ABOVE TARGET"
            print(
                f"  {label:20s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (target p95 <= 100 ms: {verdict}); "
                f"idle app now: p50 {percentile(idle, 50) * 1000:.1f} p95 {percentile(idle, 95) * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
