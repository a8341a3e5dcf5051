"""The app side of remembered settings (tui/preferences.py): the theme (Textual's palette command "Theme", or
`--theme NAME` for one run), recent sessions (first in the open dialog), the export folder (where exports are
offered and screenshots go). A mixin for the host App, like the other feature mixins.

The host calls nothing: the mixin loads the settings when the app mounts and saves them when one changes. Its
hooks `remember_session`, `recent_sessions`, `export_folder`, `remember_export` are the ones SessionCommands
and ExportCommands call.
"""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

from tui import preferences as settings_file
from tui.preferences import Settings


class PreferencesCommands:
    """Mix into the App class (before the session and export mixins, and `App`)."""

    start_theme: str | None = None  # --theme NAME: this run's theme, not remembered unless chosen again
    settings: Settings | None = None
    settings_path: Path | None = None  # None: the user's config folder (preferences.default_path())

    def on_mount(self) -> None:
        self.settings, notice = settings_file.load(self.settings_path)
        wanted = self.start_theme or self.settings.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            notice = notice or (
                f"Theme {wanted!r} is not one of this app's themes; using {self.theme}. ctrl+p, then Theme, lists them."
            )
        if notice:
            self.notify(notice, severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        if self.settings is None or theme.name == self.settings.theme:
            return
        if theme.name == self.start_theme and self.settings.theme != theme.name:
            return  # --theme applies to this run only
        self.settings.theme = theme.name
        self._save_settings()

    def _save_settings(self) -> None:
        if self.settings is not None:
            problem = settings_file.save(self.settings, self.settings_path)
            if problem:
                self.notify(problem, severity="warning", timeout=10, markup=False)

    # ---- hooks for the session and export mixins ------------------------------------------------------

    def remember_session(self, path: Path) -> None:
        if self.settings is not None:
            self.settings.remember(path)
            self._save_settings()

    def recent_sessions(self) -> list[Path]:
        return [Path(p) for p in self.settings.recent] if self.settings is not None else []

    def export_folder(self) -> Path:
        folder = self.settings.export_folder if self.settings is not None else None
        return Path(folder).expanduser() if folder else Path.cwd()

    def remember_export(self, path: Path) -> None:
        folder = str(Path(path).expanduser().resolve().parent)
        if self.settings is not None and self.settings.export_folder != folder:
            self.settings.export_folder = folder
            self._save_settings()

    # ---- screenshots --------------------------------------------------------------------------------

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's "Screenshot": into the export folder (made if missing), the notice naming the file.
        In a browser (`micrograd-tui serve`) Textual hands the file to the browser instead."""
        if self.is_web:
            return super().deliver_screenshot(filename, path, time_format)  # type: ignore[misc]
        folder = Path(path).expanduser() if path else self.export_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as err:
            self.notify(
                f"The screenshot was not saved to {folder}: {err.strerror or err}. Set another export "
                f"folder by exporting there once (ctrl+l).",
                severity="error",
                timeout=10,
                markup=False,
            )
            return None
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", markup=False)
        return None
