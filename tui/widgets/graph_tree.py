"""The computation graph as a Tree: the output at the root, each node's operands below it.

Children are only built when a branch opens (a training loss graph has ~40,000 nodes and must open at once);
a graph of up to `OPEN_LIMIT` nodes opens fully expanded. A node used by several parents is shown in full
once, with ``×n`` uses; every other place it appears is a ``↪ name`` reference line, so the tree never repeats
a subtree. Data and grad sit in two fixed, right-aligned columns at the right edge (names are cut with "…"
first), so no line ever loses its grad. Values that changed since the last refresh are highlighted.
Re-showing a graph (a new evaluation) keeps which branches were open, the cursor and the scroll position.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from micrograd import graph
from micrograd.engine import Value
from micrograd.graph_layout import NUMBER_WIDTH, number_text
from tui.plain import shown, shown_names

OPEN_LIMIT = 60  # graphs up to this many nodes open fully expanded
# Levels one tree shows below its top line. Textual's Tree builds its lines recursively and keeps each line's
# whole path, so a chain 4,991 levels deep cost 33 s and then a RecursionError; past this depth the tree
# starts again from a deeper node (`start_at`), and backspace goes back up.
MAX_DEPTH = 100
NUMBERS_WIDTH = 2 * NUMBER_WIDTH + 2  # " data grad" columns at the right edge of every line


def fmt(x) -> str:
    """A number short enough for a tree line (the inspector shows it in full)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    return graph.huge_int_text(x) or f"{x:.6g}"


def _exact(x) -> str:
    """A number as text that tells any two floats apart (repr); a huge int by its magnitude (str() raises)."""
    return graph.huge_int_text(x) or repr(x)


@dataclass
class GraphNode:
    """What a tree line stands for."""

    value: Value | None  # None for a group line
    filled: bool = False  # children already added
    reference: bool = False  # a repeat of a node shown in full elsewhere
    group: list[Value] | None = None  # a group line ("layer 2 · 16 neurons"): the values it holds


