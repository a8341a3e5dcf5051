"""The network view's app side (issue 13): open it, select a neuron, edit a weight, open the neuron's graph.

- ctrl+f opens the network view and gives it the screen (the editor and graph pane make room; the training
  form stays when the terminal has 140 columns or more); ctrl+f again gives the panes back and leaves the view
  in the chart pane, where it fits at larger sizes. F4 turns the chart pane back to the loss chart.
- In the picture: arrows select a neuron, [ and ] a weight (or the bias), Enter (or e) edits it, g opens the
  neuron's graph for the traced sample in the graph pane. A click selects a neuron too.

Selections and edits are workbench actions (logged, replayed). While training, the picture is drawn from the
snapshots the training worker posts (`network_live` asks for them), never from the live Values.
"""

from __future__ import annotations

from tui import network_view_state as network
from tui.network_layout import layout
from tui.network_picture import picture
from tui.widgets.network_view import NetworkDiagram, NetworkView, inspector_text

WIDE = 140  # columns from which the enlarged view keeps the training form beside it
MARGIN = 0.5  # the decision boundary's margin around the data


class NetworkCommands:
    """Mix into the App class (before `App`). The host provides `workbench`, `graph_mode`, `show_graph()`,
    `_busy()`, `_run` and `_after_training()`, which MicrogradApp has."""

    network_live = False  # read by the training worker: post parameter snapshots for the view
    _network_snapshot: network.Snapshot | None = None

    # ---- opening and closing ------------------------------------------------------------------------------

    def network_showing(self) -> bool:
        return self.query_one("#chart-pane").current == "network"

    def action_toggle_network(self) -> None:
        main = self.query_one("#main")
        enlarge = not main.has_class("-network")
        self.open_network(enlarge=enlarge)
        if not enlarge:
            self.call_after_refresh(self.refresh_network)

    def open_network(self, *, enlarge: bool = True, focus: bool = True) -> None:
        """Show the view (enlarged: given the screen). `focus=False` (a session opening, a replay step) leaves
        the focus where it is unless the panes that made room hid it."""
        pane = self.query_one("#chart-pane")
        pane.show_view("network")
        main = self.query_one("#main")
        main.set_class(enlarge, "-network")
        main.set_class(enlarge and self.size.width < WIDE, "-network-only")
        self.network_live = True
        self.call_after_refresh(self._settle_network_focus, focus)  # after whatever focus mount gives
        self.call_after_refresh(self.refresh_network)

    def _settle_network_focus(self, focus: bool) -> None:
        focused = self.focused
        hidden = focused is None or not all(
            node.display for node in focused.ancestors_with_self if hasattr(node, "display")
        )
        if focus or hidden:
            self.query_one(NetworkDiagram).focus()

    def close_network(self) -> None:
        """The chart pane shows another view now (F4): give the panes back."""
        main = self.query_one("#main")
        main.remove_class("-network", "-network-only")
        self.network_live = False

    def on_resize(self, event) -> None:
        main = self.query_one("#main")
        main.set_class(main.has_class("-network") and event.size.width < WIDE, "-network-only")

    def on_network_diagram_resized(self, message: NetworkDiagram.Resized) -> None:
        self.refresh_network(self._network_snapshot if self._run is not None else None)

    # ---- drawing --------------------------------------------------------------------------------------

    def refresh_network(self, snapshot: network.Snapshot | None = None) -> None:
        """Redraw from `snapshot` (posted by the worker) or, when idle, from the trainer's numbers."""
        if not self.network_showing():
            return
        wb = self.workbench
        if snapshot is None:
            if self._run is not None:
                snapshot = self._network_snapshot
                if snapshot is None:
                    return  # the first snapshot from the worker is on its way
            else:
                snapshot = wb.network_snapshot()
        self._network_snapshot = snapshot
        view = self.query_one(NetworkView)
        diagram = view.diagram
        arch = network.architecture(wb.model)
        featurize = getattr(wb, "featurize", None)  # input features (issue 14): plane points -> model inputs
        if wb.inputs != 2 or (arch.inputs != 2 and featurize is None):
            diagram.show_message(
                f"the network view draws neurons over the plane of 2 input features; "
                f"{wb.config.data['name']} has {wb.inputs}"
            )
            return
        width, height = diagram.size.width, diagram.size.height - 1
        found = layout([arch.inputs, *arch.widths], width, height) if height > 0 else None
        selection = (wb.network or network.Selection()).clamped(arch)
        if found is None:
            diagram.show_message("Too small here: ctrl+f enlarges the view.")
        else:
            (xmin, ymin), (xmax, ymax) = wb.X.min(axis=0) - MARGIN, wb.X.max(axis=0) + MARGIN
            diagram.show(
                picture(
                    arch,
                    snapshot.params,
                    found,
                    (xmin, xmax, ymin, ymax),
                    selected=(selection.layer, selection.neuron),
                    input_names=getattr(wb, "feature_names", None),
                    featurize=featurize,
                    points=(wb.X, wb.y),
                ),
                found,
            )
        columns, rows = network.inspector_table(arch, snapshot, selection)
        features = wb.X if arch.inputs == wb.inputs else featurize(wb.X)
        title = f"{network.neuron_name(selection.layer, selection.neuron)} ({arch.activations[selection.layer]})"
        room = view.inspector_room
        view.show_inspector(
            inspector_text(
                title,
                network.activity_line(arch, snapshot, selection, features),
                columns,
                rows,
                selection.parameter,
                room,
            )
        )

    # ---- selecting, editing, the neuron's graph --------------------------------------------------------

    def _select(self, selection: network.Selection) -> None:
        self.workbench.select_neuron(selection.layer, selection.neuron, selection.parameter)
        self.refresh_network(self._network_snapshot if self._run is not None else None)

    def on_network_diagram_move(self, message: NetworkDiagram.Move) -> None:
        wb = self.workbench
        arch = network.architecture(wb.model)
        current = (wb.network or network.Selection()).clamped(arch)
        self._select(current.moved(arch, layers=message.layers, neurons=message.neurons, parameters=message.parameters))

    def on_network_diagram_clicked(self, message: NetworkDiagram.Clicked) -> None:
        self._select(network.Selection(message.layer, message.neuron))

    def on_network_diagram_edit(self, message: NetworkDiagram.Edit) -> None:
        if self._busy():
            return
        wb = self.workbench
        arch = network.architecture(wb.model)
        sel = (wb.network or network.Selection()).clamped(arch)
        name = network.parameter_name(arch, sel.layer, sel.parameter)
        value = wb.network_snapshot().params[arch.index(sel.layer, sel.neuron, sel.parameter)]
        self.query_one(NetworkView).start_edit(
            f"{network.neuron_name(sel.layer, sel.neuron)}.{name}: a new value, Enter sets it, Escape cancels",
            f"{value:.6g}",
        )

    def on_network_view_weight_typed(self, event: NetworkView.WeightTyped) -> None:
        view = self.query_one(NetworkView)
        wb = self.workbench
        if self._busy():
            view.end_edit()
            return
        arch = network.architecture(wb.model)
        sel = (wb.network or network.Selection()).clamped(arch)
        name = network.parameter_name(arch, sel.layer, sel.parameter)
        try:
            value = network.parse_value(event.text)
            entry = wb.set_parameter(sel.layer, sel.neuron, name, value)
        except ValueError as err:
            self.notify(str(err), severity="warning")  # the typed text stays in the field to fix
            return
        view.end_edit()
        self.notify(
            f"{network.neuron_name(sel.layer, sel.neuron)}.{name} = {value:g}: loss now "
            f"{entry['loss']:.6g}, accuracy {entry['accuracy']:.0%}"
        )
        self._after_training()  # the boundary, the maps, the graph and the status from the new numbers

    def on_network_diagram_open_graph(self, message: NetworkDiagram.OpenGraph) -> None:
        if self._busy():
            return
        if self.query_one("#main").has_class("-network"):
            self.query_one("#main").remove_class("-network", "-network-only")  # the graph pane needs the room
        self.graph_mode = "neuron"
        self.show_graph()
        self.call_after_refresh(self.refresh_network)

    def neuron_graph_title(self) -> str:
        wb = self.workbench
        sel = wb.network or network.Selection()
        i = wb.traced if wb.traced is not None else 0
        return f"Graph: {network.neuron_name(sel.layer, sel.neuron)} for sample {i} ({{nodes:,}} nodes)"

    def neuron_graph_root(self, parameters=None):
        sel = self.workbench.network or network.Selection()
        return self.workbench.neuron_graph(sel.layer, sel.neuron, parameters=parameters)
