"""Sessions: the file format, its validation, atomic save, replay, and every sample session."""

from __future__ import annotations

import io
import json
import math
import os
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micrograd.expression import ExpressionError
from tui import samples, session
from tui.config import Config
from tui.replay import Replayer, check_main, replay
from tui.session import Session, SessionError

SAMPLES = sorted(samples.folder().glob("*.json"))
SMALL = next(p for p in SAMPLES if p.name == "tanh_neuron.json")
TRAINED = next(p for p in SAMPLES if p.name == "tiny_mlp_mse.json")  # small, but with step results


def small_dict() -> dict:
    return json.loads(SMALL.read_text())


def recorded_workbench():
    """A short walk through every kind of action, including a failed evaluate and a configure."""
    wb = session.new_workbench({"data": {"samples": 40}, "model": {"layers": [8, 1]}})
    wb.backward()
    wb.select("a")
    wb.zero_grad()
    with pytest.raises(ExpressionError):
        wb.evaluate("a = Value(1.0)\nb = a +")  # logged with its error, the text kept
    wb.evaluate("a = Value(3.0)\nb = a * a + a\n")
    wb.backward()
    wb.step()
    wb.train(4)
    wb.configure({"training": {"optimizer": "adamw", "lr": {"schedule": "constant", "lr": 0.01}}})
    wb.train(3)
    wb.reset()
    wb.step()
    return wb


# ---- the samples -------------------------------------------------------------------------------------------


def test_the_samples_named_in_the_issue_are_all_there():
    names = {p.stem for p in SAMPLES}
    assert {
        "readme_expression",
        "tanh_neuron",
        "tiny_mlp_mse",
        "moons_demo",
        "tanh_vs_relu",
        "diverging_lr",
        "yinyang_adamw",
    } <= names
    assert {"backprop_walkthrough", "overwrite_pitfall"} <= names  # issue 7: recorded stepper walk-throughs
    assert "network_view" in names  # issue 13: the demo with the network view open, a weight set by hand


def test_check_passes_over_every_sample():
    out = io.StringIO()
    assert check_main([str(p) for p in SAMPLES], out=out) == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    assert len(lines) == len(SAMPLES) and all(line.startswith("OK  ") for line in lines)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_each_sample_loads_with_a_title_and_description_and_is_written_canonically(path):
    loaded = session.load(path)
    assert loaded.title and loaded.title != "Untitled session" and len(loaded.description) > 40
    assert session.dumps(loaded) == path.read_text(encoding="utf-8")  # regenerating would change nothing


def test_the_diverging_sample_records_its_non_finite_loss_as_text():
    path = next(p for p in SAMPLES if p.stem == "diverging_lr")

    def refuse(token):
        raise AssertionError(f"{token} is not JSON")

    json.loads(path.read_text(), parse_constant=refuse)  # strict JSON: other tools can read it
    loaded = session.load(path)
    losses = [r["loss"] for a in loaded.actions for r in a.get("results", [])]
    assert any(not math.isfinite(x) for x in losses) and math.isfinite(losses[-1])


def test_moons_sample_matches_micrograd_demo():
    loaded = session.load(next(p for p in SAMPLES if p.stem == "moons_demo"))
    (train,) = loaded.actions
    assert train["do"] == "train" and train["steps"] == 100 and len(train["results"]) == 100
    assert train["results"][0]["lr"] == 1.0 and math.isclose(train["results"][-1]["lr"], 1.0 - 0.9 * 99 / 100)
    assert train["results"][-1]["accuracy"] == 1.0


# ---- round trip ---------------------------------------------------------------------------------------------


def test_record_save_load_replay_gives_identical_results(tmp_path):
    wb = recorded_workbench()
    recorded = Session.from_workbench(wb, title="walk", description="every action")
    path = tmp_path / "walk.json"
    session.save(recorded, path)
    loaded = session.load(path)
    assert session.dumps(loaded) == path.read_text()
    report = replay(loaded)
    assert report.ok, report.mismatch
    assert report.applied == len(wb.log) == 12
    # identical, not merely within tolerance: the same seeds run the same arithmetic
    assert json.dumps(report.workbench.log, sort_keys=True) == json.dumps(wb.log, sort_keys=True)
    assert report.workbench.history == wb.history
    assert report.workbench.log[3]["error"].startswith("line 2")


