"""Text from users and files, made safe to show on a terminal (issue 11).

What reaches the screen is never interpreted: widgets get it as plain text (rich.text.Text, `markup=False`, the
app's `notify`), so ``[/]`` or ``[@click=app.quit]`` shows as typed. Two kinds of character are still unsafe to
hand to the terminal, and `shown` replaces them:

* a lone surrogate (``Value(1.0, label='\\ud800')``): no encoding can write it, so the terminal driver would raise
  UnicodeEncodeError; it is shown as U+FFFD (the data itself keeps it, and a session saves it as ``\\ud800``);
* a control character (``\\x1b]0;PWNED\\x07`` rewrites the terminal's title): shown as its Unicode picture, ␛.

No Textual here: the library of the app's text, used by widgets, screens and the app.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # newline (\x0a) is allowed where lines are
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f]")
MAX_SHOWN = 2_000  # characters of one piece of user text on screen: a 100 KB label would only fill it


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    return "␡" if code == 0x7F else "\ufffd"  # DEL, and the C1 controls (no pictures exist for those)


def shown(text: object, *, lines: bool = False, limit: int = MAX_SHOWN) -> str:
    """`text` as it may be drawn: lone surrogates as U+FFFD, control characters as pictures (newlines kept when
    `lines`), at most `limit` characters (then "…")."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _SURROGATE.sub("\ufffd", text)
    return (_CONTROL if lines else _CONTROL_OR_NEWLINE).sub(_picture, text)


def shown_names(names: dict, limit: int = 200) -> dict:
    """A {node: name} map as it may be drawn (`shown` on the few names that need it: isprintable() is False for
    control characters and lone surrogates alike, and cheap on a 40,000-node graph)."""
    return {
        key: name if name.isprintable() and len(name) <= limit else shown(name, limit=limit)
        for key, name in names.items()
    }
