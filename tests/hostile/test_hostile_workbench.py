"""Hostile input through the workbench's entry points, as the app feeds them (tests/hostile/drive.py): the editor's
text (F5), the training form's fields, the logged actions through the API, and the save dialog's path text. Each
case must be refused with one sentence or accepted, and the session must then save and read back the same."""

from __future__ import annotations

import json

import pytest

from tests.hostile.harness import FIFO, FOLDER, Case, judge, run_all

DRIVE = ["-m", "tests.hostile.drive"]
SAVED = r"SAVED \d+ actions"


def editor(name: str, source: str, says: str) -> Case:
    return Case(f"editor: {name}", [*DRIVE, "evaluate", "src.txt"], 0, says + r"[\s\S]*" + SAVED, {"src.txt": source})


def control(key: str, text: str, says: str) -> Case:
    return Case(
        f"control {key}: {text[:40]!r}", [*DRIVE, "control", key, json.dumps(text)], 0, says + r"[\s\S]*" + SAVED
    )


def api(name: str, action: dict, says: str) -> Case:
    return Case(f"api: {name}", [*DRIVE, "api", json.dumps(action)], 0, says + r"[\s\S]*" + SAVED)


def path(name: str, text: str, says: str, files=None, new=()) -> Case:
    return Case(
        f"save path: {name}", [*DRIVE, "save", json.dumps(text)], 0, says + r"[\s\S]*" + SAVED, files or {}, new
    )


REFUSED = r"^REFUSED: line \d+, col \d+: "
EDITOR = [
    editor("0x and 3,600 f", "x = 0x" + "f" * 3600 + "\n", REFUSED + "this number is too large"),
    editor("0b and 5,000 digits", "x = 0b" + "1" * 5000 + "\n", REFUSED + "this number is too large"),
    editor("0o and 5,000 digits", "x = 0o" + "7" * 5000 + "\n", REFUSED + "this number is too large"),
    editor("a 5,000-digit integer", "x = " + "9" * 5000 + "\n", REFUSED),
    editor("1e999", "a = Value(1e999)\n", r"^(REFUSED|DONE)"),
    editor(
        "over 100 KB",
        "a = Value(1.0)\n" + "#" * 100_001,
        r"^REFUSED: line 1, col 1: the expression is 100,016 characters",
    ),
    editor("exactly 100 KB of comment", "a = Value(1.0)\n" + "#" * (100_000 - 15), r"^(DONE|REFUSED)"),
    editor("an error over 10,000 characters", "y = " + "q" * 20_000 + "\n", REFUSED),
    editor("import os", "import os\n", REFUSED),
    editor("__import__", "__import__('os').system('touch pwned')\n", REFUSED),
    editor("dunder escape", "().__class__.__bases__[0].__subclasses__()\n", REFUSED),
    editor("open a file", "open('/etc/passwd')\n", REFUSED),
    editor("eval", "eval('1')\n", REFUSED),
    editor("lambda", "f = lambda: 1\n", REFUSED),
    editor("deep parentheses", "x = " + "(" * 500 + "1" + ")" * 500 + "\n", REFUSED),
    editor("deep brackets", "x = " + "[" * 300 + "]" * 300 + "\n", REFUSED),
    editor("a long chain", "a = Value(1.0)\nb = a" + " + a" * 20_000 + "\n", r"^(REFUSED|DONE)"),
    editor("power tower", "a = Value(2.0)\nb = a ** 1000 ** 1000\n", REFUSED),
    editor("huge float power", "a = Value(10.0)\nb = a ** 400\n", r"^(REFUSED|DONE)"),
    editor("division by zero", "a = Value(1.0)\nb = a / 0\n", r"^(REFUSED|DONE)"),
    editor("NUL in the text", "a = Value(1.0)\x00\n", REFUSED),
    editor("escape sequences", "a = Value(1.0)  # \x1b]0;PWNED\x07\x1b[2J\n", r"^(REFUSED|DONE)"),
    editor("a lone surrogate label", "a = Value(1.0, label='\\ud800')\nb = a * 2\n", r"^(REFUSED|DONE)"),
    editor("a markup label", "a = Value(1.0, label='[link=a:b]x[/]')\nb = a * 2\n", r"^DONE"),
    editor("a 20,000-character label", "a = Value(1.0, label='" + "l" * 20_000 + "')\nb = a * 2\n", r"^(REFUSED|DONE)"),
    editor("BOM and CRLF", "\ufeffa = Value(1.0)\r\nb = a * 2\r\n", r"^(REFUSED|DONE)"),
    editor("tabs and form feeds", "a = Value(1.0)\n\x0cb = a\t* 2\n", r"^(REFUSED|DONE)"),
    editor("bidi override", "a = Value(1.0)\nb = a \u202e* 2\n", REFUSED),
    editor("10,000 statements", "a = Value(1.0)\n" * 10_000, REFUSED),
    editor("unclosed string", "a = Value('\n", REFUSED),
    editor("only a comment", "# nothing\n", r"^(REFUSED|DONE)"),
    editor("empty", "", r"^(REFUSED|DONE)"),
]