def test_a_changed_result_is_a_mismatch_naming_action_and_step():
    wb = session.new_workbench()
    wb.train(5)
    recorded = json.loads(session.dumps(Session.from_workbench(wb)))
    recorded["actions"][0]["results"][2]["loss"] *= 1 + 1e-6
    report = replay(session.loads(json.dumps(recorded)))
    assert not report.ok and str(report.mismatch).startswith("actions[0] step 2: loss recorded")
    recorded["actions"][0]["results"][2]["loss"] /= 1 + 1e-6
    recorded["actions"][0]["results"][2]["loss"] *= 1 + 1e-12  # within the 1e-9 tolerance
    assert replay(session.loads(json.dumps(recorded))).ok


def test_check_main_exit_codes_and_lines(tmp_path):
    good = str(SMALL)
    tampered = json.loads(TRAINED.read_text())  # a sample with step results to tamper with
    bad_step = next(i for i, a in enumerate(tampered["actions"]) if a.get("results"))
    tampered["actions"][bad_step]["results"][0]["accuracy"] = 0.123
    mismatched = tmp_path / "mismatch.json"
    mismatched.write_text(json.dumps(tampered))
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "micrograd-tui/session", "version": 1, "expression": "')
    out = io.StringIO()
    assert check_main([good, str(mismatched)], out=out) == 1
    assert out.getvalue().splitlines()[1].startswith(f"MISMATCH  {mismatched}  actions[{bad_step}] step ")
    out = io.StringIO()
    assert check_main([good, str(broken), str(mismatched)], out=out) == 2
    assert "broken.json is not valid JSON" in out.getvalue() and "Traceback" not in out.getvalue()
    assert check_main([], out=io.StringIO()) == 2


def test_unknown_keys_are_kept_not_fatal():
    data = small_dict()
    data["made_with"] = {"tool": "a newer minor version", "n": 3}
    data["actions"][0]["note"] = "shown to the class"
    data["config"]["data"]["colour"] = "blue"
    loaded = session.loads(json.dumps(data))
    assert loaded.extra == {"made_with": {"tool": "a newer minor version", "n": 3}}
    again = json.loads(session.dumps(loaded))
    assert again["made_with"] == data["made_with"] and again["actions"][0]["note"] == "shown to the class"


def test_replayer_steps_back_and_forth_to_the_same_states():
    wb = recorded_workbench()
    recorded = Session.from_workbench(wb)
    player = Replayer(recorded)
    states = []
    while not player.at_end:
        player.forward()
        states.append((json.dumps(player.workbench.log), list(player.workbench.history), player.workbench.source))
    assert player.mismatch is None and player.forward() is None
    for position in (7, 3, 11, 0, 12, 1):
        player.seek(position)
        assert player.position == position
        if position:
            assert (json.dumps(player.workbench.log), player.workbench.history, player.workbench.source) == states[
                position - 1
            ]
    player.seek(9)
    player.back()
    assert player.position == 8 and player.last_action == recorded.actions[7]


def test_leaving_replay_branches_the_session():
    recorded = session.load(next(p for p in SAMPLES if p.stem == "moons_demo"))
    player = Replayer(recorded)
    player.forward()
    wb = player.branch()
    wb.train(5)
    branch = Session.from_workbench(wb, title="more")
    # the same config; settings newer than the file are filled in with their defaults
    assert branch.config == Config.from_dict(recorded.config).to_dict()
    assert {k: v for k, v in branch.config["data"].items() if k in recorded.config["data"]} == recorded.config["data"]
    assert [a["do"] for a in branch.actions] == ["train", "train"]
    assert branch.actions[1]["results"][0]["step"] == 100  # steps count from 0
    assert replay(branch).ok


# ---- corrupt files: each refused with its sentence, nothing overwritten ------------------------------------


def _mutated(change) -> str:
    data = small_dict()
    change(data)
    return json.dumps(data)


def _set_first_train(field, value):
    def change(data):
        data["actions"][0] = {"do": "train", "steps": 3, "results": []}
        data["actions"][0][field] = value

    return change


