"""Browser mode: `micrograd-tui serve [--port N]` serves the app as a web page on localhost through
textual-serve (Textual's own server: each browser tab gets its own app process, drawn by xterm.js).

textual-serve is the `web` extra; without it `serve` says how to install it instead of failing on an import.
"""

from __future__ import annotations

import importlib.util
import shlex
import sys

INSTALL_HINT = "pip install 'micrograd-tui[web]'"


def app_command(extra_args: list[str]) -> str:
    """The command each browser tab runs: this interpreter and this package, so a checkout or a venv serves
    itself rather than whatever `micrograd-tui` is first on PATH."""
    return shlex.join([sys.executable, "-m", "tui", *extra_args])


def serve(host: str, port: int, extra_args: list[str]) -> int:
    if importlib.util.find_spec("textual_serve") is None:
        print(f"micrograd-tui: browser mode needs textual-serve: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from textual_serve.server import Server

    server = Server(app_command(extra_args), host=host, port=port, title="micrograd-tui")
    try:
        server.serve()
    except OSError as err:  # the port is taken, or not ours to bind
        print(
            f"micrograd-tui: cannot serve on {host}:{port}: {err.strerror or err}; try another --port", file=sys.stderr
        )
        return 2
    return 0
