"""The terminal driver's input loop (tui/terminal_driver.py), fed through a pipe as a terminal feeds it."""

from __future__ import annotations

import os
import threading

from textual import events

from tui.terminal_driver import PromptEscapeDriver


def keys_read(data: bytes) -> list[str]:
    """The keys the driver's input thread makes of `data` (then the pipe closes and the loop ends)."""
    driver = PromptEscapeDriver.__new__(PromptEscapeDriver)  # the input loop alone: no app, no terminal modes
    read_end, write_end = os.pipe()
    keys: list[str] = []
    seen = threading.Event()
    driver.fileno, driver._debug, driver.exit_event = read_end, False, threading.Event()

    def process_message(message) -> None:
        if isinstance(message, events.Key):
            keys.append(message.key)
            seen.set()

    driver.process_message = process_message  # type: ignore[method-assign]
    thread = threading.Thread(target=driver.run_input_thread)
    thread.start()
    try:
        os.write(write_end, data)
        assert seen.wait(30), "no key came through"
        driver.exit_event.set()
    finally:
        os.close(write_end)
        thread.join(30)
        os.close(read_end)
    return keys


def test_a_lone_escape_is_the_escape_key():
    assert keys_read(b"\x1b") == ["escape"]


def test_an_escape_sequence_is_its_key_not_escape():
    assert keys_read(b"\x1bOP") == ["f1"]  # F1, as xterm sends it
