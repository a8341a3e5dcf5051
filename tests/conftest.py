"""Shared test fixtures.

PyTorch and Graphviz are independent references (the engine's numbers; whether our DOT is valid), but not
dependencies. Locally a test that needs one is skipped with a reason when it is missing; under CI (CI=true)
a missing one is a failure, so those checks can never be skipped quietly to get a green run.
"""

import importlib.util
import os
import shutil

import pytest


def _missing(what: str, how: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not installed, but CI=true: the checks that need it must run in CI")
    pytest.skip(f"{what} is not installed; {how} to run this check")


@pytest.fixture(scope="session")
def torch():
    if importlib.util.find_spec("torch") is None:
        _missing("PyTorch", "`pip install torch==2.13.0`")
    import torch as torch_module

    torch_module.set_default_dtype(torch_module.float64)
    return torch_module


@pytest.fixture(scope="session")
def graphviz() -> str:
    """The path of Graphviz's `dot`."""
    dot = shutil.which("dot")
    if dot is None:
        _missing("Graphviz's dot", "`apt-get install graphviz`")
    return dot


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium, for the browser-mode test (driven through Playwright, no browser download)."""
    path = shutil.which("chromium")
    if path is None:
        _missing("Chromium", "`apt-get install chromium`")
    if importlib.util.find_spec("playwright") is None:
        _missing("Playwright", "`pip install -e '.[test]'`")
    return path


@pytest.fixture(autouse=True)
def _own_settings_file(tmp_path_factory, monkeypatch):
    """Every test's app reads and writes a settings file of its own, never the user's (tui/preferences.py)."""
    monkeypatch.setenv("MICROGRAD_TUI_CONFIG", str(tmp_path_factory.mktemp("config") / "settings.json"))


@pytest.fixture(autouse=True)
def _own_log_folder(tmp_path_factory, monkeypatch):
    """An unexpected exception in a test's app is logged in a folder of its own, never the user's
    ~/.local/state/micrograd-tui/log (tui/crash_log.py)."""
    monkeypatch.setenv("MICROGRAD_TUI_LOG", str(tmp_path_factory.mktemp("log")))
