"""The stepper bar: one line under the graph tree while the backprop (or forward) stepper is on.

It has focus while stepping, so the arrows step instead of scrolling the tree; every key calls an app action
(tui/screens/stepping.py), which moves the workbench's stepper and redraws.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static


class StepperBar(Static, can_focus=True):
    BINDINGS = [
        Binding("right", "app.stepper_move('next')", "Next step", show=False),
        Binding("left", "app.stepper_move('previous')", "Previous step", show=False),
        Binding("end", "app.stepper_move('end')", "Run to end", show=False),
        Binding("home", "app.stepper_move('restart')", "Restart", show=False),
        Binding("f", "app.stepper_switch", "Forward/backward", show=False),
        Binding("o", "app.stepper_overwrite", "= instead of +=", show=False),
        Binding("escape", "app.stepper_toggle", "Leave the stepper", show=False),
    ]

    _state = None

    def show_state(self, state) -> None:
        """`state` is the workbench's StepperState (tui/stepping.py)."""
        self._state = state
        text = Text()
        text.append(f" {state.mode} {state.position}/{state.total} ", style="bold reverse")
        if state.overwrite and state.mode == "backward":
            text.append(" = not += ", style="bold red")
        keys = "  ←→ Home End  f fwd/bwd  o =/+=  Esc off"
        if text.cell_len + len(keys) > self.size.width > 0:  # a narrow pane: the keys alone (F1 explains f, o)
            keys = " ←→ Home End f o Esc"
        text.append(keys, style="dim")
        self.update(text)

    def on_resize(self) -> None:
        if self._state is not None:
            self.show_state(self._state)
