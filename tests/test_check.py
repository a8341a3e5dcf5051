"""`micrograd-tui check` (issue 11): distinct exit codes -- 0 all OK, 1 a mismatch, 2 unreadable or invalid, 3 too
large to replay -- and everything from a file printed escaped, never raw."""

from __future__ import annotations

import io
import json

from tui import replay, samples
from tui.replay import check_main
from tui.replay_budget import BUDGET_SECONDS, training_seconds
from tui.session import loads


def sample_text(name: str) -> str:
    return samples.find(name).path.read_text()


def test_every_sample_is_well_within_the_budget():
    for sample in samples.samples():
        seconds, _ = training_seconds(loads(sample.path.read_bytes()))
        assert seconds < BUDGET_SECONDS / 100, sample.name


def test_a_memory_error_while_replaying_is_exit_3_with_a_sentence(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text(sample_text("tanh_neuron"))

    def out_of_memory(self, action):
        raise MemoryError

    monkeypatch.setattr(replay.new_workbench(None).__class__, "apply", out_of_memory)
    out = io.StringIO()
    assert check_main([str(path)], out) == 3
    assert out.getvalue() == f"TOO LARGE  {path}  replaying it ran out of memory, so it was not checked to the end\n"


def test_the_exit_code_is_the_worst_of_all_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(sample_text("tanh_neuron"))
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    out = io.StringIO()
    assert check_main([str(good), str(bad), str(good)], out) == 2
    assert [line.split()[0] for line in out.getvalue().splitlines()] == ["OK", "ERROR", "OK"]


def test_an_escape_sequence_or_surrogate_from_the_file_is_printed_escaped(tmp_path):
    data = json.loads(sample_text("tanh_neuron"))
    text = json.dumps(data)[:-1] + ', "\\u001b]0;PWNED\\u0007\\ud800": 1e999}'
    path = tmp_path / "\x1b[2Jname.json"
    path.write_text(text)
    out = io.StringIO()
    assert check_main([str(path)], out) == 2
    line = out.getvalue()
    assert "\x1b" not in line and "\x07" not in line and "\ud800" not in line
    assert line.endswith("\\x1b]0;PWNED\\x07\\ud800: expected a finite number\n")
    line.encode("utf-8")  # printable on any UTF-8 terminal: a lone surrogate would raise here
