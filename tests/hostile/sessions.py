"""Hostile session files, generated: deep, huge, wrong types, markup, control characters, surrogates, NaN and
Infinity literals, huge numbers and step counts. Each is a (name, file bytes, exit code of `check`, sentence)."""

from __future__ import annotations

import copy
import json

BASE = {
    "format": "micrograd-tui/session",
    "version": 2,
    "title": "base",
    "expression": "a = Value(2.0)\nb = a * a\n",
    "config": {},
    "actions": [{"do": "backward"}],
    "history": [],
}


def text(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=True, allow_nan=True).encode()


def changed(edit) -> bytes:
    data = copy.deepcopy(BASE)
    edit(data)
    return text(data)


def with_key(path: list[str], value: object) -> bytes:
    def edit(data: dict) -> None:
        where = data
        for key in path[:-1]:
            where = where.setdefault(key, {})
        where[path[-1]] = value

    return changed(edit)


def raw_after(key: str, raw_value: str) -> bytes:
    """BASE with one more top-level key whose value is raw JSON text (deep nesting, literals json.dumps won't
    write)."""
    return text(BASE)[:-1] + f', "{key}": {raw_value}}}'.encode()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def trained(steps: int, repeat: int, **config: object) -> bytes:
    data = copy.deepcopy(BASE)
    data["config"] = config
    data["actions"] = [{"do": "train", "steps": steps, "results": []} for _ in range(repeat)]
    return text(data)


INVALID, OK, MISMATCH, TOO_LARGE = 2, 0, 1, 3

