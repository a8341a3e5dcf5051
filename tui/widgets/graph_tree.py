"""The computation graph as a Tree: the output at the root, each node's operands below it.

Children are only built when a branch opens (a training loss graph has ~40,000 nodes and must open at once).
A node used by several parents is shown in full once; every other place it appears is a one-line reference
marked "shared", so the tree never repeats a subtree. Values that changed since the last refresh are highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from micrograd import graph
from micrograd.engine import Value


def fmt(x) -> str:
    """A number short enough for a tree line (the inspector shows it in full)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    return f"{x:.6g}"


@dataclass
class GraphNode:
    """What a tree line stands for."""

    value: Value
    filled: bool = False  # children already added
    reference: bool = False  # a repeat of a node shown in full elsewhere


class GraphTree(Tree[GraphNode]):
    """Lazily filled view of a Value graph; call `show_graph` for a new graph, `refresh_values` after changes."""

    def __init__(self, **kwargs) -> None:
        super().__init__("(no graph)", **kwargs)
        self.auto_expand = True
        self.graph_root: Value | None = None
        self.names: dict[Value, str] = {}  # labels, or "#id" for unlabelled nodes (what select() accepts)
        self.size_of_graph = 0
        # While training runs the model's Values belong to the worker thread: branches stay closed until pause.
        self.frozen = False
        # The workbench's StepperState while the stepper is on: lines show its numbers ("pending" grads).
        self.stepping = None
        self._uses: dict[int, int] = {}  # id(value) -> how many operand slots refer to it
        self._home: dict[int, TreeNode[GraphNode]] = {}  # id(value) -> the line that shows it in full
        # Numbers by node name, so a rebuilt graph of the same shape (the training loss after a step) can
        # still say what changed: what each line showed last, and what it showed the refresh before.
        self._shown: dict[str, tuple] = {}
        self._before: dict[str, tuple] = {}

    # ---- building -------------------------------------------------------------------------------------

    def show_graph(self, root: Value | None, *, keep_changes: bool = False) -> None:
        """Show a new graph; with keep_changes, highlight numbers that differ from the previous graph's."""
        self.graph_root = root
        self._home.clear()
        self._before = dict(self._shown) if keep_changes else {}
        self._shown = {}
        if root is None:
            self.names, self.size_of_graph = {}, 0
            self.reset("(no graph: evaluate an expression that builds a Value)")
            return
        self.names = graph.node_names(root)
        self.size_of_graph = len(self.names)
        self._uses = _count_uses(root)
        self.reset(self._label(root, False), GraphNode(root))
        self._home[id(root)] = self.root
        self._fill(self.root)
        self.root.expand()
        self.move_cursor(self.root)

    def _fill(self, tree_node: TreeNode[GraphNode]) -> None:
        ref = tree_node.data
        if ref is None or ref.filled or ref.reference or self.frozen:
            return
        ref.filled = True
        for child in ref.value.children:
            if id(child) in self._home:  # already shown in full somewhere: a reference line, never a second subtree
                tree_node.add_leaf(self._label(child, True), GraphNode(child, reference=True))
                continue
            added = tree_node.add(self._label(child, False), GraphNode(child), allow_expand=bool(child.children))
            self._home[id(child)] = added

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[GraphNode]) -> None:
        if event.node.tree is self:
            self._fill(event.node)

    # ---- values ---------------------------------------------------------------------------------------

    def refresh_values(self) -> None:
        """Relabel every built line; numbers that changed since the previous refresh are highlighted."""
        self._before = dict(self._shown)
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None:
                node.set_label(self._label(node.data.value, node.data.reference))
            stack.extend(node.children)

    def _label(self, value: Value, reference: bool) -> Text:
        name = self.names.get(value, value.label or "?")
        label = Text()
        label.append(name, style="bold")
        label.append(f" {value.op or 'leaf'}", style="italic")
        if reference:
            label.append("  ↑ shared, shown above", style="dim")
            return label
        data, grad = (value.data, value.grad) if self.stepping is None else self.stepping.numbers(value)
        numbers = (repr(data), repr(grad))  # repr: NaN != NaN would mark a diverged node changed every time
        self._shown[name] = numbers
        previous = self._before.get(name)
        number_style = "bold reverse" if previous is not None and previous != numbers else ""
        label.append("  data ", style="dim")
        label.append(fmt(data) if data is not None else "…", style=number_style)
        label.append("  grad ", style="dim")
        label.append(fmt(grad) if grad is not None else "pending", style=number_style or ("dim" * (grad is None)))
        if self.stepping is not None and self.stepping.is_current(value):
            label.append("  ◀ this step", style="bold")
        elif self.stepping is not None and self.stepping.is_partial(value):
            label.append("  (partial)", style="dim")
        uses = self._uses.get(id(value), 0)
        if uses > 1:
            label.append(f"  ×{uses} shared", style="dim")
        return label

    def reveal(self, target: Value, *, open_it: bool = False) -> None:
        """Open the branches down to `target` and put the cursor on it (a replayed `select`); with open_it,
        its own branch too (the stepper: the operands that just received grads)."""
        path = _path_to(self.graph_root, target) if self.graph_root is not None else None
        if not path:
            return
        node = self.root
        for value in path[1:]:
            self._fill(node)
            node.expand()
            node = next(child for child in node.children if child.data is not None and child.data.value is value)
            if node.data.reference:  # shown in full elsewhere: continue from there
                node = self._home[id(value)]
        ancestor = node.parent
        while ancestor is not None:
            ancestor.expand()
            ancestor = ancestor.parent
        if open_it:
            self._fill(node)
            node.expand()
        self.call_after_refresh(self.move_cursor, node)

    @property
    def changed_count(self) -> int:
        """How many shown nodes have numbers that differ from the previous refresh."""
        return sum(1 for name, numbers in self._shown.items() if name in self._before and self._before[name] != numbers)

    def selected_value(self) -> Value | None:
        node = self.cursor_node
        return node.data.value if node is not None and node.data is not None else None


def _numbers(value: Value) -> tuple:
    # repr, not the floats: NaN != NaN would mark a diverged node "changed" on every refresh.
    return (repr(value.data), repr(value.grad))


def _count_uses(root: Value) -> dict[int, int]:
    """How many operand slots point at each node (a*a uses a twice): more than one means shared."""
    uses: dict[int, int] = {}
    for node in root.topological_order():
        for child in node.children:
            uses[id(child)] = uses.get(id(child), 0) + 1
    return uses


def _path_to(root: Value, target: Value) -> list[Value] | None:
    """Values from root down to target along operand links (depth first, without recursion), or None."""
    parent: dict[int, Value | None] = {id(root): None}
    stack = [root]
    while stack:
        node = stack.pop()
        if node is target:
            path = [node]
            while parent[id(path[-1])] is not None:
                path.append(parent[id(path[-1])])
            return path[::-1]
        for child in node.children:
            if id(child) not in parent:
                parent[id(child)] = node
                stack.append(child)
    return None
