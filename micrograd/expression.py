"""The expression language: micrograd-style Python text -> a graph of `Value`s, safely.

The editor lets a learner type the code from micrograd's README or the lecture and see its graph. That text
is *never* handed to Python to run: it is parsed with `ast.parse` (which only builds a syntax tree) and then
interpreted by walking that tree, node type by node type, against a whitelist. Anything not listed below is
an `ExpressionError` naming the line and column, in a sentence a learner understands.

What a program may contain:

* ``from micrograd.engine import Value``, ``from micrograd import Value``, ``import micrograd``: accepted,
  ignored (so the README example pastes in verbatim). Every other import is refused.
* ``name = expression`` and ``name += expression`` (also ``-=``, ``*=``, ``/=``, ``**=``); ``name.label = 'text'``.
* Expressions: number literals, ``+ - * / **``, unary ``-``/``+``, parentheses, names already assigned,
  ``Value(number)`` / ``Value(number, label='text')``, ``relu tanh exp log sigmoid`` as methods
  (``x.tanh()``) or functions (``tanh(x)``), and reading ``x.data`` / ``x.grad`` (a plain number).
* ``name.backward()`` on a line by itself; ``print(...)`` lines are accepted and ignored (never evaluated;
  f-strings are allowed there only). Comments and blank lines.

Numbers are floats. Arithmetic on plain numbers is done at once in floats, so ``10 ** 10 ** 10`` is an
immediate "too large" error rather than an hour of big-integer arithmetic. A plain number assigned to a name
becomes a leaf `Value` (``a = -4.0`` is ``Value(-4.0, label='a')``), so every name holds a `Value`.

Labels. A node assigned to a name gets that name as its label, unless it already has one (``Value(2.0,
label='x1')``, or a node that was named before: ``b = a`` keeps "a"). When a name is assigned again
(``c += c + 1``), the *newest* node keeps the plain label "c" -- the node the variable ``c`` refers to, and
what `Program.values['c']` holds -- and each older version is relabelled with the line that assigned it:
"c (line 3)" (plus ", col N" if one line assigned the name twice). Line numbers, not primes (c′, c″): in a
tool about derivatives a prime reads like one. `Program.versions['c']` lists all versions, oldest first.
A label set by the user (``.label = ...`` or ``label=``) is never changed.

Limits (constants in `micrograd.source_text`, re-exported here) bound every input: source size, bracket
nesting (checked by a cheap scan
*before* parsing, since the parser itself is the first thing a pathological input would attack), syntax tree
depth, statement count, and the number of Values built. Evaluation touches no files, no network, nothing
outside the Values it returns.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from micrograd.engine import Value
from micrograd.source_names import constant_name, derived_name, disambiguate, source_text

# The limits and ExpressionError are this module's public interface too (the app and tests use them from here).
from micrograd.source_text import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_NESTING,
    MAX_NODES,
    MAX_SOURCE_BYTES,
    MAX_STATEMENTS,
    ExpressionError,
    parse_source,
    position,
)

__all__ = [
    "FUNCTIONS",
    "MAX_BACKWARD_WORK",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_SOURCE_BYTES",
    "MAX_STATEMENTS",
    "READABLE",
    "EvaluationCancelled",
    "ExpressionError",
    "Program",
    "evaluate",
]

FUNCTIONS = ("relu", "tanh", "exp", "log", "sigmoid")  # usable as x.tanh() or tanh(x)
READABLE = ("data", "grad", "label")  # attributes that may be read
_MICROGRAD_MODULES = ("micrograd", "micrograd.engine")
_RESERVED = frozenset(FUNCTIONS) | {"Value", "print"}

_HELP = "this editor understands Value(...), + - * / **, relu/tanh/exp/log/sigmoid, .label, .backward() and print()"

# Friendly names for refused syntax, so the message says what the learner wrote.
_CONSTRUCTS = {
    "If": "an if statement",
    "For": "a for loop",
    "While": "a while loop",
    "FunctionDef": "a function definition",
    "AsyncFunctionDef": "a function definition",
    "ClassDef": "a class definition",
    "With": "a with block",
    "Try": "a try block",
    "Raise": "raise",
    "Return": "return",
    "Delete": "del",
    "Global": "global",
    "Nonlocal": "nonlocal",
    "Assert": "assert",
    "Match": "a match statement",
    "AnnAssign": "a type annotation",
    "Lambda": "a lambda",
    "ListComp": "a list comprehension",
    "SetComp": "a set comprehension",
    "DictComp": "a dict comprehension",
    "GeneratorExp": "a generator expression",
    "Subscript": "indexing with [...]",
    "JoinedStr": "an f-string (allowed only inside print)",
    "Compare": "a comparison",
    "BoolOp": "and/or",
    "IfExp": "a conditional expression",
    "List": "a list",
    "Tuple": "a tuple",
    "Dict": "a dict",
    "Set": "a set",
    "NamedExpr": "the := operator",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Starred": "*unpacking",
    "Slice": "a slice",
    "Call": "a call",
}


@dataclass
class Program:
    """The result of `evaluate`: the Values a program built, and where each came from."""

    source: str
    values: dict[str, Value] = field(default_factory=dict)  # name -> newest node
    output: Value | None = None  # target of the last .backward(), else the last assigned Value
    backward_ran: bool = False
    nodes: list[Value] = field(default_factory=list)  # every Value built, children before parents
    versions: dict[str, list[Value]] = field(default_factory=dict)  # name -> every node it held, oldest first
    lines: dict[Value, int] = field(default_factory=dict)  # node -> line of the statement that built it

    def line_of(self, node: Value) -> int | None:
        """The source line whose statement built `node` (None for a Value from elsewhere)."""
        return self.lines.get(node)

    def nodes_on_line(self, line: int) -> list[Value]:
        """The Values built by the statement(s) on `line`, in creation order (for highlighting)."""
        return [node for node in self.nodes if self.lines.get(node) == line]

    def name_of(self, node: Value) -> str | None:
        """The variable `node` was assigned to (its newest name), or None for an intermediate node."""
        for name in reversed(list(self.versions)):
            if any(version is node for version in self.versions[name]):
                return name
        return None


MAX_BACKWARD_WORK = 2_000_000  # nodes visited by all backward() calls together: ~5 s at 2.3 us a node


class EvaluationCancelled(Exception):
    """Raised by an `evaluate` whose `check` callback asked it to stop (the app's Esc)."""


def evaluate(source: str | bytes, *, max_backward_work: int = MAX_BACKWARD_WORK, check=None) -> Program:
    """Run `source` in the expression language and return its `Program`; raise `ExpressionError` otherwise.

    Work is bounded: at most MAX_NODES Values, and `max_backward_work` node visits by backward() calls summed
    (a 98 KB program of 10,000 Values and 4,813 backward() lines was 79 s of work; it is refused at the line
    that would pass the limit). `check(done, total)`, if given, is called before each of the `total`
    statements; it may raise `EvaluationCancelled` (or anything) to stop, and may report progress.
    """
    text, tree = parse_source(source)
    _refuse_runaway_backward(tree, text, max_backward_work)
    return _Interpreter(text, max_backward_work, check).run(tree)


def _refuse_runaway_backward(tree: ast.Module, text: str, limit: int) -> None:
    """Up front, before any work: the backward() calls' work estimated from the syntax tree (each operator,
    call or update makes about one Value), refused at the first backward() line that passes `limit`. Plain-number
    arithmetic makes no Value, so this can only overestimate; the interpreter counts exactly as it goes."""
    values = work = 0
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "backward":
            work += values
            if work > limit:
                line, col = position(statement, text.split("\n"))
                raise ExpressionError(
                    f"the backward() calls up to here would visit about {work:,} nodes in all (the limit is "
                    f"{limit:,}); call backward() once, after the last line that builds the graph",
                    line,
                    col,
                )
        else:
            values += sum(isinstance(node, _MAKES_A_VALUE) for node in ast.walk(statement))


_MAKES_A_VALUE = (ast.BinOp, ast.UnaryOp, ast.Call, ast.AugAssign)


def _describe(node: ast.AST) -> str:
    return _CONSTRUCTS.get(type(node).__name__, f"this kind of code ({type(node).__name__})")


def _number_text(x: float) -> str:
    return repr(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


# ---- the interpreter ------------------------------------------------------------------------------------


class _Interpreter:
    def __init__(self, text: str, max_backward_work: int = MAX_BACKWARD_WORK, check=None):
        self.max_backward_work, self.backward_work, self.check = max_backward_work, 0, check
        self.program = Program(source=text)
        self.lines = text.split("\n")
        self.known: set[int] = set()  # id() of every Value already in program.nodes
        self.auto_label: dict[Value, str] = {}  # nodes we labelled from a variable name
        self.assigned_at: dict[Value, tuple[int, int]] = {}  # node -> (line, col) of its assignment
        self.origin: dict[Value, tuple[int, int]] = {}  # nodes named from source text -> where that text is
        self.line = 1

    def error(self, node: ast.AST, message: str) -> ExpressionError:
        return ExpressionError(message, *position(node, self.lines))

    def run(self, tree: ast.Module) -> Program:
        for done, statement in enumerate(tree.body):
            if self.check is not None:
                self.check(done, len(tree.body))
            self.line = statement.lineno
            self.statement(statement)
        disambiguate(self.program.nodes, self.origin)
        return self.program

    # -- statements --

    def statement(self, st: ast.stmt) -> None:
        if isinstance(st, ast.Import):
            if any(a.name not in _MICROGRAD_MODULES or a.asname for a in st.names):
                raise self.error(st, "only micrograd can be imported (write `from micrograd.engine import Value`)")
        elif isinstance(st, ast.ImportFrom):
            if st.level or st.module not in _MICROGRAD_MODULES or any(a.name != "Value" or a.asname for a in st.names):
                raise self.error(
                    st, "only `from micrograd.engine import Value` (or `from micrograd import Value`) can be imported"
                )
        elif isinstance(st, ast.Assign):
            if len(st.targets) != 1:
                raise self.error(st, "assign one name at a time (a = ... , not a = b = ...)")
            self.assign(st.targets[0], st.value, st)
        elif isinstance(st, ast.AugAssign):
            target = st.target
            if not isinstance(target, ast.Name):
                raise self.error(target, "only a name can be updated with +=, -=, ... (like c += 1)")
            current = self.name(target)
            result = self.binary(st.op, current, self.expr(st.value), st)
            self.bind(target, result, st)
        elif isinstance(st, ast.Expr):
            self.expression_statement(st)
        elif isinstance(st, ast.Pass):
            pass
        else:
            raise self.error(st, f"{_describe(st)} is not part of this language; {_HELP}")

    def assign(self, target: ast.expr, value_node: ast.expr, st: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            self.bind(target, self.expr(value_node), st)
        elif isinstance(target, ast.Attribute):
            self.check_attribute(target)
            if target.attr != "label":
                raise self.error(target, f"only .label can be assigned; .{target.attr} is computed by the graph")
            if not isinstance(target.value, ast.Name):
                raise self.error(target, "set a label on a name, like c.label = 'c'")
            node = self.name(target.value)
            label = self.expr(value_node)
            if not isinstance(label, str):
                raise self.error(value_node, "a label must be text in quotes, like c.label = 'c'")
            node.label = label
            self.auto_label.pop(node, None)  # the user's label: never rename it
        elif isinstance(target, (ast.Tuple, ast.List)):
            raise self.error(target, "assign one name at a time (a = ..., not a, b = ...)")
        else:
            raise self.error(target, f"cannot assign to {_describe(target)}; assign to a name, like c = a + b")

    def bind(self, target: ast.Name, result, st: ast.stmt) -> None:
        name = target.id
        if name in _RESERVED or name.startswith("__"):
            raise self.error(target, f"'{name}' is a reserved name here; choose another name")
        if isinstance(result, str):
            raise self.error(st, "text can only be used as a label; a name must hold a number or a Value")
        if not isinstance(result, Value):  # a plain number becomes a named leaf
            result = Value(result, label=name)
            self.track(result, st)
            self.auto_label[result] = name
        elif not result.label or result in self.origin:  # a source-text name gives way to the variable's
            result.label = name
            self.auto_label[result] = name
            self.origin.pop(result, None)
        previous = self.program.values.get(name)
        if previous is not None and previous is not result and self.auto_label.get(previous) == name:
            self.retire(previous, name)
        self.program.values[name] = result
        self.program.versions.setdefault(name, []).append(result)
        self.assigned_at.setdefault(result, position(st, self.lines))
        if not self.program.backward_ran:  # a .backward() target stays the output
            self.program.output = result

    def retire(self, node: Value, name: str) -> None:
        """Relabel an older version of `name` with the line that assigned it (see the module docstring)."""
        line, col = self.assigned_at[node]
        label = f"{name} (line {line})"
        if any(v.label == label for v in self.program.versions.get(name, ())):
            label = f"{name} (line {line}, col {col})"
        node.label = label
        del self.auto_label[node]

    def expression_statement(self, st: ast.Expr) -> None:
        value = st.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return  # a docstring: a comment
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print":
            _check_print(value, self)
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "backward":
            if value.args or value.keywords:
                raise self.error(value, "backward() takes no arguments")
            node = self.expr(value.func.value)
            if not isinstance(node, Value):
                raise self.error(value, "backward() needs a Value, like g.backward()")
            # Every Value built so far bounds this graph's size: counted before the work, never by doing it.
            self.backward_work += len(self.program.nodes)
            if self.backward_work > self.max_backward_work:
                raise self.error(
                    value,
                    f"the backward() calls so far would visit {self.backward_work:,} nodes in all (the limit is "
                    f"{self.max_backward_work:,}); call backward() once, after the last line that builds the graph",
                )
            node.backward()
            self.program.output, self.program.backward_ran = node, True
            return
        self.expr(value)  # a refused call or name inside gets its own, more precise message
        raise self.error(
            st,
            "this line computes something but does not keep it; "
            "write name = ..., name.label = '...', name.backward() or print(...)",
        )

    # -- expressions: each returns a Value, a float, or a str (only for labels) --

    def expr(self, node: ast.expr):
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.expr(node.left), self.expr(node.right), node)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.number_or_value(operand, node.operand)
            if isinstance(node.op, ast.USub):
                return self.compute(node, lambda x: -x, self.number_or_value(operand, node.operand))
            raise self.error(node, "only - and + can go in front of a number or Value")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            self.check_attribute(node)
            if node.attr not in READABLE:
                hint = f", or call .{node.attr}()" if node.attr in FUNCTIONS else ""
                raise self.error(node, f"'.{node.attr}' cannot be read; use .data, .grad or .label{hint}")
            owner = self.expr(node.value)
            if not isinstance(owner, Value):
                raise self.error(node, f".{node.attr} belongs to a Value, not to a plain number")
            result = getattr(owner, node.attr)  # attr is one of READABLE
            return result if isinstance(result, str) else float(result)
        raise self.error(node, f"{_describe(node)} is not part of this language; {_HELP}")

    def constant(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool) or value is None or not isinstance(value, (int, float, str)):
            raise self.error(node, f"{value!r} is not a number; only numbers and text labels are allowed")
        if isinstance(value, int):
            # Counted from its bits, never with str(): 0x followed by 3,600 f's is a 4,335-digit integer, and
            # str() refuses anything past 4,300 digits with a ValueError of its own.
            digits = int(value.bit_length() * math.log10(2)) + 1
            if digits > MAX_INT_DIGITS:
                raise self.error(
                    node,
                    f"this number is too large for a float (about {digits:,} digits; the limit is {MAX_INT_DIGITS})",
                )
            return float(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(node, "this number is too large for a float (about 1.8e308 is the limit)")
        return value

    def name(self, node: ast.Name) -> Value:
        name = node.id
        if name in self.program.values:
            return self.program.values[name]
        if name in _RESERVED:
            raise self.error(node, f"'{name}' must be called, like {name}(...)")
        raise self.error(node, f"name '{name}' is not defined")

    def number_or_value(self, operand, where: ast.AST):
        if isinstance(operand, str):
            raise self.error(where, "text can only be used as a label, not in arithmetic")
        return operand

    def binary(self, op: ast.operator, left, right, where: ast.AST):
        left = self.number_or_value(left, where)
        right = self.number_or_value(right, where)
        if isinstance(op, ast.Add):
            return self.compute(where, lambda a, b: a + b, left, right)
        if isinstance(op, ast.Sub):
            return self.compute(where, lambda a, b: a - b, left, right)
        if isinstance(op, ast.Mult):
            return self.compute(where, lambda a, b: a * b, left, right)
        if isinstance(op, ast.Div):
            return self.compute(where, lambda a, b: a / b, left, right)
        if isinstance(op, ast.Pow):
            if isinstance(left, float) and isinstance(right, float):
                return self.compute(where, _float_power, left, right)
            if isinstance(right, float) and right.is_integer() and abs(right) <= 1e6:
                right = int(right)  # so the node reads "**3" like micrograd's, not "**3.0"
            return self.compute(where, lambda a, b: a**b, left, right)
        symbol = {
            "Mod": "%",
            "FloorDiv": "//",
            "MatMult": "@",
            "BitAnd": "&",
            "BitOr": "|",
            "BitXor": "^",
            "LShift": "<<",
            "RShift": ">>",
        }.get(type(op).__name__, "this operator")
        raise self.error(where, f"{symbol} is not supported; a Value knows + - * / and **")

    def call(self, node: ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Value":
            return self.make_value(node)
        if isinstance(func, ast.Name) and func.id in FUNCTIONS:
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                raise self.error(node, f"{func.id}() takes exactly one number or Value, like {func.id}(x)")
            return self.function(func.id, self.expr(node.args[0]), node)
        if isinstance(func, ast.Attribute) and func.attr in FUNCTIONS:
            if node.args or node.keywords:
                raise self.error(node, f".{func.attr}() takes no arguments")
            return self.function(func.attr, self.expr(func.value), node)
        if isinstance(func, ast.Attribute):
            self.check_attribute(func)
            if func.attr == "backward":
                raise self.error(node, "call .backward() on a line by itself, like g.backward()")
            self.expr(func.value)  # in `x.f()` an error in x comes first, as Python would report it
            raise self.error(
                func,
                f"'.{func.attr}()' is not available; a Value has .relu() .tanh() .exp() "
                ".log() .sigmoid() and .backward()",
            )
        if isinstance(func, ast.Name):
            if func.id == "print":
                raise self.error(node, "print() must be on a line by itself")
            raise self.error(func, f"'{func.id}()' cannot be called; {_HELP}")
        raise self.error(node, f"this call is not allowed; {_HELP}")

    def make_value(self, node: ast.Call) -> Value:
        args = list(node.args)
        label = ""
        for keyword in node.keywords:
            if keyword.arg == "data" and not args:
                args.append(keyword.value)
            elif keyword.arg == "label":
                label = self.expr(keyword.value)
                if not isinstance(label, str):
                    raise self.error(keyword.value, "label= needs text in quotes, like label='x1'")
            else:
                raise self.error(node, "Value() takes a number and optionally label='...'")
        if len(args) != 1 or isinstance(args[0], ast.Starred):
            raise self.error(node, "Value() takes one number, like Value(2.0) or Value(2.0, label='x')")
        data = self.expr(args[0])
        if isinstance(data, Value):
            raise self.error(
                args[0], "Value() takes a plain number, and this is already a Value (use its .data for the number)"
            )
        if not isinstance(data, float):
            raise self.error(args[0], "Value() takes a plain number, like Value(-4.0)")
        result = Value(data, label=label)
        self.name_new(self.track(result, node), result, node)
        return result

    def function(self, name: str, operand, where: ast.AST):
        operand = self.number_or_value(operand, where)
        if isinstance(operand, float):  # fold on plain numbers, with the engine's rule and its error message
            return self.compute(where, lambda x: getattr(Value(x), name)().data, operand)
        return self.compute(where, lambda x: getattr(x, name)(), operand)

    def compute(self, where: ast.AST, operation, *operands):
        """Apply an operation; engine and float errors become an ExpressionError at `where`."""
        try:
            result = operation(*operands)
        except ZeroDivisionError:
            raise self.error(where, "division by zero") from None
        except OverflowError:
            raise self.error(where, "the result is too large for a float (about 1.8e308 is the limit)") from None
        except ValueError as err:  # the engine's math errors are already sentences
            raise self.error(where, str(err)) from None
        data = result.data if isinstance(result, Value) else result
        if isinstance(data, complex) or not math.isfinite(data):
            raise self.error(
                where,
                "the result is too large for a float (about 1.8e308 is the limit)"
                if isinstance(data, float) and math.isinf(data)
                else "the result is not a real number",
            )
        if isinstance(result, Value):
            self.name_new(self.track(result, where), result, where)
        else:
            result = float(result)
        return result

    def check_attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            raise self.error(node, f"'.{node.attr}' is not allowed: names starting with '_' are internal")

    def name_new(self, fresh: list[Value], result: Value, where: ast.AST) -> None:
        """Name the unnamed Values one piece of code just built (micrograd/source_names.py says how)."""
        for node in fresh:  # children before parents: a helper's name uses its operands' names
            if node.label:
                continue
            if not node.children:
                node.label = constant_name(node.data)
            elif node is result and isinstance(where, ast.expr):
                node.label = source_text(self.lines, where) or derived_name(node)
            else:
                node.label = derived_name(node)
            self.origin[node] = position(where, self.lines)

    def track(self, result: Value, where: ast.AST) -> list[Value]:
        """Record every Value `result` brought into being (the engine makes constants like the 1 in c + 1);
        return them, children before parents."""
        stack, fresh = [result], []
        while stack:
            node = stack.pop()
            if id(node) in self.known:
                continue
            self.known.add(id(node))
            fresh.append(node)
            stack.extend(node.children)
        for node in reversed(fresh):  # children before parents
            self.program.nodes.append(node)
            self.program.lines[node] = self.line
        if len(self.program.nodes) > MAX_NODES:
            raise self.error(where, f"the program builds more than {MAX_NODES:,} Values")
        return fresh[::-1]


def _float_power(base: float, exponent: float) -> float:
    """base ** exponent on plain numbers, in floats, refusing complex results and 0 ** negative."""
    if base == 0 and exponent < 0:
        raise ValueError(f"power of zero: 0 ** {_number_text(exponent)} is undefined (it divides by zero)")
    if base < 0 and not exponent.is_integer():
        raise ValueError(
            f"power of a negative number: ({_number_text(base)}) ** {_number_text(exponent)} is not a real number"
        )
    return math.pow(base, exponent)  # OverflowError at once for 10.0 ** 1e10


_PRINT_ALLOWED = (
    ast.Constant,
    ast.Name,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.BinOp,
    ast.UnaryOp,
    ast.keyword,
    ast.operator,
    ast.unaryop,
    ast.expr_context,
)


def _check_print(call: ast.Call, interpreter: _Interpreter) -> None:
    """print() lines are ignored, never run; still refuse anything in them that could not appear elsewhere."""
    stack = list(call.args) + list(call.keywords)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Attribute):
            if node.attr not in READABLE:
                raise interpreter.error(node, f"'.{node.attr}' is not allowed in print(); use .data, .grad or .label")
        elif not isinstance(node, _PRINT_ALLOWED):
            raise interpreter.error(node, f"{_describe(node)} is not allowed inside print()")
        stack.extend(ast.iter_child_nodes(node))
