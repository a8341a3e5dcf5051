"""Browser mode, end to end: `micrograd-tui serve --port N` in its own process, and a real headless Chromium
(Debian's, driven through Playwright) that opens the page, types into the editor and presses F5.

The page draws the terminal on a canvas (xterm.js), so its text is read from xterm's screen buffer, the grid the
canvas is painted from: an init script keeps the Terminal object that xterm hands to its addons. The page may
reach nothing but the server under test (every other request is aborted), and a screenshot is saved.

Set MICROGRAD_BROWSER_SCREENSHOT=docs/screenshots/browser.png to write the README's picture from this run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from micrograd.expression import evaluate
from tui.workbench import DEFAULT_EXPRESSION

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# xterm.js addons get the public Terminal in `activate(terminal)` and keep it as `_terminal`; catch the first.
KEEP_TERMINAL = """
Object.defineProperty(Object.prototype, "_terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && !window.__terminal) window.__terminal = value;
    Object.defineProperty(this, "_terminal", {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
SCREEN_TEXT = """() => {
  const term = window.__terminal;
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y).translateToString(true));
  return lines.join("\\n");
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    """`micrograd-tui serve` on a free port, in a process group of its own (it starts one app per tab)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as err:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {process.stdout.read().decode()}") from err
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def g_of(source: str) -> str:
    """The root's data as the graph pane prints it, computed here by the library."""
    return f"{evaluate(source).output.data:.6g}"


def test_the_served_app_runs_in_a_real_browser_and_answers_keys(server, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    readme, changed = g_of(DEFAULT_EXPRESSION), g_of(DEFAULT_EXPRESSION.replace("Value(-4.0)", "Value(-3.0)", 1))
    assert readme == "24.7041" and changed != readme
    shot = Path(os.environ.get("MICROGRAD_BROWSER_SCREENSHOT") or tmp_path / "browser.png")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 760},
        )
        try:
            page = browser.new_page()
            page.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort()
            )
            page.add_init_script(KEEP_TERMINAL)
            page.goto(server + "/")

            def wait_for(text: str, absent: str | None = None) -> str:
                page.wait_for_function(
                    f"""([text, absent]) => {{ const s = ({SCREEN_TEXT})();
                    return s.includes(text) && !(absent && s.includes(absent)); }}""",
                    arg=[text, absent or ""],
                    timeout=90_000,
                )
                return page.evaluate(SCREEN_TEXT)

            def press(*keys: str) -> None:
                # One at a time, as a person types: a burst through the websocket can reach Textual's input
                # parser while it still holds an escape sequence (ctrl+home) and come out of order.
                for key in keys:
                    page.keyboard.press(key)
                    page.wait_for_timeout(250)

            screen = wait_for(readme)  # the app drew its first screen: the README expression, evaluated
            assert "Expression" in screen and "a = Value(-4.0)" in screen
            page.focus(".xterm-helper-textarea")
            page.wait_for_timeout(1000)  # the app's first refresh settles (focus moves to the editor)
            # line 1 of the editor: a = Value(-4.0) -> a = Value(-3.0), then F5 evaluates
            press("Control+Home", "End", "ArrowLeft", "ArrowLeft", "ArrowLeft", "Backspace", "3")
            wait_for("a = Value(-3.0)")
            press("F5")
            wait_for(changed, absent=readme)
            # and back: the key press evaluates the expression and the page shows 24.7041 again
            press("Backspace", "4")
            wait_for("a = Value(-4.0)")
            press("F5")
            wait_for(readme, absent=changed)
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_serve_names_the_extra_when_textual_serve_is_missing(monkeypatch, capsys):
    import importlib.util

    from tui import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "textual_serve" else real(name, *a)
    )
    assert cli.main(["serve", "--port", "8000"]) == 2
    assert "pip install 'micrograd-tui[web]'" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_serve_refuses_a_port_that_cannot_be(port, capsys):
    from tui import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--port", port])
    assert exited.value.code == 2 and "a port is a whole number from 1 to 65535" in capsys.readouterr().err
