"""Every app action: its key (KEYS, the app's bindings) and its command-palette command (COMMANDS)."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.presets import PRESETS

# Function keys and ctrl combinations TextArea and Input do not use (TextArea takes f6/f7), so no key is
# stolen while typing; "?" and space are plain bindings, which a focused editor or field consumes first.
KEYS = [
    Binding("f5", "evaluate", "Eval", id="evaluate", tooltip="Evaluate the expression in the editor"),
    Binding(
        "f2",
        "backward",
        "Backward",
        id="backward",
        tooltip="Backward pass from the output (gradients add up, as in micrograd)",
    ),
    Binding("f3", "zero_grad", "Zero", id="zero-grad", tooltip="Zero every gradient in the expression graph"),
    Binding("f8", "step", "Step", id="step", tooltip="One training step"),
    Binding("f9", "train", "Train", id="train", tooltip="Train / pause (space too, outside text fields)"),
    Binding(
        "f9",
        "pause",
        "Pause",
        id="pause",  # the same key: check_action shows one of the two
        tooltip="Train / pause (space too, outside text fields)",
    ),
    Binding("space", "train_pause", "Train/Pause", id="train-pause-space", show=False),
    # Esc cancels a long evaluation (only while one runs: check_action lets Esc through otherwise).
    Binding(
        "escape",
        "cancel_evaluation",
        "Cancel",
        id="cancel-evaluation",
        show=False,
        priority=True,
        tooltip="While a long program evaluates (F5): cancel it; the editor's text and the last graph stay",
    ),
    # Esc cancels opening a session, or stops a long replay move (only while a worker does one of them).
    Binding(
        "escape",
        "cancel_replay",
        "Cancel",
        id="cancel-replay",
        show=False,
        priority=True,
        tooltip="While a session opens (ctrl+o): cancel it, the app stays as it was; while the replay moves: stop",
    ),
    Binding("ctrl+r", "reset", "Reset", id="reset", tooltip="Reset the model to its starting weights"),
    # Shown in the pane subtitles rather than the footer, which has room for ~11 keys at 100 columns.
    Binding(
        "ctrl+g",
        "toggle_graph",
        "Graph",
        id="toggle-graph",
        show=False,
        tooltip="Graph pane: expression / training loss / traced sample",
    ),
    Binding(
        "f4",
        "toggle_boundary",
        "Boundary",
        id="toggle-boundary",
        show=False,
        tooltip="Chart pane: loss / decision boundary",
    ),
    Binding(
        "ctrl+down",
        "focus_pane(1)",
        "Next pane",
        id="next-pane",
        show=False,
        tooltip="Focus the next pane (tab: the next field)",
    ),
    Binding(
        "ctrl+up",
        "focus_pane(-1)",
        "Previous pane",
        id="previous-pane",
        show=False,
        tooltip="Focus the previous pane (shift+tab: the previous field)",
    ),
    # ctrl+e would be TextArea's end-of-line: export is ctrl+l. + and - act only in the sample view.
    Binding(
        "ctrl+f",
        "toggle_network",
        "Network",
        id="toggle-network",
        show=False,
        tooltip="The network view: neurons as maps, weights, optimizer state; ctrl+f again gives it less room",
    ),
    Binding(
        "ctrl+t",
        "trace",
        "Trace",
        id="trace",
        show=False,
        tooltip="Trace one sample: its forward graph and loss through the current model",
    ),
    Binding(
        "plus,equals_sign",
        "trace_step(1)",
        "Next sample",
        id="trace-next",
        show=False,
        tooltip="Sample view: trace the next sample (- the previous)",
    ),
    Binding("minus", "trace_step(-1)", "Previous sample", id="trace-previous", show=False),
    Binding(
        "ctrl+l",
        "export",
        "Export",
        id="export",
        show=False,
        tooltip="Export the graph (DOT, SVG, Mermaid) or the model (JSON, PyTorch script)",
    ),
    # The stepper (tui/screens/stepping.py): ctrl+b on/off; while on, its bar under the tree has focus and takes
    # the arrows, Home/End, f, o and Escape; F10 / shift+F10 step from anywhere (TextArea uses neither).
    Binding(
        "ctrl+b",
        "stepper_toggle",
        "Stepper",
        id="stepper",
        show=False,
        tooltip="Backprop stepper on/off: →/← step, End/Home, f forward/backward, o '=' pitfall, Esc",
    ),
    Binding(
        "f10",
        "stepper_move('next')",
        "Next step",
        id="stepper-next",
        show=False,
        tooltip="Stepper: next step (shift+F10 the previous one)",
    ),
    Binding("shift+f10", "stepper_move('previous')", "Previous step", id="stepper-previous", show=False),
    Binding(
        "f11",
        "maximize_pane",
        "Maximize",
        id="maximize",
        show=False,
        tooltip="Maximize the focused pane / restore the four panes",
    ),
    Binding(
        "ctrl+n",
        "gradient_check",
        "Grad check",
        id="gradient-check",
        show=False,
        tooltip="Gradient check: backprop vs finite differences for every leaf",
    ),
    Binding("ctrl+s", "save_session", "Save", id="save", tooltip="Save the session"),
    Binding("ctrl+o", "open_session", "Open", id="open", tooltip="Open a session"),
    Binding("f1", "help", "Help", id="help", tooltip="This help (? too, outside text fields)"),
    Binding("question_mark", "help", "Help", id="help-question", show=False),
    Binding(
        "ctrl+p",
        "command_palette",
        "Commands",
        id="palette",
        show=False,
        tooltip="Command palette: every action by name",
    ),
    Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit"),
]

# (name shown in the palette, app action, help line)
COMMANDS = (
    ("Evaluate expression", "evaluate", "Run the editor's text and show its graph"),
    ("Backward", "backward", "Backpropagate from the output node (gradients accumulate)"),
    ("Zero gradients", "zero_grad", "Set every grad in the expression graph to 0"),
    ("Training step", "step", "One optimizer step on the training data"),
    ("Train / pause", "train_pause", "Start training for the configured steps, or pause"),
    ("Reset model", "reset", "Fresh weights from the model seed; clears the chart"),
    (
        "Toggle graph: expression / training loss / sample",
        "toggle_graph",
        "Cycle the tree: expression, training loss, traced sample",
    ),
    ("Trace one sample", "trace", "Pick a data point: its forward graph and loss, with grads"),
    ("Trace next sample", "trace_step(1)", "Sample view: the next data point"),
    ("Trace previous sample", "trace_step(-1)", "Sample view: the previous data point"),
    ("Export graph or model", "export", "DOT, SVG or Mermaid of the graph; JSON weights or a PyTorch script"),
    ("Toggle decision boundary", "toggle_boundary", "Switch the chart pane to the decision boundary"),
    (
        "Network view",
        "toggle_network",
        "Every neuron as a map over the input plane, the weights, and the selected neuron's grads and optimizer state",
    ),
    ("Next pane", "focus_pane(1)", "Move focus to the next pane"),
    ("Maximize / restore pane", "maximize_pane", "The focused pane fills the screen (F11 again restores)"),
    ("Graph: tree / picture", "graph_view", "Switch the graph pane between the tree and the picture (v there)"),
    ("Previous pane", "focus_pane(-1)", "Move focus to the previous pane"),
    ("Backprop stepper on/off", "stepper_toggle", "Step the backward pass node by node, with the numbers"),
    ("Stepper: forward / backward pass", "stepper_switch", "Step the forward pass (data filling in) or backward"),
    ("Stepper: run to end", "stepper_move('end')", "Apply every remaining step"),
    ("Stepper: restart", "stepper_move('restart')", "Back to step 0"),
    ("Gradient check", "gradient_check", "Backprop grad vs finite difference for every leaf"),
    (
        "Pitfall: = instead of += (stepper)",
        "stepper_overwrite",
        "Backward overwrites grads: a node used twice loses a contribution",
    ),
    (
        "Pitfall: forget zero_grad (training)",
        "forget_zero_grad",
        "Train without zeroing grads: they accumulate and the loss suffers",
    ),
    *((f"Preset: {name}", f"preset({name!r})", preset["title"]) for name, preset in PRESETS.items()),
    ("Training form: apply the offered fix", "apply_form_fix", "What ctrl+y does in the training form"),
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
