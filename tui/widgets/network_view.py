"""The network view: every neuron as a little map over the input plane, the weights between layers, and the
selected neuron's numbers under them (a terminal TensorFlow Playground).

The picture is computed UI-free (tui/network_picture.py) from a parameter snapshot; this widget turns its cells
into half-block segments, and keys and clicks into messages the app turns into workbench actions.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.network_picture import PALETTE, Picture
from tui.plain import shown

_STYLES: dict[tuple[int, int], Style] = {}


def _style(fg: int, bg: int) -> Style:
    key = (fg, bg)
    if key not in _STYLES:
        _STYLES[key] = Style(color=PALETTE[fg] if fg >= 0 else None, bgcolor=PALETTE[bg] if bg >= 0 else None)
    return _STYLES[key]


class NetworkDiagram(Widget, can_focus=True):
    """The picture: a header row of layer names, then the tiles. Arrow keys and clicks select neurons."""

    BINDINGS = [
        Binding("up", "move(0, -1, 0)", "Neuron up", show=False),
        Binding("down", "move(0, 1, 0)", "Neuron down", show=False),
        Binding("left", "move(-1, 0, 0)", "Layer left", show=False),
        Binding("right", "move(1, 0, 0)", "Layer right", show=False),
        Binding("left_square_bracket", "move(0, 0, -1)", "Previous weight", show=False),
        Binding("right_square_bracket", "move(0, 0, 1)", "Next weight", show=False),
        Binding("enter,e", "edit", "Edit weight", show=False),
        Binding("g", "graph", "Neuron graph", show=False),
    ]

    class Move(Message):
        def __init__(self, layers: int, neurons: int, parameters: int) -> None:
            super().__init__()
            self.layers, self.neurons, self.parameters = layers, neurons, parameters

    class Clicked(Message):
        def __init__(self, layer: int, neuron: int) -> None:
            super().__init__()
            self.layer, self.neuron = layer, neuron

    class Edit(Message):
        pass

    class Resized(Message):
        """The picture must be laid out again for the new size."""

    class OpenGraph(Message):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.picture: Picture | None = None
        self.cells_layout = None
        self.message = "Train or step to see the network (ctrl+f: the network view)."

    def show(self, picture: Picture, layout) -> None:
        self.picture, self.cells_layout, self.message = picture, layout, ""
        self.refresh()

    def show_message(self, message: str) -> None:
        self.picture, self.cells_layout, self.message = None, None, shown(message)  # it may name an imported file
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        picture = self.picture
        if picture is None:
            return Strip([Segment((self.message if y == 0 else "")[:width].ljust(width))])
        if y == 0:
            return Strip([Segment(picture.header[:width].ljust(width), Style(dim=True, bold=True))])
        row = y - 1
        if row >= len(picture.chars):
            return Strip.blank(width)
        chars, fg, bg = picture.chars[row], picture.fg[row].tolist(), picture.bg[row].tolist()
        segments, start = [], 0
        n = min(len(chars), width)
        for x in range(1, n + 1):  # one segment per run of equal colours
            if x == n or fg[x] != fg[start] or bg[x] != bg[start]:
                segments.append(Segment("".join(chars[start:x]), _style(fg[start], bg[start])))
                start = x
        if n < width:
            segments.append(Segment(" " * (width - n)))
        return Strip(segments)

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())

    def on_click(self, event: events.Click) -> None:
        if self.cells_layout is not None:
            hit = self.cells_layout.neuron_at(event.x, event.y - 1)
            if hit is not None and hit[0] >= 0:
                self.post_message(self.Clicked(*hit))
                self.focus()

    def action_move(self, layers: int, neurons: int, parameters: int) -> None:
        self.post_message(self.Move(layers, neurons, parameters))

    def action_edit(self) -> None:
        self.post_message(self.Edit())

    def action_graph(self) -> None:
        self.post_message(self.OpenGraph())


class WeightInput(Input):
    """Where a new weight is typed; Escape gives the focus back to the picture without a change."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def action_cancel(self) -> None:
        self.display = False
        self.parent.query_one(NetworkDiagram).focus()


class NetworkView(Vertical):
    """The diagram, the selected neuron's inspector, and the input for a typed weight."""

    class WeightTyped(Message):
        """Enter in the weight field: `text` is what was typed (the app parses it)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    DEFAULT_CSS = """
    NetworkView { height: 1fr; }
    NetworkView NetworkDiagram { height: 1fr; }
    NetworkView #neuron-inspector { height: 7; border-top: solid $primary-darken-2; }
    NetworkView.-tall #neuron-inspector { height: 12; }
    NetworkView WeightInput { display: none; height: 1; border: none; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield NetworkDiagram(id="network-diagram")
        yield Static("", id="neuron-inspector", markup=False)
        yield WeightInput(placeholder="new value, Enter sets it, Escape cancels", id="weight-input")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height >= 36, "-tall")  # room for more of the selected neuron's parameters

    @property
    def inspector_room(self) -> int:
        """How many parameter lines the inspector shows (its height less the border, title and header)."""
        return 9 if self.has_class("-tall") else 4

    @property
    def diagram(self) -> NetworkDiagram:
        return self.query_one(NetworkDiagram)

    def show_inspector(self, text: Text) -> None:
        self.query_one("#neuron-inspector", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.WeightTyped(event.value))

    def start_edit(self, prompt: str, value: str) -> None:
        field = self.query_one(WeightInput)
        field.placeholder = prompt
        field.value = value
        field.display = True
        field.focus()

    def end_edit(self) -> None:
        self.query_one(WeightInput).display = False
        self.diagram.focus()


def inspector_text(title: str, activity: str, columns: list[str], rows: list, selected: int, room: int) -> Text:
    """The selected neuron: a title line, then one line per parameter (a window of `room` lines around the
    selected one), each with its value, grad, optimizer state and last update."""
    text = Text()
    text.append(title, style="bold")
    dead = activity.startswith("dead")
    text.append(f"  {activity}\n", style="bold red" if dead else "dim")
    text.append(" name" + "".join(f"{c:>11}" for c in columns) + "\n", style="dim")
    room = max(room, 1)
    first = max(0, min(selected - room // 2, len(rows) - room))
    for k, (name, numbers) in enumerate(rows[first : first + room], start=first):
        mark = "▸" if k == selected else " "
        line = f"{mark}{name:>4}" + "".join(f"{'—' if x is None else f'{x:+.4g}':>11}" for x in numbers)
        text.append(
            line + ("\n" if k < first + room - 1 and k < len(rows) - 1 else ""),
            style="reverse" if k == selected else "",
        )
    return text
