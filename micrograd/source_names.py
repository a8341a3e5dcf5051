"""Names for the nodes a program builds without assigning them: the source text that made them.

A learner reading ``g += 10.0 / f`` thinks of the node it builds as "10.0 / f", not "#37". The interpreter
(micrograd/expression.py) gives every Value it builds a name from the code:

* a node assigned to a variable: the variable (``c``; an older version ``c (line 3)``) -- expression.py;
* an unnamed intermediate: the source text of its sub-expression, whitespace collapsed, shortened with ``…``
  past `MAX_NAME` characters (``b**3``, ``(b + a).relu()``);
* a constant (``Value(3.0)`` or the ``1`` the engine makes for ``c + 1``): its value (``1``, ``0.5``);
* a helper node the engine adds inside one operator (``10.0 / f`` is ``10.0 * f**-1``): its op applied to its
  operands' names (``f**-1``, ``-a``), since no source text is exactly that node.

Two different nodes never share a name: a repeat gets its line (``1 (line 6)``), then its column, the way
expression.py already tells versions of a variable apart. Names are stored in the engine's ``label`` field,
so the tree, the inspector, the stepper, the gradient check and the exports all read the same ones.
"""

from __future__ import annotations

import ast

from micrograd.engine import Value

MAX_NAME = 24  # characters; a longer source text is cut with "…" (the inspector shows the line to read it all)


def shorten(text: str, limit: int = MAX_NAME) -> str:
    """`text` on one line, at most `limit` characters, cut with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def source_text(lines: list[str], node: ast.AST) -> str | None:
    """The source text of an expression node (`lines`: the program split at newlines), on one line and
    shortened; None if ast cannot say. Reads at most a few hundred characters however long the program is
    (ast.get_source_segment splits the whole text on every call)."""
    first, last = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    start, end = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if None in (first, last, start, end) or not 0 < first <= last <= len(lines):
        return None
    if last - first > 3:  # an expression over many lines: its first line says enough
        last, end = first, None
    parts = [line.encode("utf-8") for line in lines[first - 1 : last]]  # ast offsets count UTF-8 bytes
    if len(parts) == 1:
        parts[0] = parts[0][start:end]
    else:
        parts[0], parts[-1] = parts[0][start:], parts[-1][:end]
    segment = " ".join(part.decode("utf-8", "ignore") for part in parts)
    if len(segment) > 4 * MAX_NAME:
        segment = segment[: 4 * MAX_NAME] + " …"
    return shorten(_strip_outer_parentheses(segment.strip()))


def constant_name(x: float) -> str:
    """How a constant reads: ``1`` for 1.0, ``0.5``, ``-1``; repr beyond that (``1e-08``)."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def derived_name(node: Value) -> str:
    """A name for an engine-made helper from its op and its operands' names (``f**-1``, ``-d``, ``a * b``)."""
    kids = [_operand(child.label or "?") for child in node.children]
    op = node.op
    if op.startswith("**") and len(op) > 2 and kids:
        return shorten(f"{kids[0]}**{op[2:]}")
    if op == "*" and len(kids) == 2 and node.children[1].label == "-1" and not node.children[1].children:
        return shorten(f"-{kids[0]}")
    if op in ("+", "*", "**"):
        return shorten(f" {op} ".join(kids) if op != "**" else "**".join(kids))
    return shorten(f"{kids[0] if kids else '?'}.{op.lower()}()")


def _operand(name: str) -> str:
    """A name as an operand inside a longer name: parenthesised when it is itself an expression."""
    return f"({name})" if any(ch in name for ch in " +-*/") and not _is_number(name) else name


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _strip_outer_parentheses(text: str) -> str:
    """``(b + a)`` -> ``b + a`` when the parentheses wrap the whole text (not ``(a) + (b)``)."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def disambiguate(nodes: list[Value], origin: dict[Value, tuple[int, int]]) -> None:
    """Give each node in `origin` (named here, never by the user) a name no other node in `nodes` has.

    The first node with a name keeps it; a later one gets ``(line N)``, and ``(line N, col C)`` if that too
    is taken. `origin` maps a node to the (line, col) of the code that made it.
    """
    taken: dict[str, Value] = {}
    for node in nodes:  # user and variable names first: they are never changed
        if node.label and node not in origin:
            taken.setdefault(node.label, node)
    for node in nodes:
        if node not in origin or not node.label:
            continue
        name = node.label
        if taken.get(name, node) is not node:
            line, col = origin[node]
            name = f"{node.label} (line {line})"
            if name in taken:
                name = f"{node.label} (line {line}, col {col})"
            node.label = name
        taken[name] = node