CORRUPT = {
    "truncated": (lambda: SMALL.read_bytes()[:300], "is not valid JSON (line"),
    "wrong type": (lambda: _mutated(_set_first_train("steps", "ten")), "actions[0].steps: expected a positive integer"),
    "zero steps": (lambda: _mutated(_set_first_train("steps", 0)), "actions[0].steps: expected a positive integer"),
    "huge float": (
        lambda: _mutated(
            lambda d: d["history"].append({"step": 1, "loss": 1, "data_loss": 1, "reg_loss": 0, "accuracy": 0, "lr": 1})
        ).replace('"lr": 1}', '"lr": 1e999}'),
        "history[0].lr: expected a finite number",
    ),
    "huge int": (
        lambda: _mutated(lambda d: None).replace('"version": 1', '"version": 1' + "0" * 5000),
        "has 5001 digits",
    ),
    "NaN token": (
        lambda: _mutated(lambda d: d["config"]["training"].update(l2=0.123456)).replace("0.123456", "NaN"),
        "config.training.l2: expected a finite number",
    ),
    "binary garbage": (lambda: bytes(range(256)) * 64, "is not UTF-8 text"),
    "version 99": (
        lambda: _mutated(lambda d: d.update(version=99)),
        "was written by a newer micrograd-tui (version 99); this one reads version 2",
    ),
    "not a session": (lambda: '{"hello": "world"}', 'format: expected "micrograd-tui/session"'),
    "missing actions": (lambda: _mutated(lambda d: d.pop("actions")), "actions: required field is missing"),
    "unknown action": (lambda: _mutated(lambda d: d["actions"].append({"do": "fly"})), ".do: expected one of"),
    "bad config name": (
        lambda: _mutated(lambda d: d["config"]["data"].update(name="spirals")),
        "config: data: expected one of moons",
    ),
    "too deep": (lambda: "[" * 100_000, "nests lists or objects more than 32 levels deep (line 1, column 33)"),
}


@pytest.mark.parametrize("case", CORRUPT)
def test_a_corrupt_file_is_refused_with_one_sentence_and_left_alone(tmp_path, case):
    make, sentence = CORRUPT[case]
    content = make()
    path = tmp_path / "corrupt.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = path.read_bytes()
    with pytest.raises(SessionError) as caught:
        session.load(path)
    message = str(caught.value)
    assert sentence in message and message.startswith("corrupt.json") and "\n" not in message
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["corrupt.json"]


def test_a_100_megabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.json"
    with path.open("wb") as handle:
        handle.truncate(100 * 2**20)  # sparse: costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(SessionError, match="big.json is larger than 64 MB"):
            session.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # nothing close to the file's size was read into memory


# ---- saving --------------------------------------------------------------------------------------------------


