"""The last resort: an exception nobody expected becomes a notice, and the app keeps running with its state.

Textual's own answer to an exception in a message handler, a timer or a worker is to print a traceback and exit,
taking the user's unsaved work with it. Two places let us answer instead:

* every handler of every widget, screen and the app runs inside `MessagePump._dispatch_message`; when it raises,
  Textual stops that widget's message loop for good (and then exits). So the guard wraps `_dispatch_message`
  itself, once for the process, and hands the exception to the app -- if the app is a `LastResort` app; any
  other app (a test's small host) keeps Textual's behaviour;
* timers, workers with exit_on_error and rendering call `App._handle_exception` directly: overridden here.

Either way the full traceback goes to a log file (tui/crash_log.py) and the user reads one sentence naming it.
The same error repeating (a render that fails on every frame) is logged once and noticed once every few seconds.
"""

from __future__ import annotations

from asyncio import CancelledError
from contextlib import suppress
from time import monotonic

from textual import events
from textual._context import active_app
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import WorkerFailed

from tui import crash_log

REPEAT_QUIET = 5.0  # seconds during which the same error is not noticed (nor logged) again


class LastResort:
    """App mixin: `recover(error, where)` reports an unexpected exception as a notice and keeps the app running."""

    unexpected_errors: list[BaseException]  # every one recovered from (tests assert on it)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unexpected_errors = []
        self._last_resort_seen: dict[tuple[str, str], float] = {}
        self._last_resort_armed = False  # from the first frame on: an app that fails to start still exits (code 1)
        _install_guard()

    def _on_ready(self, event: events.Ready) -> None:
        self._last_resort_armed = True

    def recover(self, error: BaseException, where: str) -> bool:
        """Report `error` and keep running; False when the app is not running (starting or closing), so the
        caller lets Textual handle it as usual."""
        app = self  # the mixin is always an App
        if not isinstance(error, Exception) or not self._last_resort_armed:
            return False
        if not app.is_running or app._exit or app._closing:  # type: ignore[attr-defined]
            return False
        if isinstance(error, WorkerFailed):
            error = error.error
        self.unexpected_errors.append(error)
        key, now = (type(error).__name__, str(error)[:200]), monotonic()
        if now - self._last_resort_seen.get(key, -REPEAT_QUIET) < REPEAT_QUIET:
            return True
        self._last_resort_seen[key] = now
        path = crash_log.write(error, where)
        with suppress(Exception):  # a notice that cannot be shown: nothing more to do, the log file has it
            app.notify(crash_log.sentence(error, where, path), severity="error", timeout=20, markup=False)  # type: ignore[attr-defined]
        return True

    def _handle_exception(self, error: Exception) -> None:
        if not self.recover(error, _where_from(error)):
            super()._handle_exception(error)  # type: ignore[misc]


def _where_from(error: Exception) -> str:
    if isinstance(error, WorkerFailed):
        return "a background task"
    return "the screen's drawing or a timer"


def where(pump: MessagePump, message: Message) -> str:
    """Where an exception happened, in words a user can repeat: the key pressed, else the widget and message."""
    if isinstance(message, events.Key):
        return f"the {message.key} key"
    return f"{type(pump).__name__} ({type(message).__name__})"


_original_dispatch = MessagePump._dispatch_message


async def _guarded_dispatch(self: MessagePump, message: Message) -> None:
    try:
        await _original_dispatch(self, message)
    except CancelledError:
        raise
    except Exception as error:
        app = active_app.get(None)
        if not isinstance(app, LastResort) or not app.recover(error, where(self, message)):
            raise


def _install_guard() -> None:
    if MessagePump._dispatch_message is not _guarded_dispatch:
        MessagePump._dispatch_message = _guarded_dispatch  # type: ignore[method-assign]
