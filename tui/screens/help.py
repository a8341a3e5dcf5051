"""The help screen (F1, or ? outside the editor): every key, generated from the app's bindings."""

from __future__ import annotations

from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

INTRO = """\
# micrograd-tui

Type micrograd code in the **expression** pane (Value, + - * / **, relu, tanh, exp, log, sigmoid,
`.backward()`) and evaluate it; the **graph** pane shows the output node with its operands below it (Enter or
space opens a branch; data and grad in the two right-hand columns; `×2` a node used twice, `↪ name` a repeat
of a node shown in full elsewhere), and the inspector explains the node under the cursor. Nodes are named from
the code: a variable, else the source text that made it (`10.0 / f`), a constant by its value. **v** in the
graph pane switches to the **picture** (like micrograd's draw_dot: a box `name │ data │ grad` per value,
`(op)─▶` before each result; ← an operand, → a user, ↑↓ the box above or below, Home the output). A network's
graph (training loss, traced sample) is grouped: sample → layer → neuron (`L2.n3`) → its `w·x+b`.
The **training** pane configures the data, model and optimizer (Enter applies a field); the **chart** shows loss and
accuracy per step, or the
decision boundary. **ctrl+t** traces one data point: the graph pane's *sample* view shows its forward graph
through the current model and its loss, with grads (+ and - move to the next and previous point). **ctrl+l**
exports the graph on show (DOT, SVG, Mermaid) or the trained model (JSON weights, a PyTorch script).
**ctrl+b** steps the backward pass node by node (→ ← End Home in the bar under the tree, F10 / shift+F10
anywhere; f the forward pass, o the "= instead of +=" pitfall, Escape leaves — the Values are never changed);
**ctrl+n** checks every leaf's grad against a finite difference; "Pitfall: forget zero_grad" (ctrl+p) trains
without zeroing the grads.

| key | action |
|---|---|
"""

OUTRO = """
**Replaying a session** (ctrl+o, or `micrograd-tui --replay FILE`): the timeline under the panes has the focus;
space plays and pauses, ←/→ step one action back or forward, Home/End jump to the start or the end, +/- double
or halve the speed, and Escape leaves replay to explore on from that point (a new branch of the session).
A long session opens in the background: the line above the footer names the action being replayed, keys still
answer, and Escape cancels the open (the app stays as it was). A long move on the timeline (End, ←, a long
recorded run) works the same way: the bar reads "working…", and Escape stops it where it got to.

Tab / shift+Tab move between fields and panes. The command palette (ctrl+p) lists every action by name.
Press Escape, F1 or ? to close this help.
"""


def _key_name(key: str) -> str:
    return {"question_mark": "?", "plus": "+", "equals_sign": "=", "minus": "-"}.get(
        key, key.upper() if key[:1] == "f" and key[1:].isdigit() else key
    )


SCREEN_NAME = "help"


def show(app) -> None:
    """F1: the help screen, built on the first press and kept (installed) for the next ones, so a key while
    training does not wait for it to be composed and laid out again."""
    if not app.is_screen_installed(SCREEN_NAME):
        app.install_screen(HelpScreen(app.BINDINGS), SCREEN_NAME)
    app.push_screen(SCREEN_NAME)


class HelpScreen(Screen[None]):
    """A whole screen, not a modal one: a modal screen draws the app dimmed behind it, which took most of the
    ~55 ms an F1 cost (now ~20 ms)."""

    BINDINGS = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close help", id="close-help"),
        Binding("space", "page_down", "Page down", id="help-page-down", show=False),  # as in a pager
    ]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self._key_bindings = bindings
        self.markdown = markdown_text(bindings)

    def action_page_down(self) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_page_down(animate=False)

    def compose(self) -> ComposeResult:
        # Rich's Markdown in one Static: Textual's Markdown widget (a widget per block and table cell) took
        # ~0.3-0.5 s to show the first time.
        with VerticalScroll(id="help-body"):
            yield Static(RichMarkdown(self.markdown), id="help-text")


def markdown_text(bindings: list[Binding]) -> str:
    """The help as Markdown: the introduction, a row per key (from the bindings' tooltips), the closing words."""
    rows = []
    for binding in bindings:
        if binding.tooltip:  # the help's long description; bindings without one are aliases
            keys = " / ".join(_key_name(k.strip()) for k in binding.key.split(","))
            row = f"| {keys} | {binding.tooltip} |"
            if row not in rows:  # F9 is two bindings (Train, Pause) with one meaning
                rows.append(row)
    return INTRO + "\n".join(rows) + "\n" + OUTRO
