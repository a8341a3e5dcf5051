"""Where the last resort's log goes: the platform's log folder, or $MICROGRAD_TUI_LOG (the tests' own folder)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_log_path

from tui import crash_log


def test_tests_log_to_a_folder_of_their_own():
    folder = crash_log.folder()
    assert folder == Path(os.environ["MICROGRAD_TUI_LOG"])  # set for every test by tests/conftest.py
    assert folder != user_log_path(crash_log.APP_NAME)
    path = crash_log.write(RuntimeError("boom"), "a test")
    assert path is not None and path.parent == folder and "RuntimeError: boom" in path.read_text()


def test_without_the_variable_the_platform_log_folder_is_used(monkeypatch):
    monkeypatch.delenv("MICROGRAD_TUI_LOG")
    assert crash_log.folder() == user_log_path(crash_log.APP_NAME)
    monkeypatch.setenv("MICROGRAD_TUI_LOG", "")  # empty means unset, as for a shell's VAR= prefix
    assert crash_log.folder() == user_log_path(crash_log.APP_NAME)
