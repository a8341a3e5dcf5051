"""Screenshots of the real app for the README, made headlessly: `python scripts/screenshots.py [--out DIR]`.

Each shot runs MicrogradApp in its own `App.run_test(size=(100, 30))`, drives it with Pilot key presses as a
user would (F9 train, F4 decision boundary, a `--replay` of a sample session, the backprop stepper when the
app has one), saves an SVG with `app.save_screenshot` and converts it to PNG with `rsvg-convert` (Debian:
librsvg2-bin). Without rsvg-convert the SVGs are kept and a note says so. A shot that fails is reported and
the others are still made; the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from rich.cells import cell_len

from tui.app import MicrogradApp

SIZE = (100, 30)
SAMPLE = ROOT / "tui" / "sample_sessions" / "tanh_vs_relu.json"
PNG_ZOOM = 1.0  # rsvg-convert --zoom: 100 columns come out about 1250 px wide


class Skipped(Exception):
    """The shot does not apply to this version of the app (e.g. no stepper yet)."""


def new_app() -> MicrogradApp:
    """The app as `micrograd-tui` starts it, with notifications kept off the screenshots (toasts are timed)."""
    app = MicrogradApp()
    app.notify = lambda *args, **kwargs: None
    return app


async def settle(app, pilot, rounds: int = 5) -> None:
    """Let workers finish and the screen catch up (layout, plotext redraws, call_after_refresh callbacks)."""
    await app.workers.wait_for_complete()
    for _ in range(rounds):
        await pilot.pause()
    await pilot.pause(0.2)


async def still_cursor(app, pilot) -> None:
    """Cursor blink off (as the tests do), so the same screen always gives the same picture."""
    for selector in ("#editor-text", "Input"):
        for widget in app.query(selector):
            widget.cursor_blink = False
    await pilot.pause()


async def train(app, pilot) -> None:
    """F9 as a user would, then wait until the run finished and its results are written back."""
    await pilot.press("f9")
    await pilot.pause()
    for _ in range(600):  # 100 moons steps take well under a second with the compiled engine
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app._run is None:
            break
    else:
        raise RuntimeError("training did not finish")
    if not app.workbench.history:
        raise RuntimeError("training finished without a single step in the history")


# ---- the shots ------------------------------------------------------------------------------------------------


async def shot_main(app, pilot) -> None:
    """The start screen: README expression evaluated, its graph in the tree, moons ready to train."""
    await settle(app, pilot)


async def shot_training(app, pilot) -> None:
    await train(app, pilot)
    await settle(app, pilot)


async def shot_boundary(app, pilot) -> None:
    await train(app, pilot)
    await pilot.press("f4")
    await settle(app, pilot)
    if app.query_one("#chart-pane").border_title != "Decision boundary":
        raise RuntimeError("F4 did not switch the chart pane to the decision boundary")


def prepare_replay(app) -> None:
    """What `micrograd-tui --replay tanh_vs_relu` does before the app runs."""
    from tui import session
    from tui.screens.session_files import OpenedSession

    app.open_on_start(OpenedSession(SAMPLE, session.load(SAMPLE)), replay=True, speed=1.0)


async def shot_replay(app, pilot) -> None:
    await settle(app, pilot)
    timeline = app.query("#timeline")
    if not timeline:
        raise RuntimeError("the replay timeline did not appear")
    # Playback runs on a timer; take it over: back to the start, then nine playback ticks by hand (a recorded
    # training run plays a twentieth at a time), so the picture shows the relu run paused at step 45 of 100,
    # its loss curve half drawn.
    await pilot.press("home")
    line = app.query_one("#timeline")
    for _ in range(9):
        line.advance()
    await settle(app, pilot)
    if line.playing or line.replayer.substep != 45:
        raise RuntimeError(f"the replay is not paused at step 45 (at {line.replayer.substep})")


def stepper_key() -> str | None:
    """The key that turns the backprop stepper on, if this version of the app has one (ctrl+b, issue 7)."""
    for binding in MicrogradApp.BINDINGS:
        action, ident = getattr(binding, "action", ""), getattr(binding, "id", "") or ""
        if "stepper" in action or "stepper" in ident or "backprop" in action or binding.key == "ctrl+b":
            return binding.key.split(",")[0]
    return None


def stepper_next_key(app) -> str | None:
    """The key bound to the stepper's "next step" right now (whatever widget or screen holds it)."""
    for key, active in app.active_bindings.items():
        binding = active.binding
        words = f"{binding.action} {binding.description} {binding.id or ''}".lower()
        if "next" in words and ("stepper" in words or "step" in binding.action) and "sample" not in words:
            return key
    return None


