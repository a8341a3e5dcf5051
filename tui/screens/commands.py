"""Every app action as a command-palette command (ctrl+p), in one table."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name shown in the palette, app action, help line)
COMMANDS = (
    ("Evaluate expression", "evaluate", "Run the editor's text and show its graph"),
    ("Backward", "backward", "Backpropagate from the output node (gradients accumulate)"),
    ("Zero gradients", "zero_grad", "Set every grad in the expression graph to 0"),
    ("Training step", "step", "One optimizer step on the training data"),
    ("Train / pause", "train_pause", "Start training for the configured steps, or pause"),
    ("Reset model", "reset", "Fresh weights from the model seed; clears the chart"),
    ("Toggle graph: expression / training loss", "toggle_graph", "Show the training loss graph in the tree"),
    ("Toggle decision boundary", "toggle_boundary", "Switch the chart pane to the decision boundary"),
    ("Next pane", "focus_pane(1)", "Move focus to the next pane"),
    ("Previous pane", "focus_pane(-1)", "Move focus to the previous pane"),
    ("Save session", "save_session", "Save the session to a file"),
    ("Open session", "open_session", "Open a saved session"),
    ("Help", "help", "Show every key"),
    ("Quit", "quit", "Leave micrograd-tui"),
)


class MicrogradCommands(Provider):
    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), help=help_text)
