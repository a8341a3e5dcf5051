"""Understanding backprop (issue 7): the stepper, the gradient-check view and the pitfall toggles.

- ctrl+b turns the backprop stepper on/off for the expression graph. While on, the stepper bar under the tree
  has focus: → / ← step, End runs to the end, Home restarts, f switches forward/backward pass, o toggles the
  "= instead of +=" pitfall, Escape leaves. F10 / shift+F10 step from anywhere. The stepper never writes into
  the Values: leaving it applies nothing (F2 runs the real backward pass).
- ctrl+n opens the gradient check: every leaf's backprop grad against a finite difference. While the backward
  stepper is on it checks the stepper's grads (pending = 0), so the "=" pitfall shows up as MISMATCH.
- "Pitfall: forget zero_grad" (palette) trains from the next step on without zeroing the grads.

Each move is a workbench action (logged, replayed). The host provides `self.workbench`, `self.graph_mode`,
`self.show_graph()` and `self._busy()`, which MicrogradApp has.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.stepping import check_table

CHECK_INTRO = (
    "Each leaf's gradient from backprop next to a central finite difference "
    "(f(x+h) - f(x-h)) / 2h, h = 1e-6. A row is ok when they agree to 1e-5 (relative)."
)


class GradCheckScreen(ModalScreen[None]):
    """The gradient-check table for the current expression graph."""

    DEFAULT_CSS = """
    GradCheckScreen { align: center middle; }
    GradCheckScreen > VerticalScroll { width: 90; max-height: 90%; height: auto; border: round $accent;
                                       background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,ctrl+n,q", "dismiss", "Close")]

    def __init__(self, source: str, rows: list) -> None:
        super().__init__()
        self.source, self.rows = source, rows

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Gradient check", style="bold")
        text.append(f"  ({self.source})\n", style="dim")
        text.append(CHECK_INTRO + "\n\n", style="dim")
        lines = check_table(self.rows)
        text.append(lines[0] + "\n", style="bold")
        for line, row in zip(lines[1:], self.rows):
            text.append(line + "\n", style="" if row.ok else "bold red")
        bad = sum(not row.ok for row in self.rows)
        text.append(f"\n{len(self.rows)} leaves, {bad} flagged. " if self.rows else "\nNo leaves. ", style="bold")
        if bad:
            text.append(
                "A mismatch means the stored grads are not d(output)/d(leaf): backward run twice without "
                "zero_grad (F3 then F2), a stepper not at its end, or the '=' pitfall."
            )
        text.append("\nEscape closes.", style="dim")
        with VerticalScroll():
            yield Static(text, id="grad-check-text")


class StepperCommands:
    """Mix into the App class (before `App`): the stepper, gradient-check and pitfall actions."""

    def _stepper_graph(self) -> str:
        """The graph the stepper walks: the one on screen (the traced sample's, or else the expression's)."""
        state = self.workbench.stepping
        if state is not None:
            return state.graph
        return self.graph_mode if self.graph_mode in ("sample", "neuron") else "expression"

    def _stepper_apply(self, action, *args) -> bool:
        """Run a workbench stepper action; redraw; False (with a notification) when it was refused."""
        if self._busy():
            return False
        try:
            action(*args)
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return False
        from tui.widgets.graph_pane import GraphPane

        state = self.workbench.stepping
        if state is not None and (
            self.graph_mode != state.graph or self.query_one(GraphPane).tree.graph_root is not state.stepper.root
        ):
            self.graph_mode = state.graph
            self.show_graph()  # the stepper's own graph (a sample graph is a copy made when it started)
        else:
            self.show_stepper()
        return True

    def stepper_root(self, graph: str):
        """The graph the stepper walks, when it walks `graph` (the app shows that one, not a rebuilt copy)."""
        state = self.workbench.stepping
        return state.stepper.root if state is not None and state.graph == graph else None

    def show_stepper(self) -> None:
        """Draw the workbench's stepper state (or its absence) in the graph pane."""
        from tui.widgets.graph_pane import GraphPane

        state = self.workbench.stepping
        self.query_one(GraphPane).set_stepping(state if state is not None and state.graph == self.graph_mode else None)

    def action_stepper_toggle(self) -> None:
        on = self.workbench.stepping is None
        args = ("backward", 0, False, self._stepper_graph()) if on else ("off",)
        if self._stepper_apply(self.workbench.step_through, *args):
            (self.query_one("#stepper-bar") if on else self.query_one("#graph-tree")).focus()
            if on:
                self.notify(
                    "Backprop stepper: → next step, ← back, End runs to the end, Home restarts, f forward "
                    "pass, o the '=' pitfall, Esc leaves. It never changes the Values (F2 does).",
                    timeout=8,
                )

    def action_stepper_move(self, move: str) -> None:
        if self.workbench.stepping is None:
            self.notify("The stepper is off: ctrl+b turns it on.", severity="warning")
            return
        self._stepper_apply(self.workbench.stepper_move, move)

    def action_stepper_switch(self) -> None:
        """Forward pass <-> backward pass, each from its start."""
        state = self.workbench.stepping
        mode = "forward" if state is None or state.mode == "backward" else "backward"
        if self._stepper_apply(self.workbench.step_through, mode, 0, False, self._stepper_graph()):
            self.query_one("#stepper-bar").focus()

    def action_stepper_overwrite(self) -> None:
        """The '= instead of +=' pitfall on the backward stepper (same position)."""
        state = self.workbench.stepping
        position, overwrite = (
            (0, True) if state is None or state.mode != "backward" else (state.position, not state.overwrite)
        )
        if self._stepper_apply(self.workbench.step_through, "backward", position, overwrite, self._stepper_graph()):
            self.query_one("#stepper-bar").focus()
            if overwrite:
                self.notify(
                    "Pitfall on: backward writes child.grad = local × grad instead of +=. A node used "
                    "twice keeps only its last contribution; run to the end (End), then ctrl+n."
                )

    def action_gradient_check(self) -> None:
        wb = self.workbench
        try:
            rows = wb.gradient_check()
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return
        state = wb.stepping
        where = "the traced sample's graph" if state is not None and state.graph == "sample" else "the expression"
        if state is not None and state.mode == "backward":
            source = f"{where}: the stepper's grads at {state.title()}; pending grads count as 0"
        else:
            source = f"{where}: the grads stored in the Values"
        self.push_screen(GradCheckScreen(source, rows))

    def action_forget_zero_grad(self) -> None:
        if self._busy():
            return
        on = not self.workbench.forgetting_zero_grad
        self.workbench.forget_zero_grad(on)
        if on:
            self.notify(
                "Pitfall on: training no longer zeroes the grads, so each step adds its gradient to all "
                "the earlier ones. Train (F9) and watch the loss chart.",
                timeout=8,
            )
        else:
            self.notify("zero_grad is back: each training step starts from zero grads again.")
        self._update_status()
