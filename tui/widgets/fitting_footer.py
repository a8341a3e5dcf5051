"""The footer, fitted to the terminal: below 100 columns the least-used keys leave it (F1 help and the
command palette still list them), so every key that stays is readable instead of the row being cut.

Starting or pausing training changes only labels (F9 Train <-> Pause, the same width) and which keys are dimmed;
those are updated in place. Textual's Footer recomposes on every change, which lays the whole screen out again
(~0.1 s of the UI thread at each start and end of a run, and two runs in quick succession overlapped).
"""

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
        # (Footer.compose also sets grid_size_columns, unused by its horizontal layout; a second, different value
        # set here made every relabel lay the whole screen out again.)
        for widget in super().compose():
            if narrow and isinstance(widget, FooterKey) and widget.action in SPARE_ACTIONS:
                continue
            yield widget

    def bindings_changed(self, screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and self._relabel():
            return
        super().bindings_changed(screen)

    def _relabel(self) -> bool:
        """Update the keys shown in place when the same keys, at the same widths, would be composed; False if
        anything else changed (then the footer is composed again)."""
        wanted = list(self.compose())
        shown = list(self.children)
        pairs = [
            (new, old) for new, old in zip(wanted, shown) if isinstance(new, FooterKey) and isinstance(old, FooterKey)
        ]
        if len(pairs) != len(wanted) or len(wanted) != len(shown):
            return False
        if any(
            (n.key, n.key_display, len(n.description)) != (o.key, o.key_display, len(o.description)) for n, o in pairs
        ):
            return False
        for new, old in pairs:
            state = (new.description, new.action, new._disabled, new.tooltip)
            if (old.description, old.action, old._disabled, old.tooltip) != state:
                old.description, old.action, old._disabled, old.tooltip = state
                old.set_class(new._disabled, "-disabled")
                old.refresh()
        return True

    def on_resize(self) -> None:
        if self._narrow is not None and self._narrow != (self.app.size.width < FULL_WIDTH):
            self.call_later(self.recompose)
