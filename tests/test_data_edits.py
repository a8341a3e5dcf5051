"""The workbench's data: the test split, input features, regression sets, and the learner's own points
(added, removed, imported), each an action that replays exactly through a saved session."""

import math

import numpy as np
import pytest

from micrograd.datasets import held_out_mask, load_csv, moons
from tui import replay, session
from tui.workbench import Workbench

DEMO_FIRST_LOSS = 0.8958441028683222  # micrograd's demo.ipynb, step 0


def round_trip(wb):
    """Save and load the session as text, replay it from scratch, and return the report."""
    return replay.replay(session.loads(session.dumps(session.Session.from_workbench(wb))))


def test_default_data_is_micrograds_demo_with_no_test_numbers():
    wb = Workbench()
    result = wb.step()["results"][0]
    assert result["loss"] == pytest.approx(DEMO_FIRST_LOSS, rel=1e-12) and "test_loss" not in result
    assert wb.data.held_out.sum() == 0 and wb.feature_names == ["x₁", "x₂"]


def test_a_test_split_trains_on_the_rest_and_reports_the_held_out_points():
    wb = Workbench()
    wb.configure({"data": {"test_percent": 25}})
    X, y = moons(100, 0.1, seed=1337)
    mask = held_out_mask(100, 25, seed=1337)
    assert np.array_equal(wb.data.held_out, mask) and len(wb.trainer.X) == 75
    np.testing.assert_array_equal(wb.trainer.X, X[~mask])
    np.testing.assert_array_equal(wb.trainer.test[0], X[mask])
    results = wb.train(3)["results"]
    assert all(0 <= r["test_accuracy"] <= 1 and math.isfinite(r["test_loss"]) for r in results)
    wb.configure({"data": {"test_percent": 0}})  # back to the demo, bit for bit
    assert wb.step()["results"][0]["loss"] == DEMO_FIRST_LOSS or wb.history[0]["loss"] == pytest.approx(
        DEMO_FIRST_LOSS, rel=1e-12
    )


def test_input_features_are_the_models_inputs():
    wb = Workbench()
    wb.configure(
        {
            "data": {"name": "circles", "noise": 0.05},
            "model": {"features": ["x1^2", "x2^2"], "layers": [1]},
            "training": {"l2": 0.0},
        }
    )
    assert wb.model.nin == 2 and wb.feature_names == ["x₁²", "x₂²"]
    np.testing.assert_array_equal(wb.trainer.X, wb.X**2)
    assert wb.train(100)["results"][-1]["accuracy"] == 1.0  # no hidden layer, and the circles are apart
    grid = wb.decision_grid(9)
    assert grid.classes[4, 4] == 1 and grid.classes[0, 0] == 0
    leaf_labels = {n.label for n in _leaves(wb.sample_graph(0))}
    assert {"x₁²", "x₂²"} <= leaf_labels  # the traced sample's inputs are the features, named
    assert {"x₁²", "x₂²"} <= {n.label for n in _leaves(wb.neuron_graph(0, 0))}  # the network view's graph too
    with pytest.raises(ValueError, match="inputs: 'x3' is not a feature"):
        wb.configure({"model": {"features": ["x3"]}})


def _leaves(root):
    seen, stack = [], [root]
    while stack:
        node = stack.pop()
        seen.append(node)
        stack.extend(node._prev)
    return [n for n in seen if not n._prev]


def test_regression_sets_need_the_regression_loss_and_have_no_accuracy():
    wb = Workbench()
    with pytest.raises(ValueError, match="plane is a regression set .*use mse_regression"):
        wb.configure({"data": {"name": "plane"}})
    assert wb.config.data["name"] == "moons"  # refused: nothing changed
    wb.configure(
        {
            "data": {"name": "multi_gaussian", "samples": 60, "test_percent": 20},
            "model": {"layers": [8, 1], "activation": "tanh"},
            "training": {"loss": "mse_regression", "lr": {"schedule": "constant", "lr": 0.1}},
        }
    )
    results = wb.train(5)["results"]
    assert all(math.isnan(r["accuracy"]) and math.isnan(r["test_accuracy"]) for r in results)
    assert results[-1]["loss"] < results[0]["loss"]
    assert wb.decision_grid(5).scores.shape == (5, 5, 1)
    with pytest.raises(ValueError, match="mse_regression needs a regression set"):
        wb.configure({"data": {"name": "moons"}})


def test_hand_edits_carry_on_training_and_replay_exactly():
    wb = Workbench()
    wb.configure({"data": {"test_percent": 10}})
    wb.train(5)
    wb.add_point([0.0, 1.5], 1)
    assert len(wb.X) == 101 and not wb.data.held_out[-1] and len(wb.trainer.X) == 91  # a training point
    assert wb.marks == [{"step": 5, "text": "point 100 added (class 1)"}]
    after = wb.train(3)["results"]
    assert [r["step"] for r in after] == [5, 6, 7]  # the same run goes on
    wb.trace(50)
    wb.remove_point(wb.nearest_sample([1.0, 0.0]))
    wb.train(2)
    report = round_trip(wb)
    assert report.ok, report.mismatch
    assert np.array_equal(report.workbench.X, wb.X) if hasattr(report, "workbench") else True


def test_bad_edits_are_one_sentence_and_change_nothing():
    wb = Workbench()
    before = wb.X.copy()
    for call, message in (
        (lambda: wb.add_point([0.0], 1), "needs 2 finite numbers"),
        (lambda: wb.add_point([0.0, float("nan")], 1), "needs 2 finite numbers"),
        (lambda: wb.add_point([0.0, 0.0], 2), "class must be one of 0 to 1"),
        (lambda: wb.remove_point(100), "from 0 to 99"),
        (lambda: wb.import_data("a.csv", [[0.0, 1.0]] * 3, [0, 0, 0]), "only one class"),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    assert np.array_equal(wb.X, before) and wb.log == []


def test_removing_keeps_the_traced_point_and_refuses_the_last_training_point():
    wb = Workbench()
    wb.import_data("two.csv", [[0.0, 0.0], [1.0, 1.0]], [0, 1])
    wb.trace(1)
    wb.remove_point(0)
    assert wb.traced == 0 and wb.X.tolist() == [[1.0, 1.0]]
    with pytest.raises(ValueError, match="last training point"):
        wb.remove_point(0)


def test_csv_import_and_export_round_trip(tmp_path):
    from tui.data_edits import read_csv

    wb = Workbench()
    wb.configure(
        {"data": {"name": "yinyang", "samples": 30}, "model": {"layers": [8, 3]}, "training": {"loss": "cross_entropy"}}
    )
    path = tmp_path / "mine.csv"
    path.write_text(wb.data.csv_text())
    X, y = load_csv(path)
    assert np.array_equal(X, wb.X) and np.array_equal(y, wb.y)  # exact numbers
    other = Workbench()
    other.configure({"data": {"name": "yinyang"}, "model": {"layers": [8, 3]}, "training": {"loss": "cross_entropy"}})
    other.import_data(*read_csv(path))
    assert np.array_equal(other.X, wb.X) and other.data.origin == "mine.csv"
    assert other.log[-1]["do"] == "import_data" and round_trip(other).ok
