"""One set of limits (tui/limits.py) for the workbench and the session format (issue 11): every action kind the
format knows -- the list comes from the schema, so a new kind without a case here fails -- is driven at its limits
and just past them. At the limit it is accepted; past it, it is refused with a ValueError sentence (nothing
logged) or recorded in a form the format holds; and either way the session saves and reads back the same."""

from __future__ import annotations

import contextlib
import json
import re

import pytest

from micrograd.expression import ExpressionError
from tui import limits as L
from tui import session
from tui.session_schema import ACTIONS
from tui.workbench import Workbench


def saves_and_reloads(wb: Workbench, tmp_path) -> session.Session:
    recorded = session.Session.from_workbench(wb)
    path = tmp_path / "limits.json"
    session.save(recorded, path)
    back = session.load(path)
    assert json.loads(session.dumps(back)) == json.loads(session.dumps(recorded))
    return back


def refused(action, wb: Workbench, errors=(ValueError,)) -> None:
    before = list(wb.log)
    with pytest.raises(errors):
        action(wb)
    assert wb.log == before  # nothing recorded that the format would refuse


@pytest.fixture
def small_session(monkeypatch):
    """Session-wide bounds small enough to reach in a test (the same code paths as the real ones)."""
    monkeypatch.setattr(L, "MAX_ACTIONS", 4)
    monkeypatch.setattr(L, "MAX_SESSION_STEPS", 50)
    monkeypatch.setattr(L, "MAX_TRAIN_STEPS", 20)


def full(wb: Workbench) -> Workbench:
    while len(wb.log) < L.MAX_ACTIONS:
        wb.forget_zero_grad(False)
    return wb


def evaluate_at(wb):
    wb.evaluate("a = Value(1.0)\nb = a * 2\n" + "#" * (L.MAX_SOURCE - 25))


def evaluate_long_error(wb):
    with pytest.raises(ExpressionError):
        wb.evaluate("y = " + "q" * 20_000 + "\n")
    assert len(wb.log[-1]["error"]) <= L.MAX_ERROR


def evaluate_past(wb):
    with pytest.raises(ExpressionError, match=r"at most 100,000 can be evaluated and saved"):
        wb.evaluate("a = Value(1.0)\n" + "#" * L.MAX_SOURCE)


def select_long(length):
    def act(wb):
        wb.evaluate("a = Value(1.0)\nb = a * 2\n")
        wb.output.label = "x" * length
        wb.select("x" * length)
        label = wb.log[-1]["label"]
        assert label == "x" * length if length <= L.MAX_LABEL else re.fullmatch(r"#\d+", label)
        assert wb.find(label) is wb.output  # the id finds the same node on replay

    return act


def select_surrogate(wb):
    wb.evaluate("a = Value(1.0)\nb = a * 2\n")
    wb.output.label = "\ud800"
    wb.select("\ud800")


def configure(section, name, value):
    return lambda wb: wb.configure({section: {name: value}})


def train_whole_session(wb):
    wb.configure({"data": {"samples": 4}, "model": {"layers": [1]}, "training": {"loss": "mse"}})
    run = wb.start_training()  # "steps ∞": the run stops by itself where the session is full
    while run.step() is not None:
        pass
    assert run.full is not None and "the most a session file holds" in run.full
    wb.finish_training(run)
    assert [e["steps"] for e in wb.log if e["do"] == "train"] == [20, 20, 10]  # at most MAX_TRAIN_STEPS an entry


def stepper_at_end(wb):
    wb.step_through("backward", 0)
    wb.step_through("backward", wb.stepping.total)


def set_parameter(value):
    return lambda wb: wb.set_parameter(0, 0, "b", value)


def import_rows(rows, name="data.csv", width=2):
    points = [[float(i % 7)] * width for i in range(rows)]
    return lambda wb: wb.import_data(name, points, [i % 2 for i in range(rows)])


