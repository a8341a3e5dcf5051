"""The graph pane: the lazily filled graph tree and, under it, the inspector for the node at the cursor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tree

from micrograd.engine import Value
from tui.widgets.graph_tree import GraphTree
from tui.widgets.inspector import CHECK_LIMIT, NodeInspector


class GraphPane(Vertical):
    def compose(self) -> ComposeResult:
        yield GraphTree(id="graph-tree")
        yield NodeInspector(id="inspector")

    @property
    def tree(self) -> GraphTree:
        return self.query_one(GraphTree)

    def show(self, root: Value | None, title: str, *, keep_changes: bool = False) -> None:
        self.tree.show_graph(root, keep_changes=keep_changes)
        self.border_title = title.format(nodes=self.tree.size_of_graph)
        self.border_subtitle = "ctrl+g switch"
        self.inspect()

    def reveal(self, value: Value | None) -> None:
        if value is not None:
            self.tree.reveal(value)
            self.call_after_refresh(self.inspect)

    def refresh_values(self) -> None:
        self.tree.refresh_values()
        self.inspect()

    def freeze(self, frozen: bool) -> None:
        """While training, the model's Values belong to the worker thread: show nothing read from them."""
        self.tree.frozen = frozen
        if frozen:
            self.query_one(NodeInspector).update("Training… the loss graph's numbers show again on pause (F9).")

    def inspect(self, *, force_check: bool = False) -> None:
        tree = self.tree
        if tree.frozen:
            return
        check = force_check or tree.size_of_graph <= CHECK_LIMIT  # big graphs check on Enter only
        self.query_one(NodeInspector).show_node(tree.selected_value(), tree.graph_root, tree.names, check=check)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        self.inspect()
