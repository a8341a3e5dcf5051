"""Reading an expression's source text defensively, before the interpreter sees it.

The parser is the first thing a pathological input attacks, so the text is bounded (size, UTF-8, NUL bytes)
and its bracket nesting is checked by a cheap scan *before* `ast.parse`, and the tree's depth after it.
Every refusal is an `ExpressionError` with a line and column.
"""

from __future__ import annotations

import ast
import warnings

MAX_SOURCE_BYTES = 100_000  # about 2,000 lines of typical code
MAX_NESTING = 50  # brackets inside brackets; Python's own parser stops at 200
MAX_DEPTH = 200  # syntax-tree depth (long chains like a+b+c+... count one level per +)
MAX_STATEMENTS = 5_000
MAX_NODES = 100_000  # Values built by one program
MAX_INT_DIGITS = 300  # a float holds at most ~309 digits before the point


class ExpressionError(Exception):
    """A program that cannot be evaluated: a sentence, and where (1-based line and column)."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message, line, col)
        self.message, self.line, self.col = message, line, col

    def __str__(self) -> str:
        return f"line {self.line}, col {self.col}: {self.message}"


def parse_source(source: str | bytes) -> tuple[str, ast.Module]:
    """The checked text (one newline convention) and its syntax tree, or an `ExpressionError`."""
    text = _decode(source)
    return text, _parse(text)


# ---- reading and parsing, defensively -----------------------------------------------------------------


def _decode(source: str | bytes) -> str:
    if isinstance(source, (bytes, bytearray)):
        if len(source) > MAX_SOURCE_BYTES:
            raise _too_long(len(source))
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ExpressionError(f"the text is not valid UTF-8 (byte {err.start + 1} cannot be decoded)") from None
    if not isinstance(source, str):
        raise ExpressionError(f"expected text, got {type(source).__name__}")
    if len(source) > MAX_SOURCE_BYTES:  # cheap bound before encoding a huge string
        raise _too_long(len(source))
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates, which no file can contain
        raise ExpressionError("the text contains characters that are not valid Unicode") from None
    if size > MAX_SOURCE_BYTES:
        raise _too_long(size)
    # One newline convention, so our line numbers are the parser's.
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in source:
        line = source.count("\n", 0, source.index("\0")) + 1
        raise ExpressionError("the text contains a NUL character (a zero byte), which is never valid code", line)
    return source


def _too_long(size: int) -> ExpressionError:
    return ExpressionError(f"the program is too long ({size:,} bytes; the limit is {MAX_SOURCE_BYTES:,})")


def _check_nesting(text: str) -> None:
    """Refuse deep bracket nesting before the parser sees it (skipping comments and simple strings)."""
    depth, quote, line, col = 0, "", 1, 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            if quote in ("'", '"'):  # an unterminated one-line string: the parser will say so
                quote = ""
        elif quote:
            if ch == "\\":
                i += 1
                col += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch == "#":
            while i + 1 < n and text[i + 1] != "\n":
                i += 1
        elif ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionError(f"brackets are nested too deeply (more than {MAX_NESTING} levels)", line, col)
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1


def _parse(text: str) -> ast.Module:
    _check_nesting(text)
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for '\d': never print from a library
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="exec")
    except SyntaxError as err:
        message = err.msg or "invalid syntax"
        if "Exceeds the limit" in message:
            message = f"a number has too many digits (the limit is {MAX_INT_DIGITS})"
        elif message == "invalid syntax":
            message = "invalid syntax (this is not valid Python)"
        raise ExpressionError(message, err.lineno or 1, max(err.offset or 1, 1)) from None
    except (MemoryError, RecursionError, ValueError):  # the C parser's own depth guards
        raise ExpressionError("the program is nested too deeply to read") from None
    if len(tree.body) > MAX_STATEMENTS:
        raise ExpressionError(f"the program has more than {MAX_STATEMENTS:,} statements", 1, 1)
    _check_depth(tree, text)
    return tree


def _check_depth(tree: ast.AST, text: str) -> None:
    stack = [(tree, 0)]
    while stack:  # iterative: the tree may be deep enough to break recursion
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            line, col = position(node, text.split("\n"))
            raise ExpressionError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels); split it over several lines",
                line,
                col,
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def position(node: ast.AST, lines: list[str]) -> tuple[int, int]:
    """1-based line and *character* column (ast gives a UTF-8 byte offset)."""
    line = getattr(node, "lineno", 1) or 1
    offset = getattr(node, "col_offset", 0) or 0
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return line, len(text.encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
