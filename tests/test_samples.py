"""The shipped samples found by name (tui.samples), the cheap is-this-a-session look, and the command line's
`samples`, `check NAME` and SESSION-by-name."""

from __future__ import annotations

import io
import json

import pytest

from micrograd.export import mlp_to_json
from micrograd.nn import MLP
from tui import cli, samples, session
from tui.replay import check_main
from tui.session import SessionError


def test_every_shipped_sample_is_listed_by_name_with_the_title_a_full_load_gives():
    found = samples.samples()
    files = sorted(samples.folder().glob("*.json"))
    assert [s.name for s in found] == [p.stem for p in files] and len(found) >= 9
    for sample in found:
        assert sample.title == session.load(sample.path).title


def test_a_sample_is_found_with_or_without_json_and_unknown_names_are_none():
    assert samples.find("moons_demo").path.name == "moons_demo.json"
    assert samples.find("moons_demo.json").name == "moons_demo"
    assert samples.find("no_such_sample") is None


def test_resolve_prefers_an_existing_file_then_a_sample_and_names_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert samples.resolve("tanh_neuron") == samples.find("tanh_neuron").path
    (tmp_path / "tanh_neuron").write_text("{}")  # a file of that name in the working folder wins
    assert samples.resolve("tanh_neuron") == tmp_path.joinpath("tanh_neuron").relative_to(tmp_path)
    assert samples.resolve("sub/missing.json").as_posix() == "sub/missing.json"  # a path: load will say why
    with pytest.raises(SessionError) as caught:
        samples.resolve("moons_dem")
    assert str(caught.value).startswith("moons_dem: ") and "micrograd-tui samples" in str(caught.value)


def test_peek_tells_sessions_from_other_json_without_a_full_load(tmp_path):
    export = tmp_path / "mlp.json"
    export.write_text(json.dumps(mlp_to_json(MLP(2, [3, 1]))))
    text = tmp_path / "notes.json"
    text.write_text("not json at all")
    mine = tmp_path / "mine.json"
    recorded = session.Session(
        expression="a = Value(1.0)", config=session.new_workbench().start["config"], title='say "hi" \\ [b]bold[/b]'
    )
    session.save(recorded, mine)
    assert samples.peek_title(export) is None
    assert samples.peek_title(text) is None
    assert samples.peek_title(tmp_path / "absent.json") is None
    assert samples.peek_title(mine) == 'say "hi" \\ [b]bold[/b]'


def test_cli_samples_lists_each_name_with_its_title(capsys):
    assert cli.main(["samples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(samples.samples())
    moons = next(line for line in lines if line.startswith("moons_demo "))
    assert moons.split(None, 1)[1] == samples.find("moons_demo").title


def test_check_takes_sample_names_and_says_a_bad_files_name_once(tmp_path):
    broken = tmp_path / "broken.json"
    data = json.loads(samples.find("tanh_neuron").path.read_text())
    data["actions"] = "many"
    broken.write_text(json.dumps(data))
    out = io.StringIO()
    assert check_main(["tanh_neuron", "readme_expression.json", str(broken), "moons_dem"], out=out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("OK  tanh_neuron  (") and lines[1].startswith("OK  readme_expression.json  (")
    assert lines[2].startswith(f"ERROR  {broken}  actions") and lines[2].count("broken.json") == 1
    assert lines[3].startswith("ERROR  moons_dem  ") and lines[3].count("moons_dem") == 1
