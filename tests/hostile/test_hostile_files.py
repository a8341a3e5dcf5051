"""Hostile files and arguments: CSV data through the open dialog's import (micrograd.datasets.load_csv), exports of
hostile graphs and models (ctrl+l), and the command line's arguments. One sentence, the right exit code, no
traceback, the input files unchanged and nothing written but what was asked."""

from __future__ import annotations

import json

import pytest

from tests.hostile.harness import FIFO, FOLDER, Case, judge, run_all

DRIVE = ["-m", "tests.hostile.drive"]
SAVED = r"[\s\S]*SAVED \d+ actions"


def csv(name: str, content: object, says: str) -> Case:
    return Case(f"csv: {name}", [*DRIVE, "csv", "data.csv"], 0, says + SAVED, {"data.csv": content})


GOOD_ROWS = "x1,x2,label\n0.5,1.5,0\n-1,2,1\n3,4,0\n"
CSV = [
    csv("a named pipe", FIFO, r"^REFUSED: data.csv is a named pipe \(FIFO\), not a file; it was not read"),
    csv("a folder", FOLDER, r"^REFUSED: data.csv is a folder, not a file"),
    csv(
        "label 1e300",
        "1,2,0\n3,4,1e300\n",
        r"^REFUSED: data.csv, line 2: the label \(last column\) must be a class index",
    ),
    csv("label 1001", "1,2,0\n3,4,1001\n", r"^REFUSED: data.csv, line 2: the label .* up to 1000"),
    csv("label -1", "1,2,0\n3,4,-1\n", r"^REFUSED: data.csv, line 2: the label"),
    csv("label 0.5", "1,2,0\n3,4,0.5\n", r"^REFUSED: data.csv, line 2: the label"),
    csv("label nan", "1,2,0\n3,4,nan\n", r"^REFUSED: data.csv, line 2: every number must be finite"),
    csv("a feature 1e309", "1,2,0\n1e309,4,1\n", r"^REFUSED: data.csv, line 2: every number must be finite"),
    csv(
        "a 131,072-character field",
        "1,2,0\n" + "9" * 131_072 + ",4,1\n",
        r"^REFUSED: data.csv, line 2: (a cell of 131,072 characters|not readable as CSV)",
    ),
    csv(
        "a 2,000-character field",
        "1,2,0\n" + "1" * 2000 + ",4,1\n",
        r"^REFUSED: data.csv, line 2: a cell of 2,000 characters",
    ),
    csv("BOM before numbers", "\ufeff1,2,0\n3,4,1\n", r"^DONE"),
    csv("BOM before a header", "\ufeff" + GOOD_ROWS, r"^DONE"),
    csv("a good file", GOOD_ROWS, r"^DONE"),
    csv("CRLF lines", GOOD_ROWS.replace("\n", "\r\n"), r"^DONE"),
    csv("a NUL", "1,2,0\n3,\x004,1\n", r"^REFUSED: data.csv, line 2"),
    csv("a stray quote", '1,2,0\n3,"4,1\n', r"^REFUSED: data.csv, line \d+"),
    csv("binary", bytes(range(256)) * 10, r"^REFUSED: data.csv is not UTF-8 text \(byte 128\)"),
    csv("UTF-16", GOOD_ROWS.encode("utf-16"), r"^REFUSED: data.csv is not UTF-8 text"),
    csv("empty", "", r"^REFUSED: data.csv: no data rows"),
    csv("only a header", "x,y,label\n", r"^REFUSED: data.csv: no data rows"),
    csv("ragged rows", "1,2,0\n1,2\n", r"^REFUSED: data.csv, line 2: 2 columns, but the file's rows have 3"),
    csv("one column", "5\n6\n", r"^REFUSED: data.csv, line 1: a row needs at least one feature and a label"),
    csv("100 columns", ",".join(["1"] * 100) + "\n", r"^REFUSED: data.csv, line 1: 100 columns; at most 65"),
    csv(
        "10,001 rows",
        "".join(f"{i},{i},{i % 2}\n" for i in range(10_001)),
        r"^REFUSED: data.csv, line 10001: more than 10,000 data rows",
    ),
    csv("10,000 rows", "".join(f"{i},{i},{i % 2}\n" for i in range(10_000)), r"^DONE"),
    csv("over 16 MB", "1,2,0\n" + "#" * (17 * 2**20), r"^REFUSED: data.csv is larger than 16 MB"),
    csv("one class only", "1,2,0\n3,4,0\n", r"^REFUSED: import_data: data.csv has only one class"),
    csv(
        "escape sequences in a cell",
        "1,2,0\n\x1b]0;PWNED\x07,4,1\n",
        r"^REFUSED: data.csv, line 2: '\\x1b\]0;PWNED\\x07' is not a number",
    ),
    csv("a lone surrogate", "1,2,0\n\ud800,4,1\n", r"^REFUSED: data.csv is not UTF-8 text"),
    csv("markup in a header", "[link=a:b]x,[/],label\n1,2,0\n3,4,1\n", r"^DONE"),
]


def export(name: str, kind: str, source: str | None, out: str, code: int, says: str, files=None, new=()) -> Case:
    argv = [*DRIVE, "export", kind, json.dumps(out)] + (["src.txt"] if source is not None else [])
    files = dict(files or {})
    if source is not None:
        files["src.txt"] = source
    return Case(f"export {kind}: {name}", argv, code, says + SAVED, files, new)