SESSIONS: list[tuple[str, bytes, int, str]] = [
    # nesting
    ("deep 500 under an unknown key", raw_after("notes", nested(500)), INVALID, r"more than 32 levels deep \(line 1"),
    ("deep 990 under an unknown key", raw_after("notes", nested(990)), INVALID, r"more than 32 levels deep"),
    ("deep 100000 under an unknown key", raw_after("notes", nested(100_000)), INVALID, "more than 32 levels deep"),
    ("deep objects", raw_after("notes", '{"a":' * 900 + "1" + "}" * 900), INVALID, "more than 32 levels deep"),
    (
        "deep in training.lr",
        text(BASE).replace(b'"config": {}', b'"config": {"training": {"lr": ' + nested(990).encode() + b"}}"),
        INVALID,
        "more than 32 levels deep",
    ),
    (
        "deep in an action",
        text(BASE).replace(b'{"do": "backward"}', b'{"do": "backward", "x": ' + nested(700).encode() + b"}"),
        INVALID,
        "more than 32 levels deep",
    ),
    ("deep but unclosed", text(BASE)[:-1] + b', "n": ' + b"[" * 5000, INVALID, "more than 32 levels deep"),
    ("33 levels", raw_after("n", nested(32)), INVALID, "more than 32 levels deep"),
    ("brackets inside strings", with_key(["notes"], "[" * 10_000 + "{" * 10_000), OK, r"^OK"),
    # size and encoding
    ("65 MB", raw_after("pad", json.dumps("x" * (65 * 2**20))), INVALID, r"larger than 64 MB"),
    ("binary garbage", bytes(range(256)) * 64, INVALID, r"not UTF-8 text \(byte 128\)"),
    ("UTF-16", json.dumps(BASE).encode("utf-16"), INVALID, "not UTF-8 text"),
    ("empty file", b"", INVALID, "not valid JSON"),
    ("truncated", text(BASE)[:40], INVALID, r"not valid JSON \(line 1, column"),
    ("UTF-8 BOM", b"\xef\xbb\xbf" + text(BASE), OK, r"^OK"),
    ("a NUL in the middle", text(BASE)[:20] + b"\x00" + text(BASE)[20:], INVALID, "not valid JSON"),
    ("null", b"null", INVALID, "expected a JSON object"),
    ("a list", b"[1, 2, 3]", INVALID, "expected a JSON object"),
    ("a string", b'"session"', INVALID, "expected a JSON object"),
    ("not ours", b'{"hello": "world"}', INVALID, r'format: expected "micrograd-tui/session"'),
    # wrong types and ranges
    ("version as text", with_key(["version"], "2"), INVALID, "version: expected a positive integer"),
    ("version 1.5", with_key(["version"], 1.5), INVALID, "version: expected a positive integer"),
    ("version true", with_key(["version"], True), INVALID, "version: expected a positive integer"),
    ("version 99", with_key(["version"], 99), INVALID, "newer micrograd-tui"),
    ("version 40 digits", text(BASE).replace(b'"version": 2', b'"version": ' + b"9" * 40), INVALID, "has 40 digits"),
    ("expression a number", with_key(["expression"], 5), INVALID, "expression: expected a string"),
    ("expression a list", with_key(["expression"], ["a"]), INVALID, "expression: expected a string"),
    (
        "expression 200 KB",
        with_key(["expression"], "a = Value(1.0)\n" * 14_000),
        INVALID,
        "expression: expected at most",
    ),
    ("actions an object", with_key(["actions"], {}), INVALID, "actions: expected a list"),
    ("action a number", with_key(["actions"], [1]), INVALID, r"actions\[0\]: expected an object"),
    ("do a number", with_key(["actions"], [{"do": 5}]), INVALID, r"actions\[0\].do: expected one of"),
    ("do unknown", with_key(["actions"], [{"do": "fly"}]), INVALID, r"actions\[0\].do: expected one of"),
    ("steps as text", with_key(["actions"], [{"do": "train", "steps": "10", "results": []}]), INVALID, "steps"),
    ("steps -1", with_key(["actions"], [{"do": "train", "steps": -1, "results": []}]), INVALID, "steps"),
    ("steps 0", with_key(["actions"], [{"do": "train", "steps": 0, "results": []}]), INVALID, "steps"),
    ("steps 1e300", with_key(["actions"], [{"do": "train", "steps": 1e300, "results": []}]), INVALID, "steps"),
    ("steps true", with_key(["actions"], [{"do": "train", "steps": True, "results": []}]), INVALID, "steps"),
    (
        "steps 32 digits",
        text(BASE).replace(b'{"do": "backward"}', b'{"do": "train", "steps": ' + b"9" * 32 + b', "results": []}'),
        INVALID,
        "has 32 digits",
    ),
    ("steps 100001", with_key(["actions"], [{"do": "train", "steps": 100_001, "results": []}]), INVALID, "steps"),
    ("samples 1e12", with_key(["config", "data", "samples"], 10**12), INVALID, "samples"),
    ("samples -5", with_key(["config", "data", "samples"], -5), INVALID, "samples"),
    ("layers empty", with_key(["config", "model", "layers"], []), INVALID, "layers"),
    ("layers zero", with_key(["config", "model", "layers"], [0]), INVALID, "layers"),
    ("layers 5000 wide", with_key(["config", "model", "layers"], [5000, 1]), INVALID, "layers"),
    (
        "lr NaN literal",
        raw_after("x", "1").replace(
            b'"config": {}', b'"config": {"training": {"lr": {"schedule": "constant", "lr": NaN}}}'
        ),
        INVALID,
        "finite",
    ),
    (
        "lr Infinity literal",
        text(BASE).replace(b'"config": {}', b'"config": {"training": {"l2": Infinity}}'),
        INVALID,
        "finite",
    ),
    (
        "l2 -Infinity literal",
        text(BASE).replace(b'"config": {}', b'"config": {"training": {"l2": -Infinity}}'),
        INVALID,
        "finite",
    ),
    ("l2 1e400", text(BASE).replace(b'"config": {}', b'"config": {"training": {"l2": 1e400}}'), INVALID, "finite"),
    ("l2 2e6", with_key(["config", "training", "l2"], 2e6), INVALID, "l2: expected a number from 0 to 10"),
    ("seed 2**64", with_key(["config", "model", "seed"], 2**64), INVALID, "seed: expected at most 4294967295"),
    ("seed -1", with_key(["config", "data", "seed"], -1), INVALID, "seed"),
    (
        "lr 1.5e308",
        with_key(["config", "training", "lr"], {"schedule": "constant", "lr": 1.5e308}),
        INVALID,
        "lr.lr: expected a finite number",
    ),
    (
        "more steps than a session holds",
        trained(100_000, 2),
        INVALID,
        r"200,000 training steps in all; a session holds at most 100,000",
    ),
    ("lr schedule unknown", with_key(["config", "training", "lr"], {"schedule": "warp"}), INVALID, "lr"),
    ("dataset unknown", with_key(["config", "data", "name"], "spirals"), INVALID, "expected one of"),
    ("history not a list", with_key(["history"], {}), INVALID, "history: expected a list"),
    ("history item short", with_key(["history"], [{"step": 1}]), INVALID, r"history\[0\]\.loss: required"),
    (
        "result NaN literal",
        text(BASE).replace(
            b'"history": []',
            b'"history": [{"step": 1, "loss": NaN, "data_loss": 0, "reg_loss": 0, "accuracy": 0, "lr": 0}]',
        ),
        INVALID,
        "finite",
    ),
    ("title a number", with_key(["title"], 5), INVALID, "title: expected a string"),
    ("title 1 MB", with_key(["title"], "t" * 2**20), INVALID, "title: expected at most"),
    ("select label 2000", with_key(["actions"], [{"do": "select", "label": "l" * 2000}]), INVALID, "label"),
    (
        "evaluate error 20000",
        with_key(["actions"], [{"do": "evaluate", "source": "x", "error": "e" * 20_000}]),
        INVALID,
        "error",
    ),
    (
        "import 20000 rows",
        with_key(
            ["actions"], [{"do": "import_data", "name": "a", "points": [[0.0, 1.0]] * 20_000, "labels": [0] * 20_000}]
        ),
        INVALID,
        "points",
    ),
    (
        "add_point huge label",
        with_key(["actions"], [{"do": "add_point", "position": [0.0, 0.0], "label": 1e300}]),
        INVALID,
        "label",
    ),
    (
        "set_parameter 1e300",
        with_key(["actions"], [{"do": "set_parameter", "layer": 0, "neuron": 0, "parameter": "b", "value": 1e300}]),
        INVALID,
        "value",
    ),
    # what is shown is never interpreted
    ("markup title [/]", with_key(["title"], "[/]"), OK, r"^OK"),
    ("markup link title", with_key(["title"], "[link=a:b]x"), OK, r"^OK"),
    ("markup click description", with_key(["description"], "[@click=app.quit]quit[/]"), OK, r"^OK"),
    (
        "escape sequence in a key",
        raw_after("\\u001b]0;PWNED\\u0007\\u001b[2J", "1e999"),
        INVALID,
        r"\\x1b\]0;PWNED\\x07\\x1b\[2J: expected a finite",
    ),
    ("lone surrogate in a key", raw_after("\\ud800", "1e999"), INVALID, r"\\ud800: expected a finite number"),
    ("escape sequence in do", with_key(["actions"], [{"do": "\x1b[2J\x1b]0;x\x07"}]), INVALID, "expected one of"),
    ("C1 control in a key", raw_after("a\\u009bb", "1e999"), INVALID, r"a\\x9bb: expected a finite"),
    ("bidi override in a key", raw_after("\\u202egnp.exe", "1e999"), INVALID, r"\\u202egnp.exe: expected"),
    # replay outcomes
    ("replays", text(BASE), OK, r"^OK  \S+  \(1 actions, 0 steps\)"),
    (
        "mismatch",
        changed(
            lambda d: d.update(
                actions=[
                    {
                        "do": "train",
                        "steps": 1,
                        "results": [{"step": 1, "loss": 123.0, "data_loss": 0, "reg_loss": 0, "accuracy": 0, "lr": 0}],
                    }
                ]
            )
        ),
        MISMATCH,
        r"^MISMATCH .* actions\[0\] step 1: ",
    ),
    (
        "an expression that fails",
        with_key(["actions"], [{"do": "evaluate", "source": "x = (", "error": "different"}]),
        MISMATCH,
        r"MISMATCH .* error recorded",
    ),
    # too large to replay
    (
        "1000 x train 100000",
        trained(100_000, 1000),
        INVALID,
        r"actions: 100,000,000 training steps in all; a session holds at most 100,000",
    ),
    (
        "train 100000 on 10000 samples",
        trained(100_000, 1, data={"samples": 10_000}),
        TOO_LARGE,
        r"TOO LARGE .* would take about [\d.,]+ (hours|minutes) to replay",
    ),
    (
        "reference engine on 1000 samples",
        trained(1000, 1, data={"samples": 1000}, training={"engine": "reference"}),
        TOO_LARGE,
        r"TOO LARGE .* minutes to replay \(1,000 training steps\); the limit is 5.0 minutes",
    ),
    (
        "100000 backward on 12001 nodes",
        changed(
            lambda d: d.update(
                expression="a = Value(1.0)\n" + "a = a * 1.0001 + 0.5\n" * 3000, actions=[{"do": "backward"}] * 100_000
            )
        ),
        TOO_LARGE,
        r"TOO LARGE .*\(100,000 graph actions on 12,001 nodes",
    ),
]