CONTROLS = [
    control("lr", "1.5e308", r"^REFUSED: lr: expected a number above 0 to 1e\+06"),
    control("lr", "1e309", r"^REFUSED: lr: lr must be a finite number, not inf"),
    control("lr", "nan", r"^REFUSED: lr: lr must be a finite number, not nan"),
    control("lr", "-inf", r"^REFUSED: lr: lr must be a finite number, not -inf"),
    control("lr", "0", r"^REFUSED: lr: expected a number above 0"),
    control("lr", "1e6", r"^DONE"),
    control("lr", "linear 1 0.1 " + "9" * 32, r"^REFUSED: '9+…?' has 32 digits"),
    control(
        "lr", "linear 1 0.1 1000000001", r"^REFUSED: lr \(steps\): expected a whole number from 1 to 1,000,000,000"
    ),
    control("lr", "linear 1 0.1 1000000000", r"^DONE"),
    control("lr", "step_decay 1 1e300 1", r"^REFUSED: lr \(factor\): expected a number above 0 to 1,?000"),
    control("lr", "cosine 1e400 0 10", r"^REFUSED: lr: start must be a finite number"),
    control("lr", "warp 1 2 3", r"^REFUSED: unknown schedule 'warp'"),
    control("lr", "linear 1 2 3 4 5", r"^REFUSED: linear takes 3 numbers"),
    control("lr", "x" * 100_000, r"^REFUSED: 'x+…' is not a number"),
    control("lr", "\x1b]0;PWNED\x07", r"^REFUSED: .* is not a number"),
    control("l2", "2e6", r"^REFUSED: l2: expected a number from 0 to 10, not 2e\+06"),
    control("l2", "10", r"^DONE"),
    control("l2", "-0.0", r"^(DONE|REFUSED)"),
    control("momentum", "1", r"^REFUSED: mom: expected a number from 0 to below 1"),
    control("seed", str(2**64), r"^REFUSED: seed: expected a whole number from 0 to 4,294,967,295"),
    control("init", str(2**32 - 1), r"^DONE"),
    control("init", "-1", r"^REFUSED: init: expected a whole number"),
    control("samples", "1" + "0" * 40, r"^REFUSED: '10+…' has 41 digits"),
    control("samples", "10001", r"^REFUSED: n: expected a whole number from 2 to 10,000"),
    control("samples", "1e3", r"^REFUSED: '1e3' is not a whole number"),
    control("noise", "1e308", r"^REFUSED: noise: expected a number from 0 to 10"),
    control("test", "91", r"^REFUSED: test%: expected a whole number from 0 to 90"),
    control("layers", "16," * 20 + "1", r"^REFUSED: layers: expected 1 to 8 layer sizes"),
    control("layers", "513,1", r"^REFUSED: layers \(layer 1\): expected a whole number from 1 to 512"),
    control("layers", ",,,", r"^REFUSED: give the layer sizes"),
    control("batch", "0", r"^REFUSED: batch: expected a whole number from 1 to 10,000"),
    control("batch", "all", r"^DONE"),
    control("features", "x1^2,x9", r"^REFUSED: inputs: "),
    control("steps", "9" * 40, r"^REFUSED: '9+…?' has 40 digits"),
    control("steps", "1000000001", r"^REFUSED: steps: expected a whole number from 1 to 1,000,000,000"),
    control("steps", "∞", r"^DONE"),
]

