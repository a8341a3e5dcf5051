"""Remembered preferences: the theme, the recent sessions and the export folder, in a small versioned JSON file in
the user's config folder (platformdirs: ~/.config/micrograd-tui/settings.json on Linux, the platform's own
place elsewhere; $MICROGRAD_TUI_CONFIG overrides the file's path).

A settings file is the user's, and may be hand-edited or half-written: anything unreadable means the defaults
plus one sentence saying so, never a crash; a field that is wrong falls back alone. Saving is atomic (a
temporary file renamed over the old one), and a failed save is a sentence too. No Textual here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_path

from micrograd import files

VERSION = 1
DEFAULT_THEME = "textual-dark"
MAX_RECENT = 10
MAX_BYTES = 64 * 1024  # a settings file is a few hundred bytes


@dataclass
class Settings:
    theme: str = DEFAULT_THEME
    recent: list[str] = field(default_factory=list)  # session files, most recent first
    export_folder: str | None = None  # None: the working folder

    def remember(self, path: str | os.PathLike) -> None:
        """Put `path` first in the recent sessions (once), keeping at most MAX_RECENT."""
        text = str(Path(path).expanduser().resolve())
        self.recent = [text, *[p for p in self.recent if p != text]][:MAX_RECENT]

    def to_dict(self) -> dict:
        return {"version": VERSION, "theme": self.theme, "recent": self.recent, "export_folder": self.export_folder}


def default_path() -> Path:
    override = os.environ.get("MICROGRAD_TUI_CONFIG")
    return Path(override) if override else user_config_path("micrograd-tui") / "settings.json"


def load(path: Path | None = None) -> tuple[Settings, str | None]:
    """The settings and None, or the defaults (or what could be kept) and one sentence saying what was wrong."""
    path = default_path() if path is None else path
    try:
        if not os.path.lexists(path):
            return Settings(), None
        raw = files.read_bytes(path, MAX_BYTES)  # a regular file only: a named pipe here would block the start
    except files.FileRefused as err:
        return Settings(), f"Settings file {path} cannot be used ({err}); using the defaults."
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Settings(), f"Settings file {path} is not valid JSON; using the defaults."
    if not isinstance(data, dict):
        return Settings(), f"Settings file {path} does not hold a JSON object; using the defaults."
    version = data.get("version")
    if version != VERSION:
        return Settings(), (
            f"Settings file {path} has version {version!r}, this app reads version {VERSION}; using the defaults."
        )
    settings, bad = Settings(), []
    theme = data.get("theme", DEFAULT_THEME)
    if isinstance(theme, str) and theme:
        settings.theme = theme
    else:
        bad.append("theme")
    recent = data.get("recent", [])
    if isinstance(recent, list) and all(isinstance(p, str) for p in recent):
        settings.recent = recent[:MAX_RECENT]
    else:
        bad.append("recent")
    folder = data.get("export_folder")
    if folder is None or isinstance(folder, str):
        settings.export_folder = folder
    else:
        bad.append("export_folder")
    if bad:
        return settings, f"Settings file {path}: {', '.join(bad)} unreadable; using the default for it."
    return settings, None


def save(settings: Settings, path: Path | None = None) -> str | None:
    """Write atomically; None, or one sentence saying why the settings were not saved."""
    path = default_path() if path is None else path
    text = json.dumps(settings.to_dict(), indent=2) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(path, text.encode("utf-8"))
    except OSError as err:
        return f"Settings were not saved to {path}: {err.strerror or err}."
    except files.FileRefused as err:
        return f"Settings were not saved: {err}."
    return None