class GraphTree(Tree[GraphNode]):
    """Lazily filled view of a Value graph; call `show_graph` for a new graph, `refresh_values` after changes."""

    def __init__(self, **kwargs) -> None:
        super().__init__("(no graph)", **kwargs)
        self.auto_expand = True
        self.guide_depth = 2  # deep graphs: every column counts at 80x24 (the README expression is 9 deep)
        self.graph_root: Value | None = None
        self.names: dict[Value, str] = {}  # labels, or "#id" for unlabelled nodes (what select() accepts)
        self.shown_names: dict[Value, str] = {}  # the same, as drawn (tui/plain.py: no control characters)
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
        self.top: Value | None = None  # the node on the tree's top line: the graph's root, or a deeper start
        self.levels_above = 0  # how far below the root `top` is

    BINDINGS = [
        Binding(
            "backspace",
            "back_to_root",
            "Back to the output",
            show=False,
            tooltip="A deep node's tree: start again from the output",
        )
    ]

    # ---- building -------------------------------------------------------------------------------------

    def show_graph(
        self, root: Value | None, *, keep_changes: bool = False, groups=None, empty: str | None = None
    ) -> None:
        """Show a new graph; with keep_changes, highlight numbers that differ from the previous graph's.
        Branches open before (by node name), the cursor and the scroll position carry over."""
        opened, cursor_name, scroll = self._shape()
        self.graph_root = root
        self.groups = groups  # micrograd.network_groups.NetworkGroups for a network's graph, else None
        self._home.clear()
        self._before = dict(self._shown) if keep_changes else {}
        self._shown = {}
        if root is None:
            self.names, self.shown_names, self.size_of_graph = {}, {}, 0
            self.reset(Text(f"({empty})" if empty else "(no graph: evaluate an expression that builds a Value)"))
            return
        self.names = graph.node_names(root)
        if groups is not None:
            self.names.update(groups.names)
        self.shown_names = shown_names(self.names)
        self.size_of_graph = len(self.names)
        self._uses = _count_uses(root)
        self._start(root, 0)
        self._restore(opened, cursor_name, scroll, everything=self.size_of_graph <= OPEN_LIMIT)

    def _start(self, top: Value, levels_above: int) -> None:
        """The tree's lines from `top` down (the graph's root, or a deep node `levels_above` levels below it)."""
        self.top, self.levels_above = top, levels_above
        self._home.clear()
        label = self._label(top, False)
        if levels_above:
            label = Text.assemble((f"⋯ {levels_above:,} levels below the output (backspace: back up) · ", "dim"), label)
        self.reset(label, GraphNode(top))
        self._home[id(top)] = self.root
        self._fill(self.root)
        self.root.expand()

    def action_back_to_root(self) -> None:
        if self.graph_root is not None and self.top is not self.graph_root:
            self._start(self.graph_root, 0)
            self.move_cursor(self.root)

    def _key(self, line: TreeNode[GraphNode]) -> str:
        """What identifies a line across rebuilds: its node's name, or a group's title under its parent's."""
        if line.data.value is not None:
            return self.names.get(line.data.value, "")
        parent = line.parent
        return f"{self._key(parent) if parent is not None and parent.data is not None else ''}/{line.label.plain}"

    def _shape(self) -> tuple[set[str], str | None, float]:
        """Names of the open branches, the cursor's node and the scroll offset, to carry over a rebuild."""
        opened, stack = set(), [self.root]
        while stack:
            line = stack.pop()
            if line.data is not None and line.is_expanded and not line.data.reference:
                opened.add(self._key(line))
                stack.extend(line.children)
        value = self.selected_value()
        return opened, (self.names.get(value) if value is not None else None), self.scroll_y

    def _restore(self, opened: set[str], cursor_name: str | None, scroll: float, *, everything: bool) -> None:
        cursor, stack = self.root, [(self.root, 0)]
        while stack:
            line, depth = stack.pop()
            name = self._key(line) if line.data is not None else None
            if name is not None and name == cursor_name and not line.data.reference:
                cursor = line
            if (line is self.root or everything or name in opened) and depth < MAX_DEPTH:
                self._fill(line)
                line.expand()
                stack.extend((child, depth + 1) for child in reversed(line.children))  # in reading order
        self.move_cursor(self.root)
        if cursor is not self.root:
            self.call_after_refresh(self.move_cursor, cursor)  # its line number exists after the tree is rebuilt
        if scroll:
            self.call_after_refresh(self.scroll_to, y=scroll, animate=False)

    def _fill(self, tree_node: TreeNode[GraphNode]) -> None:
        ref = tree_node.data
        if ref is None or ref.filled or ref.reference or self.frozen:
            return
        ref.filled = True
        if len(_path(tree_node)) > MAX_DEPTH and ref.value is not None and ref.value.children:
            ref.filled = False  # opening it by hand starts a new tree from it (on_tree_node_expanded)
            if tree_node.children:
                return
            tree_node.add_leaf(
                Text(f"⋯ more than {MAX_DEPTH} levels deep: open this node to start the tree from it", style="dim"),
                GraphNode(None, filled=True),
            )
            return
        if ref.group is not None:
            children = ref.group
        else:
            layers = self.groups.groups_of(ref.value) if self.groups is not None else None
            for title, members in layers or ():  # a sample of a network: its layers first, then its loss's operands
                tree_node.add(Text(title, style="bold"), GraphNode(None, group=members))
            children = ref.value.children
        for child in children:
            if id(child) in self._home:  # already shown in full somewhere: a reference line, never a second subtree
                tree_node.add_leaf(self._label(child, True), GraphNode(child, reference=True))
                continue
            added = tree_node.add(self._label(child, False), GraphNode(child), allow_expand=bool(child.children))
            self._home[id(child)] = added

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[GraphNode]) -> None:
        if event.node.tree is not self:
            return
        line, ref = event.node, event.node.data
        depth = len(_path(line)) - 1
        if depth >= MAX_DEPTH and ref is not None and ref.value is not None and not ref.reference and not ref.filled:
            self.call_later(self._start_at, ref.value, self.levels_above + depth)  # opened by hand: a new tree
            return
        self._fill(line)

    def _start_at(self, top: Value, levels_above: int) -> None:
        self._start(top, levels_above)
        self.move_cursor(self.root)

    # ---- values ---------------------------------------------------------------------------------------

    def refresh_values(self) -> None:
        """Relabel every built line; numbers that changed since the previous refresh are highlighted."""
        self._before = dict(self._shown)
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None and node.data.value is not None:
                node.set_label(self._label(node.data.value, node.data.reference))
            stack.extend(node.children)

    def _label(self, value: Value, reference: bool) -> Text:
        """The left part of a line (name, op, marks); `render_label` adds the number columns."""
        name = self.names.get(value, value.label or "?")
        label = Text()
        if reference:
            label.append("↪ ", style="bold")
        label.append(self.shown_names.get(value) or shown(name), style="bold")
        label.append(f" {value.op or 'leaf'}", style="italic dim")
        if self.stepping is not None and self.stepping.is_current(value):
            label.append(" ◀ this step", style="bold")
        elif self.stepping is not None and self.stepping.is_partial(value):
            label.append(" (partial)", style="dim")
        uses = self._uses.get(id(value), 0)
        if uses > 1 and not reference:
            label.append(f" ×{uses}", style="dim")
        if not reference:
            data, grad = (value.data, value.grad) if self.stepping is None else self.stepping.numbers(value)
            self._shown[name] = (_exact(data), _exact(grad))  # text: NaN != NaN would mark a node changed every time
        return label

    def _numbers(self, value: Value, reference: bool) -> Text:
        """The fixed, right-aligned data and grad columns of a line."""
        name = self.names.get(value, value.label or "?")
        data, grad = (value.data, value.grad) if self.stepping is None else self.stepping.numbers(value)
        previous = self._before.get(name)
        changed = not reference and previous is not None and previous != (_exact(data), _exact(grad))
        style = "bold reverse" if changed else ("dim" if reference else "")
        text = Text(" ")
        text.append((number_text(data) if data is not None else "…").rjust(NUMBER_WIDTH), style=style)
        text.append(" ")
        text.append(
            (number_text(grad) if grad is not None else "pending").rjust(NUMBER_WIDTH),
            style=style or ("dim" if grad is None else ""),
        )
        return text

    def line_text(self, node: TreeNode[GraphNode]) -> str:
        """A line as plain text, its two number columns named: ``g +  data 24.7041  grad 1.0000``."""
        if node.data is None or node.data.value is None:
            return str(node.label)
        data, grad = self._numbers(node.data.value, node.data.reference).plain.split()
        return f"{node.label.plain}  data {data}  grad {grad}"

    def render_label(self, node: TreeNode[GraphNode], base_style, style) -> Text:
        text = super().render_label(node, base_style, style)
        if node.data is None or node.data.value is None:
            return text
        indent = (len(_path(node)) - 1) * self.guide_depth
        room = self.scrollable_content_region.width - indent - NUMBERS_WIDTH
        if room <= 0:  # deeper than the pane is wide (past ~9 levels at 80 columns): the numbers alone
            return self._numbers(node.data.value, node.data.reference)
        if text.cell_len > room:  # the name gives way to "…", never the grad
            text.truncate(room - 1)
            text.append("…")
        text.pad_right(room - text.cell_len)
        text.append_text(self._numbers(node.data.value, node.data.reference))
        return text

    def reveal(self, target: Value, *, open_it: bool = False) -> None:
        """Open the branches down to `target` and put the cursor on it (a replayed `select`); with open_it,
        its own branch too (the stepper: the operands that just received grads)."""
        path = _path_to(self.top, target) if self.top is not None else None
        if not path and self.top is not self.graph_root and self.graph_root is not None:
            path = _path_to(self.graph_root, target)  # above this deep start: from the output again
            if path:
                self._start(self.graph_root, 0)
        if not path:
            return
        if len(path) > MAX_DEPTH:  # too deep for one tree: start it MAX_DEPTH // 2 levels above the target
            start = len(path) - 1 - MAX_DEPTH // 2
            self._start(path[start], self.levels_above + start)
            path = path[start:]
        node = self.root
        for value in path[1:]:
            if id(value) in self._home:  # already built (in a group, or elsewhere): go straight there
                node = self._home[id(value)]
                continue
            self._fill(node)
            node.expand()
            lines = list(node.children)
            for group in [line for line in lines if line.data is not None and line.data.group is not None]:
                if any(member is value for member in group.data.group):  # a network's layer holding it
                    self._fill(group)
                    lines = list(group.children)
                    break
            found = next((line for line in lines if line.data is not None and line.data.value is value), None)
            if found is None:
                continue  # a step the grouped tree skips (inside a layer): keep looking from here
            node = self._home.get(id(value), found) if found.data.reference else found
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
        value = node.data.value if node is not None and node.data is not None else None  # None on a group line
        # Right after a rebuild the cursor can still point at a line of the previous graph (Tree rebuilds its
        # lines on the next refresh): only a node of the graph shown counts.
        return value if value is not None and value in self.names else None


def _path(node: TreeNode) -> list[TreeNode]:
    path = [node]
    while path[-1].parent is not None:
        path.append(path[-1].parent)
    return path


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