def test_save_is_atomic_and_keeps_the_old_file_when_it_fails(tmp_path, monkeypatch):
    good = session.load(SMALL)
    path = tmp_path / "lesson.json"
    session.save(good, path)
    before = path.read_bytes()
    broken = session.load(SMALL)
    broken.actions.append({"do": "train", "steps": 0, "results": []})  # cannot be read back
    with pytest.raises(SessionError, match=r"lesson.json was not saved: actions\[\d+\].steps: expected a positive"):
        session.save(broken, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["lesson.json"]

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SessionError, match="lesson.json was not saved: No space left on device"):
        session.save(good, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["lesson.json"]
    monkeypatch.undo()
    with pytest.raises(SessionError, match="was not saved"):
        session.save(good, tmp_path / "no such folder" / "x.json")


def test_save_keeps_an_existing_files_permissions(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("{}")
    path.chmod(0o640)
    session.save(session.load(SMALL), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_the_file_is_diff_friendly():
    text = session.dumps(session.load(next(p for p in SAMPLES if p.stem == "moons_demo")))
    result_lines = [line for line in text.splitlines() if line.lstrip().startswith('{"step": ')]
    assert len(result_lines) == 200  # 100 in the action, 100 in the history: one line per step result
    assert text.index('"format"') < text.index('"version"') < text.index('"actions"')


# ---- property: whatever the mutation, a SessionError or a session, never another exception ----------------

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["nan", "inf", "train"]),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_sessions_load_or_fail_with_a_session_error(data):
    document = json.loads(data.draw(st.sampled_from([SMALL, TRAINED])).read_text())
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            kind = data.draw(st.sampled_from(["replace", "delete"]))
            if kind == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(JSON_VALUE)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    text = json.dumps(document)
    if data.draw(st.booleans()):
        text = text[: data.draw(st.integers(0, len(text)))]
    try:
        loaded = session.loads(text)
    except SessionError as err:
        assert str(err) and "\n" not in str(err)
    else:
        session.loads(session.dumps(loaded))  # what loads accepted, dumps writes and loads accepts again


def test_a_session_on_the_reference_engine_replays_too():
    wb = session.new_workbench(
        {"data": {"samples": 12}, "model": {"layers": [3, 1]}, "training": {"engine": "reference"}}
    )
    wb.train(3)
    wb.configure({"training": {"batch_size": 4}})
    wb.train(2)
    report = replay(session.loads(session.dumps(Session.from_workbench(wb))))
    assert report.ok, report.mismatch
    # batch is a live setting: the model and its history go on (version 2), and the mark is replayed too
    assert report.workbench.history == wb.history and len(wb.history) == 5
    assert report.workbench.marks == wb.marks == [{"step": 3, "text": "batch = 4"}]


def test_a_version_1_session_replays_with_version_1_meaning():
    """Version 1: every configure built a new model. Such files replay as they were recorded."""
    old = session.new_workbench(version=1)
    old.train(3)
    old.configure({"training": {"lr": {"schedule": "constant", "lr": 0.05}}})
    old.train(2)
    assert [r["step"] for r in old.history] == [0, 1]  # the lr change rebuilt the model, as version 1 did
    recorded = session.loads(session.dumps(Session.from_workbench(old)))
    assert recorded.version == 1 and json.loads(session.dumps(recorded))["version"] == 1
    report = replay(recorded)
    assert report.ok, report.mismatch
    assert report.workbench.history == old.history
    new = session.new_workbench()
    new.train(3)
    new.configure({"training": {"lr": {"schedule": "constant", "lr": 0.05}}})
    new.train(2)
    assert [r["step"] for r in new.history] == [0, 1, 2, 3, 4]


def test_any_workbench_records_its_start_so_configured_explorations_save_and_replay():
    from tui.workbench import Workbench

    wb = Workbench()
    wb.train(2)
    wb.configure({"model": {"activation": "tanh"}})
    wb.evaluate("x = Value(2.0)\ny = x.tanh()")
    wb.train(2)
    saved = Session.from_workbench(wb)
    assert saved.config["model"]["activation"] == "relu"  # the start, before the configure
    assert [a["do"] for a in saved.actions] == ["train", "configure", "evaluate", "train"]
    assert replay(saved).ok


# ---- replay inside a train action (sub-steps) ---------------------------------------------------------------


def _moons() -> Session:
    return session.load(next(p for p in SAMPLES if p.stem == "moons_demo"))


def _same_results(ours: list[dict], recorded: list[dict]) -> bool:
    """Equal keys and numbers equal within replay's tolerance (the same test `check` applies)."""
    from tui.replay import TOLERANCE

    return len(ours) == len(recorded) and all(
        a.keys() == b.keys() and all(a[k] == pytest.approx(b[k], rel=TOLERANCE, abs=TOLERANCE) for k in a)
        for a, b in zip(ours, recorded)
    )


def _parameters(wb) -> list[float]:
    wb.trainer.write_back()
    return [p.data for p in wb.model.parameters()]


def test_moving_into_a_train_action_shows_the_recorded_steps_so_far():
    recorded = _moons()
    player = Replayer(recorded)
    player.seek(0, 37)
    assert (player.position, player.substep, player.steps) == (0, 37, 100) and not player.at_start
    assert player.mismatch is None and not player.diverged
    # the recorded numbers: exact on the recording machine; elsewhere BLAS kernels may round the last bit
    # differently, so the stored sample is compared as replay compares it (within its tolerance)
    assert _same_results(player.workbench.history, recorded.actions[0]["results"][:37])
    assert [a["do"] for a in player.workbench.log] == ["train"] and player.workbench.log[0]["steps"] == 37
    # the action shown is the recorded one, cut at the step reached (its numbers as stored, not recomputed)
    assert player.last_action == {**recorded.actions[0], "results": recorded.actions[0]["results"][:37]}
    # and the recomputed run is bit-identical to an independent run in this process
    fresh = Replayer(recorded)
    fresh.seek(0, 37)
    assert player.workbench.history == fresh.workbench.history
    assert player.progress == pytest.approx(0.37)
    # forward in chunks continues the same run: the same history and weights as a fresh rebuild to that point
    for _ in range(4):
        player.advance(5)
    rebuilt = Replayer(recorded)
    rebuilt.seek(0, 57)
    assert (player.position, player.substep) == (0, 57) and len(player.workbench.log) == 1
    assert player.workbench.history == rebuilt.workbench.history
    assert _same_results(player.workbench.history, recorded.actions[0]["results"][:57])
    assert _parameters(player.workbench) == _parameters(rebuilt.workbench)
    assert json.dumps(player.workbench.log) == json.dumps(rebuilt.workbench.log)
    # playing to the end of the action completes it: the same state as applying it whole
    while not player.at_end:
        player.advance(7)
    whole = Replayer(recorded)
    whole.forward()
    assert (player.position, player.substep) == (1, 0) and player.mismatch is None
    assert json.dumps(player.workbench.log) == json.dumps(whole.workbench.log)
    assert _parameters(player.workbench) == _parameters(whole.workbench)


def test_only_train_actions_have_sub_steps_and_seek_clamps():
    recorded = Session.from_workbench(recorded_workbench())
    player = Replayer(recorded)
    assert [player.steps_of(i) for i in range(len(player))] == [0, 0, 0, 0, 0, 0, 0, 4, 0, 3, 0, 0]
    player.seek(2, 3)  # "zero_grad" has no steps: the whole action boundary
    assert (player.position, player.substep) == (2, 0)
    player.seek(7, 4)  # the end of the train 4 is the next whole position
    assert (player.position, player.substep) == (8, 0)
    player.seek(9, 2)
    assert (player.position, player.substep) == (9, 2) and player.workbench.history[-1] == recorded.actions[9][
        "results"
    ][1]
    player.advance(1)
    assert (player.position, player.substep) == (10, 0) and player.mismatch is None
    player.advance(1)  # a reset: one whole action per tick
    assert (player.position, player.substep) == (11, 0)


def test_back_and_forward_from_inside_a_train_action():
    recorded = Session.from_workbench(recorded_workbench())
    player = Replayer(recorded)
    player.seek(9, 2)
    player.back()  # to the start of the train action
    assert (player.position, player.substep) == (9, 0) and player.workbench.log[-1]["do"] == "configure"
    player.back()
    assert (player.position, player.substep) == (8, 0)
    player.seek(9, 1)
    entry = player.forward()  # finishes it
    assert (player.position, player.substep) == (10, 0) and entry["steps"] == 3
    assert json.dumps(player.workbench.log) == json.dumps(recorded.actions[:10])
    assert player.workbench.history[-3:] == recorded.actions[9]["results"]
    assert player.mismatch is None
    player.seek(7, 3)
    assert (player.position, player.substep) == (7, 3) and len(player.workbench.history) == 1 + 3


def test_leaving_inside_a_train_action_branches_with_train_k_and_replays(tmp_path):
    recorded = _moons()
    player = Replayer(recorded)
    player.advance(10)
    player.advance(10)
    wb = player.branch()
    assert [(a["do"], a["steps"]) for a in wb.log] == [("train", 20)]
    wb.train(5)
    branch = Session.from_workbench(wb, title="branch at step 20")
    assert [(a["do"], a["steps"]) for a in branch.actions] == [("train", 20), ("train", 5)]
    assert _same_results(branch.history[:20], recorded.actions[0]["results"][:20]) and branch.history[20]["step"] == 20
    session.save(branch, tmp_path / "branch.json")
    report = replay(session.load(tmp_path / "branch.json"))
    assert report.ok, report.mismatch
    assert report.workbench.history == wb.history


def test_a_tampered_result_inside_a_train_action_is_reported_at_its_step():
    data = json.loads(session.dumps(_moons()))
    data["actions"][0]["results"][42]["loss"] += 1e-3
    tampered = session.loads(json.dumps(data))
    player = Replayer(tampered)
    player.seek(0, 42)  # the first 42 steps (0..41) are as recorded
    assert player.mismatch is None
    player.advance(5)
    assert player.mismatch is not None and str(player.mismatch).startswith("actions[0] step 42: loss recorded")
    assert str(player.mismatch) == str(replay(tampered).mismatch)  # the same sentence as `check`
    player.forward()  # the first difference stays the one reported
    assert str(player.mismatch).startswith("actions[0] step 42:")
    player.seek(0, 10)  # back before it: a rebuild, nothing differs up to there
    assert player.mismatch is None
