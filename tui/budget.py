"""The app's budget for evaluating the editor's program (issue 11): what is refused, and what runs where.

The language's own limits (size, nesting, statements, Values, backward() work) live with it, in
micrograd/source_text.py and micrograd/expression.py; they bound *any* evaluation (replay and `check` too).
Here: how the app spends that budget. A program is evaluated off the UI thread, with progress and Esc to
cancel, unless it is small enough that even its worst case is instant.

Measured on the development machine (2 cores shared with other work): the interpreter builds a Value in
65-115 us, a backward() pass visits a node in ~2.3 us. The densest program 100 KB of source allows builds about
36,000 Values (4.1 s); with backward() calls up to the 2,000,000-visit limit it is about 9 s of work: long, but
off the UI thread, with progress and Esc to cancel. A 98 KB program with 4,813 backward() lines (79 s before)
is refused up front, in 0.2 s, at the line that passes the limit.
"""

from __future__ import annotations

from micrograd.expression import MAX_BACKWARD_WORK

# Node visits by all backward() calls of one evaluation (the library's default; the app could be stricter).
EVALUATE_BACKWARD_WORK = MAX_BACKWARD_WORK

# Below this many characters a program is evaluated at once on the UI thread: at most ~150 statements, so at
# most a few hundred Values and ~100,000 backward() node visits (~0.25 s worst case, a few ms in practice).
# Anything longer goes to a worker thread, so the keys keep answering.
INLINE_SOURCE_CHARS = 2_000

PROGRESS_INTERVAL = 0.1  # seconds between progress reports from the evaluation worker
