"""The command line: `micrograd-tui [SESSION]`, `micrograd-tui --replay SESSION [--speed X]`,
`micrograd-tui check SESSION...`, `micrograd-tui samples`, `micrograd-tui serve [--port N]` (and
`python -m tui`, the same). A SESSION is a file or the name of a shipped sample (`moons_demo`)."""

from __future__ import annotations

import argparse
import math
import os
import sys

# BLAS threads: the library limits them to one itself while it trains (micrograd/blas_threads.py).

# A lone Escape counts after this many ms without more bytes (Textual: 100; read when Textual loads): a terminal
# sends a key's sequence in one write, so 25 is plenty (tui/terminal_driver.py: why Escape was slow).
os.environ.setdefault("ESCDELAY", "25")

DESCRIPTION = """\
A keyboard-driven terminal explorer for micrograd: type an expression and watch its graph, data and gradients;
train a small MLP on a toy dataset and watch the loss fall.

keys: F5 evaluate, F2 backward, F3 zero grads, F8 one step, F9 train/pause, ctrl+r reset, ctrl+g graph view,
F4 decision boundary, ctrl+b backprop stepper (F10 / shift+F10 step), ctrl+n gradient check, ctrl+t trace one
sample, ctrl+l export, ctrl+s save, ctrl+o open, F1 help, ctrl+p commands, ctrl+q quit."""

CHECK_HELP = (
    "replay each SESSION headlessly; print OK or the first mismatch; exit 0 (all OK), 1 (a mismatch), "
    "2 (an unreadable or invalid file), 3 (a session too large to replay)"
)
SERVE_HELP = "serve the app as a web page on localhost (textual-serve); each browser tab runs its own app"
SAMPLES_HELP = "list the sample sessions shipped with the app (open one by name: micrograd-tui --replay moons_demo)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd-tui",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"micrograd-tui check SESSION...: {CHECK_HELP}\n"
        f"micrograd-tui samples: {SAMPLES_HELP}\n"
        f"micrograd-tui serve [--port N]: {SERVE_HELP}",
    )
    parser.add_argument(
        "session", nargs="?", metavar="SESSION", help="open this saved session (a .json file, or a sample's name)"
    )
    parser.add_argument("--replay", metavar="SESSION", help="open SESSION and play it back")
    parser.add_argument(
        "--theme",
        type=_theme,
        metavar="NAME",
        help="Textual theme for this run (ctrl+p, then Theme, picks one and remembers it)",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        metavar="X",
        help="replay speed: playback runs X times as fast (default 1: one action, or a twentieth "
        "of a training run, per tick)",
    )
    return parser


def _check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="micrograd-tui check", description=CHECK_HELP)
    parser.add_argument("sessions", nargs="+", metavar="SESSION")
    args = parser.parse_args(argv)
    from tui.replay import check_main

    return check_main(args.sessions, sys.stdout)


def _samples(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="micrograd-tui samples", description=SAMPLES_HELP).parse_args(argv)
    from tui.samples import samples

    found = samples()
    width = max((len(s.name) for s in found), default=0)
    for sample in found:
        print(f"{sample.name:<{width}}  {sample.title}")
    return 0 if found else 1


def _theme(name: str) -> str:
    from textual.theme import BUILTIN_THEMES

    if name not in BUILTIN_THEMES:
        themes = ", ".join(sorted(BUILTIN_THEMES))
        raise argparse.ArgumentTypeError(f"no theme called {name!r}; the themes are {themes}")
    return name


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a whole number from 1 to 65535, not {text!r}")
    return port


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="micrograd-tui serve", description=SERVE_HELP)
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--host",
        default="localhost",
        help="address to listen on (default localhost; the app is yours: serve it to others "
        "only on a network you trust)",
    )
    parser.add_argument("--theme", type=_theme, metavar="NAME", help="Textual theme for the served app")
    args = parser.parse_args(argv)
    from tui.serve import serve

    return serve(args.host, args.port, ["--theme", args.theme] if args.theme else [])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:
        return _check(argv[1:])
    if argv[:1] == ["samples"]:
        return _samples(argv[1:])
    if argv[:1] == ["serve"]:
        return _serve(argv[1:])
    args = _parser().parse_args(argv)
    if not math.isfinite(args.speed) or args.speed <= 0:
        print(f"micrograd-tui: --speed must be a positive number, not {args.speed}", file=sys.stderr)
        return 2
    if args.session and args.replay:
        print(
            "micrograd-tui: give either SESSION (to open it) or --replay SESSION (to play it), not both",
            file=sys.stderr,
        )
        return 2
    opened = None
    path = args.replay or args.session
    if path:
        from micrograd.files import printable
        from tui import session
        from tui.replay import checked_workbench
        from tui.samples import resolve

        try:
            resolved = resolve(path)
            loaded = session.load(resolved)
            checked_workbench(loaded, resolved.name)  # hours of work to replay: refused before the app
        except session.SessionError as err:
            print(f"micrograd-tui: {printable(str(err))}", file=sys.stderr)  # file text never reaches the terminal raw
            return 2
        from tui.screens.session_files import OpenedSession  # Textual: only once the file is known to be good

        opened = OpenedSession(resolved, loaded)
    from tui.app import MicrogradApp  # Textual only loads for the app itself, not for `check`

    app = MicrogradApp()
    app.start_theme = args.theme
    if opened is not None:
        app.open_on_start(opened, replay=args.replay is not None, speed=args.speed)
    app.run()
    code = app.return_code or 0  # Textual sets 1 when the app ended on an error (it printed the traceback)
    leave_if_stuck(code)
    return code


def leave_if_stuck(code: int, grace: float = 1.0) -> None:
    """Quit means quit: if a thread is still busy (a worker inside a long step) after `grace` seconds,
    end the process now rather than wait for it, with `code`."""
    import threading
    import time

    deadline = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
