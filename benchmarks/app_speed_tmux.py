"""The app at headless speed in a real terminal (issue 15): tmux at 120x40, keys sent as a terminal sends them.

    python benchmarks/app_speed_tmux.py                    # every setup, 10 F1/Escape presses each (~2 minutes)
    python benchmarks/app_speed_tmux.py demo-compiled --presses 20

benchmarks/app_speed.py drives the app headless (Pilot); this runs it where a user does. For each setup the real
app starts in a detached tmux session (configured like app_speed.py's setup, training until paused), F9 starts
training, and after `--seconds` the status line's steps/s (the app's own figure: steps since F9 over the time
since) is read and set beside the Trainer alone, timed in a child process just before and just after. Then,
still training, F1 and Escape are sent with `tmux send-keys` and the pane is read until the help shows / is gone:
that is the time to the screen a user sees (tmux's copy of it), polling included (a read is a few ms).
Finally F9 pauses and the footer must read "f9 Train" again. Needs tmux.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = "app-speed"
HELP_TEXT = "Type micrograd code in the"  # the help screen's first words
STEPS = {"demo-compiled": 8000, "demo-reference": 20, "64-64-1x10k-compiled": 150}  # headless steps timed
LAUNCH = (
    "import sys; sys.path[:0] = [{root!r}, {root!r} + '/benchmarks']; import tui.cli; import app_speed as b; "
    "from tui.app import MicrogradApp; from tui.workbench import Workbench; "
    "MicrogradApp(Workbench(b.config_of(b.SETUPS[{name!r}])), train_steps=None).run()"
)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(condition, timeout: float = 60.0) -> float:
    """perf_counter() when the pane first satisfies `condition`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if condition(screen()):
            return time.perf_counter()
    raise TimeoutError("the pane never showed what was waited for")


def headless(name: str) -> float:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "app_speed.py"), "--headless", name, str(STEPS[name])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.splitlines()[-1])["rate"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(name: str, seconds: float, presses: int) -> None:
    tmux("kill-session", "-t", SESSION)
    launch = LAUNCH.format(root=str(ROOT), name=name)
    command = f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -c {shlex.quote(launch)}"
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command)
    try:
        wait_for(lambda s: "Loss & accuracy" in s)
        time.sleep(1.5)  # the first frame settles
        before = headless(name)
        tmux("send-keys", "-t", SESSION, "F9")
        time.sleep(seconds)
        status = next((line for line in reversed(screen().splitlines()) if "steps/s" in line), "")
        found = re.search(r"([\d,.]+) steps/s", status)
        rate = float(found.group(1).replace(",", "")) if found else float("nan")
        shows, closes = [], []
        for _ in range(presses):
            start = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "F1")
            shows.append(wait_for(lambda s: HELP_TEXT in s) - start)
            time.sleep(0.3)
            start = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "Escape")
            closes.append(wait_for(lambda s: HELP_TEXT not in s and "Loss & accuracy" in s) - start)
            time.sleep(0.3)
        training = any("training" in line and "steps/s" in line for line in screen().splitlines())
        tmux("send-keys", "-t", SESSION, "F9")
        time.sleep(2)
        footer = screen().splitlines()[-1]
        after = headless(name)
    finally:
        tmux("send-keys", "-t", SESSION, "C-q")
        time.sleep(0.5)
        tmux("kill-session", "-t", SESSION)
    alone = statistics.mean([before, after])
    print(
        f"{name}: app {rate:,.1f} steps/s vs Trainer alone {before:,.1f} / {after:,.1f} -> ratio {rate / alone:.2f} "
        f"(target >= 0.8)"
    )
    for label, values in (("F1 -> help shown", shows), ("Esc -> help closed", closes)):
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        print(f"  {label:20s} p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  (target p95 <= 100 ms)")
    print(
        f"  still training during the presses: {training}; footer after pausing reads f9 Train: {'f9 Train' in footer}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setups", nargs="*", metavar="SETUP", help=f"among {', '.join(STEPS)} (default: all)")
    parser.add_argument("--seconds", type=float, default=8.0, help="training time before steps/s is read")
    parser.add_argument("--presses", type=int, default=10)
    args = parser.parse_args()
    unknown = set(args.setups) - set(STEPS)
    if unknown:
        parser.error(f"unknown setup {', '.join(sorted(unknown))}; choose among {', '.join(STEPS)}")
    for name in args.setups or STEPS:
        measure(name, args.seconds, args.presses)


if __name__ == "__main__":
    main()
