"""The graph pane: the lazily filled graph tree and, under it, the inspector for the node at the cursor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tree

from micrograd.engine import Value
from tui.widgets.graph_tree import GraphTree
from tui.widgets.inspector import CHECK_LIMIT, NodeInspector
from tui.widgets.stepper_bar import StepperBar


class GraphPane(Vertical):
    def compose(self) -> ComposeResult:
        yield GraphTree(id="graph-tree")
        yield StepperBar(id="stepper-bar")
        yield NodeInspector(id="inspector")

    @property
    def tree(self) -> GraphTree:
        return self.query_one(GraphTree)

    def show(self, root: Value | None, title: str, *, keep_changes: bool = False) -> None:
        self.set_stepping(None)  # a stepper belongs to one graph; the host puts it back (show_stepper) if it applies
        self.tree.show_graph(root, keep_changes=keep_changes)
        self.border_title = title.format(nodes=self.tree.size_of_graph)
        self.border_subtitle = "ctrl+g switch · ctrl+b stepper"
        self.inspect()

    def reveal(self, value: Value | None) -> None:
        if value is not None:
            self.tree.reveal(value)
            self.call_after_refresh(self.inspect)

    def refresh_values(self) -> None:
        self.tree.refresh_values()
        self.inspect()

    def set_stepping(self, state) -> None:
        """Show the workbench's stepper (a tui/stepping.py StepperState), or None to leave it."""
        tree, bar = self.tree, self.query_one(StepperBar)
        was_on, tree.stepping = tree.stepping is not None, state
        self.set_class(state is not None, "-stepping")
        bar.display = state is not None
        if state is not None:
            bar.show_state(state)
            current = state.stepper.current
            if current is not None:
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
        if tree.frozen:
            return
        if tree.stepping is not None:
            self.query_one(NodeInspector).show_step(tree.stepping, tree.selected_value(), tree.names)
            return
        check = force_check or tree.size_of_graph <= CHECK_LIMIT  # big graphs check on Enter only
        self.query_one(NodeInspector).show_node(tree.selected_value(), tree.graph_root, tree.names, check=check)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.inspect()