APIS = [
    api(
        "l2 2e6",
        {"do": "configure", "changes": {"training": {"l2": 2e6}}},
        r"^REFUSED: l2: expected a number from 0 to 10",
    ),
    api(
        "model.seed 2**64",
        {"do": "configure", "changes": {"model": {"seed": 2**64}}},
        r"^REFUSED: init: expected a whole number",
    ),
    api(
        "lr 1.5e308",
        {"do": "configure", "changes": {"training": {"lr": {"schedule": "constant", "lr": 1.5e308}}}},
        r"^REFUSED: lr: expected",
    ),
    api(
        "schedule 32-digit steps",
        {
            "do": "configure",
            "changes": {"training": {"lr": {"schedule": "linear", "start": 1, "end": 0.1, "steps": 10**31}}},
        },
        r"^REFUSED: lr \(steps\)",
    ),
    api(
        "unknown section",
        {"do": "configure", "changes": {"weights": {}}},
        r"^REFUSED: changes: expected an object with keys among",
    ),
    api("changes a list", {"do": "configure", "changes": [1]}, r"^REFUSED: changes: expected an object"),
    api("unknown action", {"do": "fly"}, r"^REFUSED: action: expected an object with 'do' among"),
    api("train 0 steps", {"do": "train", "steps": 0}, r"^REFUSED: steps: expected a whole number"),
    api(
        "train 10**20 steps",
        {"do": "train", "steps": 10**20},
        r"^REFUSED: this session has 0 training steps; 100,000,000,000,000,000,000 more would pass",
    ),
    api(
        "train 100001 steps",
        {"do": "train", "steps": 100_001},
        r"^REFUSED: this session has 0 training steps; 100,001 more",
    ),
    api(
        "set_parameter 1e300",
        {"do": "set_parameter", "layer": 0, "neuron": 0, "parameter": "b", "value": 1e300},
        r"^REFUSED: set_parameter.value",
    ),
    api(
        "set_parameter parameter w99",
        {"do": "set_parameter", "layer": 0, "neuron": 0, "parameter": "w99", "value": 1.0},
        r"^REFUSED",
    ),
    api("select_neuron layer 99", {"do": "select_neuron", "layer": 99, "neuron": 0}, r"^REFUSED"),
    api(
        "trace 10**9",
        {"do": "trace", "sample": 10**9},
        r"^REFUSED: trace: sample: expected a whole number from 0 to 99",
    ),
    api("stepper position 10**9", {"do": "stepper", "mode": "backward", "position": 10**9}, r"^REFUSED"),
    api(
        "stepper mode x",
        {"do": "stepper", "mode": "sideways", "position": 0},
        r"^REFUSED: stepper.mode: expected one of",
    ),
    api(
        "add_point 1.5e308",
        {"do": "add_point", "position": [1.5e308, 0.0], "label": 1},
        r"^REFUSED: add_point: the position needs 2 finite numbers",
    ),
    api("add_point class 10**6", {"do": "add_point", "position": [0.0, 0.0], "label": 10**6}, r"^REFUSED"),
    api("remove_point -1", {"do": "remove_point", "index": -1}, r"^REFUSED"),
    api(
        "import 10,001 rows",
        {"do": "import_data", "name": "a.csv", "points": [[0.0, 1.0]] * 10_001, "labels": [0, 1] * 5000 + [0]},
        r"^REFUSED: import_data: expected 2 to 10,000 rows",
    ),
    api(
        "import a 256-character name",
        {"do": "import_data", "name": "n" * 256, "points": [[0.0], [1.0]], "labels": [0, 1]},
        r"^REFUSED: import_data: expected the file's name",
    ),
    api(
        "import class 5000",
        {"do": "import_data", "name": "a.csv", "points": [[0.0], [1.0]], "labels": [0, 5000]},
        r"^REFUSED: import_data: the numbers must be finite",
    ),
    api(
        "select a missing label",
        {"do": "select", "label": "\x1b[2J" * 100},
        r"^REFUSED: select: no node labelled '\\x1b\[2J",
    ),
    api("preset unknown", {"do": "preset", "name": "[/]"}, r"^REFUSED: preset: expected one of"),
    api(
        "forget_zero_grad yes",
        {"do": "forget_zero_grad", "on": "yes"},
        r"^REFUSED: forget_zero_grad: expected true or false",
    ),
]

PATHS = [
    path("a NUL", "bad\x00name.json", r"^REFUSED: a file name cannot contain a NUL character"),
    path("a folder", "work", r"^REFUSED: work is a folder; type a file name in it", {"work": FOLDER}),
    path("a named pipe", "pipe.json", r"^REFUSED: it is a named pipe \(FIFO\), not a file", {"pipe.json": FIFO}),
    path("inside a device", "/dev/null/x.json", r"^REFUSED: Not a directory"),
    path("a 300-byte name", "n" * 300, r"^REFUSED: a file or folder name in that path is 300 bytes"),
    path("a 5,000-byte path", "d/" * 2500, r"^REFUSED: that path is 5,000 bytes long"),
    path("a missing folder", "missing/x.json", r"^REFUSED: x.json was not saved: its folder does not exist"),
    path("a lone surrogate", "\ud800.json", r"^REFUSED: \\ud800.json cannot be a file name"),
    path("a 245-character name", "n" * 240 + ".json", r"^DONE", new=("n" * 240 + ".json",)),
    path("control characters", "a\x1b[2J.json", r"^DONE", new=("a\x1b[2J.json",)),
    path("markup", "[link=a:b]x.json", r"^DONE", new=("[link=a:b]x.json",)),
    path("no suffix", "lesson", r"^DONE", new=("lesson.json",)),
]
CASES = EDITOR + CONTROLS + APIS + PATHS


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_all(CASES, tmp_path_factory.mktemp("hostile-workbench"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_workbench_input(case, outcomes):
    judge(case, outcomes[case.id])
