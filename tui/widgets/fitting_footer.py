"""The footer, fitted to the terminal: below 100 columns the least-used keys leave it (F1 help and the
command palette still list them), so every key that stays is readable instead of the row being cut."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FULL_WIDTH = 100  # columns from which every footer key fits
# Actions that leave the footer below FULL_WIDTH, in the order they go; each is still on its key and in F1/ctrl+p.
SPARE_ACTIONS = ("reset", "save_session", "open_session")


class FittingFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._narrow: bool | None = None

    def compose(self):
        narrow = self.app.size.width < FULL_WIDTH
        if self._bindings_ready:  # the keys are drawn now: a later resize across FULL_WIDTH redraws them
            self._narrow = narrow
        kept = 0
        for widget in super().compose():
            if narrow and isinstance(widget, FooterKey) and widget.action in SPARE_ACTIONS:
                continue
            kept += 1
            yield widget
        if self._bindings_ready:
            self.styles.grid_size_columns = kept

    def on_resize(self) -> None:
        if self._narrow is not None and self._narrow != (self.app.size.width < FULL_WIDTH):
            self.call_later(self.recompose)
