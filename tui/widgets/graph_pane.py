"""The graph pane: the graph as a tree (lazily filled) or as a picture (like draw_dot), and under it the
stepper bar and the inspector for the node at the cursor. `v` switches tree / picture.

Other views open a node here through `focus_node(value)` (e.g. "show this neuron's scalar graph"): it
reveals the node in whichever view is shown, moves the cursor onto it and updates the inspector.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, Tree

from micrograd.engine import Value
from micrograd.graph_layout import NUMBER_WIDTH
from tui.plain import shown_names
from tui.widgets.graph_picture import GraphPicture
from tui.widgets.graph_tree import NUMBERS_WIDTH, GraphTree
from tui.widgets.inspector import CHECK_LIMIT, NodeInspector
from tui.widgets.stepper_bar import StepperBar

VIEWS = ("tree", "picture")
PICTURE_NAME = 60  # characters of a name in a picture's box (a 1,000-character label would make it 1,000 wide)


class GraphPane(Vertical):
    BINDINGS = [
        Binding(
            "v",
            "toggle_view",
            "Tree/picture",
            id="graph-view",
            show=False,
            tooltip="Graph pane: switch between the tree and the picture (like draw_dot)",
        )
    ]

    stale = False  # the graph shown is the last good one: the latest evaluation failed
    view = "tree"

    def compose(self) -> ComposeResult:
        yield Static(id="graph-header", markup=False)
        yield GraphTree(id="graph-tree")
        yield GraphPicture(id="graph-picture")
        yield StepperBar(id="stepper-bar")
        yield NodeInspector(id="inspector")

    def on_mount(self) -> None:
        self.query_one(GraphPicture).display = False

    @property
    def tree(self) -> GraphTree:
        return self.query_one(GraphTree)

    @property
    def picture(self) -> GraphPicture:
        return self.query_one(GraphPicture)

    @property
    def names(self) -> dict:
        return self.tree.names

    def selected_value(self) -> Value | None:
        return self.picture.selected_value() if self.view == "picture" else self.tree.selected_value()

    # ---- what is shown ----------------------------------------------------------------------------------

    def show(
        self, root: Value | None, title: str, *, keep_changes: bool = False, groups=None, empty: str | None = None
    ) -> None:
        """Show `root`'s graph; `groups` (micrograd.network_groups) groups a network's graph by sample, layer
        and neuron in the tree. Without a root, `empty` says why (else: evaluate an expression)."""
        self.set_stepping(None)  # a stepper belongs to one graph; the host puts it back (show_stepper) if it applies
        self.tree.show_graph(root, keep_changes=keep_changes, groups=groups, empty=empty)
        self.picture.empty = empty
        if self.view == "picture":
            self.picture.show_graph(root, shown_names(self.tree.names, PICTURE_NAME))
        self._title = title.format(nodes=self.tree.size_of_graph)
        self.mark_stale(False)
        self._subtitle()
        self.inspect()
        self.call_after_refresh(self._update_header)

    def set_view(self, view: str) -> None:
        """ "tree" or "picture"; the cursor stays on the same node."""
        if view not in VIEWS or view == self.view:
            return
        had_focus = self.tree.has_focus or self.picture.has_focus
        current = self.selected_value()
        self.view = view
        tree, picture = self.tree, self.picture
        tree.display = view == "tree"
        picture.display = view == "picture"
        self.query_one("#graph-header").display = view == "tree"
        if view == "picture":
            picture.stepping = tree.stepping
            picture.show_graph(tree.graph_root, shown_names(tree.names, PICTURE_NAME))
            if current is not None and picture.picture is not None and picture.picture.box(current) is not None:
                self.call_after_refresh(picture.focus_node, current)
        elif current is not None:
            tree.reveal(current)
        if had_focus:
            (picture if view == "picture" else tree).focus()
        self._subtitle()
        self.call_after_refresh(self.inspect)

    def action_toggle_view(self) -> None:
        self.set_view("picture" if self.view == "tree" else "tree")

    def focus_node(self, value: Value) -> bool:
        """Open `value` in the view shown: cursor on it, scrolled to it, inspector on it. False if it is not in
        the graph shown. (The API other views use, e.g. a network view opening a neuron's scalar graph.)"""
        if self.tree.graph_root is None or value not in self.tree.names:
            return False
        if self.view == "picture" and self.picture.picture is not None:
            self.picture.focus_node(value)
        else:
            self.tree.reveal(value)
        self.call_after_refresh(self.inspect)
        return True

    def _subtitle(self) -> None:
        other = "picture" if self.view == "tree" else "tree"
        self.border_subtitle = f"v {other} · ctrl+g · ctrl+b stepper"  # fits the pane at 80 columns

    def mark_stale(self, stale: bool) -> None:
        """After a failed evaluation the old graph stays, marked as the last good one (until one succeeds)."""
        self.stale = stale
        self.set_class(stale, "-stale")
        title = getattr(self, "_title", "Graph")
        self.border_title = f"{title} · last good, not the editor's text" if stale else title

    def _update_header(self) -> None:
        """Column titles over the tree's fixed number columns."""
        width = self.tree.scrollable_content_region.width
        header = Text()
        header.append("name  op".ljust(max(0, width - NUMBERS_WIDTH)), style="dim")
        header.append(" " + "data".rjust(NUMBER_WIDTH) + " " + "grad".rjust(NUMBER_WIDTH), style="dim bold")
        self.query_one("#graph-header", Static).update(header)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_header)

    def reveal(self, value: Value | None) -> None:
        if value is not None:
            self.focus_node(value)

    def refresh_values(self) -> None:
        self.tree.refresh_values()
        self.picture.refresh_values()
        self.inspect()

    def set_stepping(self, state) -> None:
        """Show the workbench's stepper (a tui/stepping.py StepperState), or None to leave it."""
        tree, bar = self.tree, self.query_one(StepperBar)
        was_on, tree.stepping = tree.stepping is not None, state
        self.picture.stepping = state
        self.set_class(state is not None, "-stepping")
        bar.display = state is not None
        if state is not None:
            bar.show_state(state)
            current = state.stepper.current
            if current is not None:
                if self.view == "picture":
                    self.picture.focus_node(current.node)
                tree.reveal(current.node, open_it=True)  # opens the branches down to it, cursor on it
        if state is not None or was_on:
            self.refresh_values()

    def freeze(self, frozen: bool) -> None:
        """While training, the model's Values belong to the worker thread: show nothing read from them."""
        self.tree.frozen = frozen
        if frozen:
            self.query_one(NodeInspector).update("Training… the loss graph's numbers show again on pause (F9).")

    def inspect(self, *, force_check: bool = False) -> None:
        tree = self.tree
        self.call_after_refresh(self._update_header)  # the tree's scrollbar may have come or gone
        if tree.frozen:
            return
        value = self.selected_value()
        if tree.stepping is not None:
            self.query_one(NodeInspector).show_step(tree.stepping, value, tree.shown_names)
            return
        check = force_check or tree.size_of_graph <= CHECK_LIMIT  # big graphs check on Enter only
        self.query_one(NodeInspector).show_node(value, tree.graph_root, tree.shown_names, check=check)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        if self.view == "tree":
            self.inspect()

    def on_graph_picture_moved(self, event: GraphPicture.Moved) -> None:
        if self.view == "picture":
            self.inspect()