# kind -> ([actions at the limit], [actions just past it, each refused or recorded in a form the format holds])
CASES = {
    "evaluate": ([evaluate_at, evaluate_long_error], [evaluate_past]),
    "backward": ([lambda wb: wb.backward()], [lambda wb: full(wb).backward()]),
    "zero_grad": ([lambda wb: wb.zero_grad()], [lambda wb: full(wb).zero_grad()]),
    "step": ([lambda wb: wb.step()], [lambda wb: full(wb).step()]),
    "train": ([train_whole_session], [lambda wb: wb.train(51)]),
    "reset": ([lambda wb: wb.reset()], [lambda wb: full(wb).reset()]),
    "configure": (
        [
            configure("training", "lr", {"schedule": "constant", "lr": L.MAX_LR}),
            configure(
                "training", "lr", {"schedule": "linear", "start": 1.0, "end": 0.1, "steps": L.MAX_SCHEDULE_STEPS}
            ),
            configure(
                "training", "lr", {"schedule": "step_decay", "start": 1.0, "factor": L.MAX_DECAY_FACTOR, "every": 1}
            ),
            configure("training", "l2", L.MAX_L2),
            configure("model", "seed", L.MAX_SEED),
            configure("data", "seed", L.MAX_SEED),
        ],
        [
            configure("training", "lr", {"schedule": "constant", "lr": 1.5e308}),
            configure("training", "lr", {"schedule": "linear", "start": 1.0, "end": 0.1, "steps": 10**31}),
            configure("training", "lr", {"schedule": "step_decay", "start": 1.0, "factor": 1e300, "every": 1}),
            configure("training", "l2", 2e6),
            configure("model", "seed", 2**64),
            configure("data", "test_percent", L.MAX_TEST_PERCENT + 1),
        ],
    ),
    "preset": ([lambda wb: wb.preset("demo")], [lambda wb: wb.preset("x" * 100)]),
    "select": ([select_long(L.MAX_LABEL)], [select_long(L.MAX_LABEL + 1), select_long(20_000), select_surrogate]),
    "stepper": ([stepper_at_end], [lambda wb: wb.step_through("backward", 10**6)]),
    "forget_zero_grad": ([lambda wb: wb.forget_zero_grad(True)], [lambda wb: wb.forget_zero_grad("yes")]),
    "trace": ([lambda wb: wb.trace(len(wb.X) - 1)], [lambda wb: wb.trace(len(wb.X))]),
    "select_neuron": ([lambda wb: wb.select_neuron(2, 0, 16)], [lambda wb: wb.select_neuron(3, 0)]),
    "set_parameter": (
        [set_parameter(L.MAX_TARGET), set_parameter(-L.MAX_TARGET)],
        [set_parameter(1.5e6), set_parameter(1.5e308)],
    ),
    "add_point": (
        [lambda wb: wb.add_point([1e308, -1e308], 1)],
        [lambda wb: wb.add_point([1.5e308, 0.0], 1), lambda wb: wb.add_point([0.0, 0.0], 10**6)],
    ),
    "remove_point": ([lambda wb: wb.remove_point(len(wb.X) - 1)], [lambda wb: wb.remove_point(len(wb.X))]),
    "import_data": (
        [import_rows(L.MAX_POINTS, "n" * L.MAX_NAME, L.MAX_COORDINATES)],
        [
            import_rows(L.MAX_POINTS + 1),
            import_rows(10, "n" * (L.MAX_NAME + 1)),
            import_rows(10, width=L.MAX_COORDINATES + 1),
        ],
    ),
}


def test_every_action_kind_of_the_format_has_a_case():
    assert set(CASES) == set(ACTIONS)


@pytest.mark.parametrize("kind", sorted(ACTIONS))
def test_an_action_kind_at_its_limits_is_accepted_and_saves(kind, tmp_path, small_session):
    for act in CASES[kind][0]:
        wb = Workbench()
        act(wb)
        assert wb.log and wb.log[-1]["do"] == kind
        saves_and_reloads(wb, tmp_path)


@pytest.mark.parametrize("kind", sorted(ACTIONS))
def test_an_action_kind_past_its_limits_is_refused_or_clamped_and_saves(kind, tmp_path, small_session):
    for act in CASES[kind][1]:
        wb = Workbench()
        with contextlib.suppress(ValueError, ExpressionError):
            act(wb)
        assert len(wb.log) <= L.MAX_ACTIONS and wb.steps_logged <= L.MAX_SESSION_STEPS
        saves_and_reloads(wb, tmp_path)  # whatever was recorded, the format holds


def test_a_title_or_description_past_its_limit_is_cut_so_the_session_saves(tmp_path):
    wb = Workbench()
    recorded = session.Session.from_workbench(wb, title="t" * 195 + " (branch at action 12)", description="d" * 20_000)
    assert len(recorded.title) == L.MAX_TITLE and recorded.title.endswith("…")
    assert len(recorded.description) == L.MAX_DESCRIPTION
    session.save(recorded, tmp_path / "cut.json")


def test_a_long_runs_size_is_counted_from_a_sample_within_a_few_percent():
    """The room check sizes a long run's results from an even sample (encoding 100,000 of them held the UI
    0.5 s): on a real run, with a test set (wider results), the count is within 5% of what is written."""
    from tui.workbench import SIZED_RESULTS

    workbench = Workbench()
    workbench.configure({"data": {"test_percent": 20}})
    before = workbench.log_bytes
    workbench.train(3 * SIZED_RESULTS + 7)
    entry = workbench.log[-1]
    assert "test_loss" in entry["results"][0]
    written = len(json.dumps(entry))
    counted = (workbench.log_bytes - before) / 2  # a run is counted twice: its results are the history as well
    assert abs(counted - written) <= 0.05 * written