LABEL = "a = Value(2.0, label={label!r})\nb = a * 3\n"
EXPORTS = [
    export("a 16 KB label as DOT", "dot", LABEL.format(label="L" * 16_384), "g.dot", 0, r"^DONE", new=("g.dot",)),
    export(
        "a 16 KB label as SVG (real dot)", "svg", LABEL.format(label="L" * 16_384), "g.svg", 0, r"^DONE", new=("g.svg",)
    ),
    export(
        "a Mermaid directive in a label",
        "mermaid",
        LABEL.format(label="%%{init: {'theme':'dark'}}%%"),
        "g.mmd",
        0,
        r"^DONE",
        new=("g.mmd",),
    ),
    export(
        "escape sequences in a label",
        "dot",
        LABEL.format(label="\x1b]0;PWNED\x07"),
        "g.dot",
        0,
        r"^DONE",
        new=("g.dot",),
    ),
    export(
        "onto a named pipe",
        "dot",
        LABEL.format(label="a"),
        "pipe.dot",
        0,
        r"^REFUSED: pipe.dot was not written: it is a named pipe",
        {"pipe.dot": FIFO},
    ),
    export(
        "onto a folder",
        "dot",
        LABEL.format(label="a"),
        "out",
        0,
        r"^REFUSED: out was not written: it is a folder",
        {"out": FOLDER},
    ),
    export("a NUL in the path", "dot", LABEL.format(label="a"), "g\x00.dot", 0, r"^REFUSED: .*NUL character"),
    export(
        "into a missing folder",
        "json",
        None,
        "no/mlp.json",
        0,
        r"^REFUSED: mlp.json was not written: its folder does not exist",
    ),
    export("a 245-character name", "json", None, "m" * 240 + ".json", 0, r"^DONE", new=("m" * 240 + ".json",)),
    export("a 300-byte name", "json", None, "m" * 300, 0, r"^REFUSED: .* 300 bytes; the limit is 255"),
    export("a kind that does not exist", "exe", None, "x.exe", 0, r"^REFUSED: export: expected one of"),
    export("over an existing file", "csv", None, "old.csv", 0, r"^DONE", {"old.csv": b"old"}),
]
EXPORTS[-1].files = {}  # (replacing a file changes it on purpose: tests/test_files.py checks its mode and content)
EXPORTS[-1].new = ("old.csv",)


def cli(name: str, argv: list[str], code: int, says: str, files=None) -> Case:
    return Case(f"cli: {name}", ["-m", "tui", *argv], code, says, files or {})


CLI = [
    cli(
        "a named pipe", ["p.json"], 2, r"^micrograd-tui: p.json is a named pipe \(FIFO\), not a file", {"p.json": FIFO}
    ),
    cli("a folder", ["d"], 2, r"^micrograd-tui: d is a folder, not a file", {"d": FOLDER}),
    cli("a missing file", ["nope.json"], 2, r"^micrograd-tui: nope.json: no such file, and no sample has that name"),
    cli("a missing path", ["./nope.json"], 2, r"^micrograd-tui: nope.json does not exist"),
    cli("a 300-byte name", ["x" * 300], 2, r"^micrograd-tui: x+.*(no such file|300 bytes)"),
    cli("a device", ["/dev/zero"], 2, r"^micrograd-tui: zero is a device, not a file"),
    cli(
        "escape sequences in the name",
        ["a\x1b]0;PWNED\x07.json"],
        2,
        r"^micrograd-tui: a\\x1b\]0;PWNED\\x07.json: no such file",
    ),
    cli("--replay a pipe", ["--replay", "p.json"], 2, r"^micrograd-tui: p.json is a named pipe", {"p.json": FIFO}),
    cli("--speed nan", ["--speed", "nan", "x.json"], 2, r"--speed must be a positive number"),
    cli("--speed -1", ["--speed", "-1", "x.json"], 2, r"--speed must be a positive number"),
    cli("--speed text", ["--speed", "fast"], 2, r"invalid float value: 'fast'"),
    cli("--theme unknown", ["--theme", "[/]"], 2, r"no theme called '\[/\]'"),
    cli("both SESSION and --replay", ["a.json", "--replay", "b.json"], 2, r"give either SESSION"),
    cli("check without files", ["check"], 2, r"the following arguments are required: SESSION"),
    cli("check a pipe", ["check", "p.json"], 2, r"^ERROR  p.json  p.json is a named pipe", {"p.json": FIFO}),
    cli("check a folder", ["check", "d"], 2, r"^ERROR  d  d is a folder", {"d": FOLDER}),
    cli("check /dev/zero", ["check", "/dev/zero"], 2, r"^ERROR  /dev/zero  zero is a device"),
    cli("check a sample by name", ["check", "tanh_neuron"], 0, r"^OK  tanh_neuron  \(12 actions, 0 steps\)"),
    cli(
        "check a sample and a pipe",
        ["check", "tanh_neuron", "p.json"],
        2,
        r"^OK  tanh_neuron[\s\S]*ERROR  p.json",
        {"p.json": FIFO},
    ),
    cli("serve on port 99999", ["serve", "--port", "99999"], 2, r"a port is a whole number from 1 to 65535"),
    cli("samples with an argument", ["samples", "extra"], 2, r"unrecognized arguments: extra"),
]

CASES = CSV + EXPORTS + CLI


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_all(CASES, tmp_path_factory.mktemp("hostile-files"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_or_argument(case, outcomes):
    judge(case, outcomes[case.id])