async def shot_stepper(app, pilot) -> None:
    key = stepper_key()
    if key is None:
        raise Skipped("the app has no backprop stepper key yet (issue 7)")
    await settle(app, pilot)
    await pilot.press(key)
    await settle(app, pilot)
    if getattr(app.workbench, "stepping", "absent") is None:
        raise RuntimeError(f"{key} did not turn the stepper on")
    # Three steps of the backward pass, with whatever key the stepper binds to "next".
    step = stepper_next_key(app)
    if step is None:
        raise RuntimeError("the stepper is on but no key for its next step was found")
    for _ in range(3):
        await pilot.press(step)
        await pilot.pause()
    await settle(app, pilot)


async def shot_network(app, pilot) -> None:
    """The network view (ctrl+f) after the demo trained, neuron L2.n4 selected: its weights in the inspector."""
    await pilot.press("ctrl+f")
    await train(app, pilot)
    await pilot.press("right", *["down"] * 4)
    await settle(app, pilot)
    if app.query_one("#chart-pane").current != "network" or app.workbench.network.neuron != 4:
        raise RuntimeError("ctrl+f did not open the network view with L2.n4 selected")


SHOTS = [
    ("main", shot_main, None),
    ("training", shot_training, None),
    ("boundary", shot_boundary, None),
    ("replay", shot_replay, prepare_replay),
    ("stepper", shot_stepper, None),
    ("network", shot_network, None),
]


# ---- running them ---------------------------------------------------------------------------------------------


async def take(name, drive, prepare, out: Path) -> Path:
    app = new_app()
    if prepare is not None:
        prepare(app)
    svg = out / f"{name}.svg"
    async with app.run_test(size=SIZE) as pilot:
        await still_cursor(app, pilot)
        await drive(app, pilot)
        await still_cursor(app, pilot)
        app.save_screenshot(filename=svg.name, path=str(out))
        # quit without the unsaved-changes question: the context manager exits the app
        for worker in app.workers:
            worker.cancel()
    return svg


TEXT = re.compile(r'<text([^>]*?) x="([\d.]+)"([^>]*)>([^<]*)</text>')


def for_librsvg(svg: str) -> str:
    """Make Textual's SVG render in librsvg as it does in a browser.

    librsvg drops a text span's leading (non-breaking) spaces ("g +  data" came out as "g+ data"): keep them
    with xml:space. And it ignores textLength, so a span drawn in a fallback font (braille in the charts and
    the decision boundary has no monospaced font here) runs wider than its cells and pushes the frame out
    of line: every non-ASCII span is split into one text element per character, each at its own cell.
    """

    def per_cell(match: re.Match) -> str:
        before, x, after, body = match[1], float(match[2]), match[3], match[4]
        length = re.search(r' textLength="([\d.]+)"', after)
        text = html.unescape(body)
        if length is None or text.isascii() or cell_len(text) == 0:
            return match[0]
        width = float(length[1]) / cell_len(text)
        after = after.replace(length[0], "")
        parts, position = [], x
        for char in text:
            if not char.isspace():
                parts.append(f'<text{before} x="{position:.1f}"{after}>{html.escape(char)}</text>')
            position += width * cell_len(char)
        return "".join(parts)

    svg = TEXT.sub(per_cell, svg)
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1)


def to_png(svg: Path, converter: str | None) -> Path:
    if converter is None:
        return svg
    png = svg.with_suffix(".png")
    svg.write_text(for_librsvg(svg.read_text(encoding="utf-8")), encoding="utf-8")
    subprocess.run(
        [converter, "--zoom", str(PNG_ZOOM), "--format", "png", "--output", str(png), str(svg)],
        check=True,
        capture_output=True,
        text=True,
    )
    svg.unlink()
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="output folder")
    parser.add_argument(
        "--only", nargs="*", metavar="NAME", help="only these shots: " + ", ".join(name for name, _, _ in SHOTS)
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("note: rsvg-convert not found (Debian: apt-get install librsvg2-bin); keeping the SVGs instead of PNGs")
    failed = 0
    for name, drive, prepare in SHOTS:
        if args.only and name not in args.only:
            continue
        try:
            written = to_png(asyncio.run(take(name, drive, prepare, out)), converter)
        except Skipped as note:
            print(f"skipped {name}: {note}; {name}.png not made")
            continue
        except subprocess.CalledProcessError as err:
            failed += 1
            print(f"FAILED {name}: rsvg-convert: {err.stderr.strip() or err}", file=sys.stderr)
            continue
        except Exception:
            failed += 1
            print(f"FAILED {name}:\n{traceback.format_exc()}", file=sys.stderr)
            continue
        print(f"wrote {written} ({written.stat().st_size // 1024} kB)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
