"""Textual's Linux terminal driver, answering a lone Escape in ~25 ms instead of ~100 ms.

A terminal sends Escape as the byte ESC, which also starts every key's escape sequence (F1 is ESC O P), so a
lone ESC counts as the Escape key only after ESCDELAY ms without more bytes (Textual: 100). Textual's input
thread notices that wait is over only when its `select` times out, every 0.1 s, so Escape always took >= 0.1 s
-- the key that closes help and dialogs (measured in tmux: 145-160 ms, other keys 40-70). This driver is the
same input loop with a wait as short as the delay; the CLI shortens the delay to 25 ms (a terminal sends a
sequence in one write). Everything else is Textual's LinuxDriver.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import constants
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


class PromptEscapeDriver(LinuxDriver):
    def run_input_thread(self) -> None:
        """LinuxDriver.run_input_thread (Textual 8.2) with `select` waiting at most ESCDELAY, not 0.1 s."""
        wait = min(0.1, constants.ESCAPE_DELAY)
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process(selector_events, final: bool = False) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(self.fileno, 1024 * 4), final=final and last)
                    if not data:  # stdin piped and closed
                        break
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():  # a lone ESC whose delay is over becomes the Escape key here
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(wait))
            selector.unregister(self.fileno)
            process(selector.select(wait), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
