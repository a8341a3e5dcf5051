"""Writing down an exception nobody expected, so the app can keep running and the user can send us the file.

No Textual here: the app's last-resort handler (tui/screens/last_resort.py) calls `write` and `sentence`. The
file goes to the platform's log folder (platformdirs: ~/.local/state/micrograd-tui/log on Linux; the folder in
$MICROGRAD_TUI_LOG instead when set, which the tests use), one file a day, each report appended with its time and
full traceback.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_log_path

APP_NAME = "micrograd-tui"
MAX_SENTENCE = 200  # characters of the exception's own message quoted in the notice


def folder() -> Path:
    override = os.environ.get("MICROGRAD_TUI_LOG")
    return Path(override) if override else user_log_path(APP_NAME)


def write(error: BaseException, where: str, log_folder: Path | None = None) -> Path | None:
    """Append `error`'s traceback to today's log file; the file, or None when it could not be written (a
    read-only home must not turn one unexpected error into two)."""
    now = datetime.now(UTC)
    path = (log_folder if log_folder is not None else folder()) / f"errors-{now:%Y-%m-%d}.log"
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"---- {now:%Y-%m-%d %H:%M:%S} UTC, in {where}\n{text}\n")
    except (OSError, ValueError):
        return None
    return path


def sentence(error: BaseException, where: str, path: Path | None) -> str:
    """The notice: what happened in one sentence, that nothing was lost, and where the details are."""
    message = " ".join(str(error).split()) or type(error).__name__
    message = message.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate in the message: shown as ?
    if len(message) > MAX_SENTENCE:
        message = message[: MAX_SENTENCE - 1] + "…"
    details = f" Details are in {path}." if path is not None else ""
    return (
        f"Something went wrong in {where}: {type(error).__name__}: {message.rstrip('.')}. "
        f"Your work is kept; ctrl+s saves it.{details}"
    )
