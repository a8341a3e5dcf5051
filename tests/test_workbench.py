"""The workbench: config round trip and validation, every action and its log entry, replay through apply()."""

from __future__ import annotations

import json
import math
import random

import pytest

from micrograd import datasets, nn, optim
from micrograd.expression import ExpressionError
from micrograd.train import Trainer
from tui.workbench import DEFAULT_EXPRESSION, DEFAULTS, Config, Workbench


@pytest.fixture
def wb():
    return Workbench()


def test_defaults_are_micrograds_moons_demo_and_readme_example(wb):
    assert Config().to_dict() == DEFAULTS
    assert wb.X.shape == (100, 2) and (datasets.moons(100, noise=0.1, seed=1337)[0] == wb.X).all()
    reference = nn.MLP(2, [16, 16, 1], rng=random.Random(1337))
    assert [p.data for p in wb.model.parameters()] == [p.data for p in reference.parameters()]
    # micrograd's README: g = 24.7041, a.grad = 138.8338, b.grad = 645.5773 (backward ran in the text)
    assert round(wb.output.data, 4) == 24.7041
    assert round(wb.find("a").grad, 4) == 138.8338 and round(wb.find("b").grad, 4) == 645.5773
    assert wb.log == [] and not wb.dirty  # the initial build is the starting state, not an action
    assert DEFAULT_EXPRESSION.startswith("a = Value(-4.0)\n") and DEFAULT_EXPRESSION.endswith("g.backward()\n")


def test_config_round_trips_through_json():
    config = Config.from_dict(
        {
            "data": {"name": "yinyang", "samples": 60},
            "model": {"layers": [8, 3]},
            "training": {
                "loss": "cross_entropy",
                "optimizer": "adamw",
                "batch_size": 16,
                "lr": {"schedule": "constant", "lr": 0.01},
            },
        }
    )
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.data["noise"] == DEFAULTS["data"]["noise"]


@pytest.mark.parametrize(
    "bad, field",
    [  # the form's own words (tui/settings.py labels)
        ({"data": {"name": "spirals"}}, "data"),
        ({"data": {"samples": 0}}, "n"),
        ({"data": {"samples": 10**9}}, "n"),
        ({"data": {"noise": float("nan")}}, "noise"),
        ({"model": {"layers": []}}, "layers"),
        ({"model": {"layers": [16, "x"]}}, "layers (layer 2)"),
        ({"model": {"activation": "gelu"}}, "act"),
        ({"training": {"loss": "hinge"}}, "loss"),
        ({"training": {"lr": {"schedule": "linear", "start": 1.0}}}, "lr"),
        ({"training": {"lr": {"schedule": "constant", "lr": -1}}}, "lr"),
        ({"training": {"batch_size": 0}}, "batch"),
        ({"training": {"engine": "gpu"}}, "engine"),
        ({"training": []}, "training"),
    ],
)
def test_config_errors_name_the_field(bad, field):
    with pytest.raises(ValueError) as err:
        Config.from_dict(bad)
    assert str(err.value).startswith(f"{field}:")


def test_expression_actions_are_logged(wb):
    assert wb.zero_grad() == {"do": "zero_grad"}
    assert wb.find("a").grad == 0
    assert wb.backward() == {"do": "backward"}
    assert round(wb.find("a").grad, 4) == 138.8338
    entry = wb.evaluate("x = Value(3.0)\ny = x * x")
    assert entry == {"do": "evaluate", "source": "x = Value(3.0)\ny = x * x"} and wb.output.data == 9.0
    assert wb.select("x") == {"do": "select", "label": "x"} and wb.selected == "x"
    with pytest.raises(ValueError):
        wb.select("nope")
    assert [e["do"] for e in wb.log] == ["zero_grad", "backward", "evaluate", "select"] and wb.dirty
    wb.mark_saved()
    assert not wb.dirty


def test_a_bad_expression_raises_keeps_the_text_and_is_logged(wb):
    with pytest.raises(ExpressionError) as err:
        wb.evaluate("a = Value(1.0)\nb = a +")
    assert wb.source == "a = Value(1.0)\nb = a +" and wb.error is err.value
    assert wb.log[-1] == {"do": "evaluate", "source": "a = Value(1.0)\nb = a +", "error": str(err.value)}
    assert str(err.value).startswith("line 2")
    assert round(wb.output.data, 4) == 24.7041  # the last good graph stays


def test_training_matches_trainer_used_directly(wb):
    X, y = datasets.moons(100, noise=0.1, seed=1337)
    trainer = Trainer(
        nn.MLP(2, [16, 16, 1], rng=random.Random(1337)), X, y, optimizer=optim.SGD(lr=optim.linear(1.0, 0.1, 100))
    )
    expected = [trainer.step() for _ in range(100)]
    first = wb.step()
    assert first["do"] == "step" and first["results"][0]["loss"] == expected[0].loss
    entry = wb.train(99)
    assert entry["do"] == "train" and entry["steps"] == 99 and len(entry["results"]) == 99
    assert [r["loss"] for r in wb.history] == [r.loss for r in expected]
    assert wb.history[-1]["accuracy"] == expected[-1].accuracy == 1.0
    assert set(wb.history[0]) == {"step", "loss", "data_loss", "reg_loss", "accuracy", "lr"}
    json.dumps(wb.log)  # JSON-ready


def test_background_training_logs_one_entry_and_writes_back(wb):
    run = wb.start_training()
    with pytest.raises(RuntimeError):
        wb.step()  # the trainer belongs to the run now
    for _ in range(5):
        run.step()
    assert wb.history == []  # nothing is visible until the run is finished
    entry = wb.finish_training(run)
    assert entry == {"do": "train", "steps": 5, "results": run.results} and wb.history == run.results
    assert wb.model.parameters()[0].data == wb.trainer.engine.params[0]
    assert wb.finish_training(wb.start_training()) is None  # a run with no steps logs nothing


def test_reset_gives_the_same_starting_weights(wb):
    start = [p.data for p in wb.model.parameters()]
    wb.train(3)
    assert wb.reset() == {"do": "reset"}
    assert [p.data for p in wb.model.parameters()] == start and wb.history == []


def test_configure_applies_or_changes_nothing(wb):
    entry = wb.configure({"model": {"layers": [4, 1], "activation": "tanh"}})
    assert entry == {"do": "configure", "changes": {"model": {"layers": [4, 1], "activation": "tanh"}}}
    assert len(wb.model.parameters()) == (2 * 4 + 4) + (4 + 1)
    wb.train(2)
    before = (wb.config.to_dict(), len(wb.log), wb.model, list(wb.history))
    with pytest.raises(ValueError, match="^layers: svm_max_margin on 2 classes needs a last layer of 1 output"):
        wb.configure({"model": {"layers": [4, 2]}})  # svm is a one-output loss
    with pytest.raises(ValueError, match="cross_entropy"):
        wb.configure({"data": {"name": "yinyang"}})  # three classes need cross_entropy
    with pytest.raises(ValueError, match="training.nope"):
        wb.configure({"training": {"nope": 1}})
    with pytest.raises(ValueError, match="^batch: at most the 100 samples"):
        wb.configure({"training": {"batch_size": 101}})
    assert (wb.config.to_dict(), len(wb.log), wb.model, wb.history) == before
    wb.step()  # still trains after the refusals


def test_a_diverging_rate_stops_training_early(wb):
    wb.configure({"training": {"lr": {"schedule": "constant", "lr": 1e6}}})
    entry = wb.train(500)
    assert entry["steps"] < 500 and entry["steps"] == len(wb.history)


def test_apply_replays_a_log_to_the_same_results(wb):
    wb.configure({"training": {"optimizer": "adamw", "lr": {"schedule": "constant", "lr": 0.01}, "batch_size": 20}})
    wb.evaluate("a = Value(2.0)\nb = a.tanh()")
    wb.backward()
    wb.train(5)
    wb.step()
    wb.reset()
    wb.train(2)
    fresh = Workbench()
    for action in json.loads(json.dumps(wb.log)):
        fresh.apply(action)
    assert fresh.history == wb.history and fresh.config == wb.config
    assert fresh.output.grad == wb.output.grad
    assert [e["do"] for e in fresh.log] == [e["do"] for e in wb.log]
    with pytest.raises(ValueError):
        fresh.apply({"do": "explode"})


# ---- issue 7: tracing one sample, exports ---------------------------------------------------------------


def _svm_loss_by_hand(wb, X):
    """svm max-margin per sample, max(0, 1 - t*s) with t = 2*label - 1, from the trainer's compiled scores."""
    import numpy as np

    scores = wb.trainer.scores(X)[:, 0]
    return np.maximum(0.0, 1.0 - (2 * wb.y - 1) * scores) if len(X) == len(wb.y) else None


def _sample_with_loss(wb) -> int:
    losses_by_hand = _svm_loss_by_hand(wb, wb.X)
    return int(next(i for i, v in enumerate(losses_by_hand) if v > 0.05))


def test_trace_builds_the_samples_loss_graph_with_the_trainers_numbers():
    wb = Workbench()
    wb.train(3)
    i = _sample_with_loss(wb)
    entry = wb.trace(i)
    assert entry == {"do": "trace", "sample": i} and wb.log[-1] == entry and wb.traced == i
    root = wb.sample_graph()
    assert root.label == f"loss[{i}]"
    assert root.data == pytest.approx(_svm_loss_by_hand(wb, wb.X)[i], rel=1e-12, abs=1e-12)
    # the grad of the loss w.r.t. the input x0, against a central finite difference through the trainer
    from micrograd import graph

    x0 = graph.find(root, "x0")
    eps = 1e-6
    plus, minus = wb.X[i].copy(), wb.X[i].copy()
    plus[0] += eps
    minus[0] -= eps
    t = 2 * wb.y[i] - 1
    f = lambda x: max(0.0, 1.0 - t * wb.trainer.scores(x[None, :])[0, 0])
    assert x0.grad == pytest.approx((f(plus) - f(minus)) / (2 * eps), rel=1e-5, abs=1e-7)


def test_trace_leaves_the_trainers_values_alone_and_follows_the_training():
    wb = Workbench()
    wb.step()
    before = [(p.data, p.grad) for p in wb.model.parameters()]
    first = wb.sample_graph(5)
    assert [(p.data, p.grad) for p in wb.model.parameters()] == before  # a detached copy took the backward
    wb.step()
    assert wb.sample_graph(5).data == pytest.approx(_svm_loss_by_hand(wb, wb.X)[5], abs=1e-12)
    assert first.data == pytest.approx(first.data)  # the old graph is a snapshot, still readable


def test_trace_refuses_a_missing_sample_and_replays():
    wb = Workbench()
    for bad in (-1, 100, 2.0, True):
        with pytest.raises(ValueError, match="trace: sample"):
            wb.trace(bad)
    assert wb.log == [] and wb.traced is None
    wb.trace(99)
    wb.step()
    fresh = Workbench()
    for action in json.loads(json.dumps(wb.log)):
        fresh.apply(action)
    assert fresh.traced == 99 and fresh.sample_graph().data == wb.sample_graph().data
    fresh.configure({"data": {"samples": 50}})
    assert fresh.traced is None  # that point is gone; the view falls back to sample 0
    assert fresh.sample_graph().label == "loss[0]"


def test_trace_with_cross_entropy_on_three_classes():
    import math

    wb = Workbench()
    wb.configure({"data": {"name": "yinyang"}, "model": {"layers": [8, 3]}, "training": {"loss": "cross_entropy"}})
    root = wb.sample_graph(4)
    logits = wb.trainer.scores(wb.X[4:5])[0]
    expected = -logits[wb.y[4]] + math.log(sum(math.exp(v) for v in logits))
    assert root.data == pytest.approx(expected, rel=1e-12)


def test_export_text_graphs(tmp_path, graphviz):
    import subprocess

    wb = Workbench()
    dot = wb.export_text("dot")
    assert dot.startswith("digraph") and "-4" in dot
    mermaid = wb.export_text("mermaid")
    assert mermaid.split()[0] in ("graph", "flowchart")
    assert wb.export_text("dot", "sample").count("->") > 100
    (tmp_path / "g.dot").write_text(dot)
    run = subprocess.run([graphviz, "-Tplain", str(tmp_path / "g.dot")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("graph")
    assert "<svg" in wb.export_text("svg")
    with pytest.raises(ValueError, match="export it as DOT"):
        wb.export_text("svg", "training")
    with pytest.raises(ValueError, match="expected one of"):
        wb.export_text("png")
    with pytest.raises(ValueError, match="view"):
        wb.export_text("dot", "nowhere")
    wb.evaluate("# nothing")  # no Value: nothing to draw
    with pytest.raises(ValueError, match="no expression graph"):
        wb.export_text("dot")


def test_export_json_weights_round_trip_to_the_same_predictions():
    from micrograd import export
    from micrograd.engine import Value

    wb = Workbench()
    wb.train(5)
    rebuilt = export.mlp_from_json(json.loads(wb.export_text("json")))
    for row in wb.X[:10]:
        assert rebuilt([Value(float(v)) for v in row]).data == wb.model([Value(float(v)) for v in row]).data


def test_export_pytorch_script_gives_the_same_predictions(tmp_path, torch):
    import importlib.util

    from tui import exports

    wb = Workbench()
    wb.train(5)
    path = exports.write_atomic(tmp_path / "mlp_torch.py", wb.export_text("torch"))
    spec = importlib.util.spec_from_file_location("exported_mlp", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with torch.no_grad():
        out = module.build_model()(torch.tensor(wb.X, dtype=torch.float64)).numpy()[:, 0]
    assert out == pytest.approx(wb.trainer.scores(wb.X)[:, 0], rel=1e-9, abs=1e-12)


def test_write_atomic_replaces_whole_files_and_says_why_it_failed(tmp_path):
    from tui import exports

    path = tmp_path / "out.txt"
    path.write_text("old")
    exports.write_atomic(path, "new\n")
    assert path.read_text() == "new\n" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with pytest.raises(ValueError, match="was not written"):
        exports.write_atomic(tmp_path / "missing" / "out.txt", "x")
    assert exports.default_path("torch", tmp_path) == tmp_path / "mlp_torch.py"


def test_exports_wait_for_training_to_pause():
    wb = Workbench()
    run = wb.start_training()
    run.step()
    with pytest.raises(RuntimeError, match="pause"):
        wb.export_text("json")
    with pytest.raises(RuntimeError, match="pause"):
        wb.sample_graph()
    wb.finish_training(run)
    assert wb.export_text("json")


# ---- the stepper, the gradient check and the pitfalls (issue 7) ------------------------------------------


def test_stepper_moves_are_logged_positions_and_replay_exactly(wb):
    entry = wb.step_through("backward")
    assert entry == {"do": "stepper", "mode": "backward", "position": 0, "overwrite": False}
    for _ in range(3):
        wb.stepper_move("next")
    wb.stepper_move("previous")
    assert wb.log[-1] == {"do": "stepper", "mode": "backward", "position": 2, "overwrite": False}
    lines = wb.stepping.lines()
    assert "f.grad += (0.5).data × g (line 11).grad  →  0.0000 += 0.5000 × 1.0000  =  0.5000" in lines
    a = wb.find("a")
    assert wb.stepping.numbers(a) == (-4.0, None)  # not reached yet: pending
    wb.stepper_move("end")
    expected = {n: n.grad for n in wb.output.topological_order()}  # the README's own g.backward()
    assert {n: wb.stepping.stepper.grad_of(n) for n in expected} == expected
    assert wb.stepping.numbers(a) == (-4.0, pytest.approx(138.83381924198252))  # micrograd's README number
    replayed = Workbench()
    for action in json.loads(json.dumps(wb.log)):
        replayed.apply(action)
    assert replayed.stepping.position == wb.stepping.position == wb.stepping.total
    wb.step_through("off")
    assert wb.stepping is None and wb.log[-1]["mode"] == "off"
    assert a.grad == pytest.approx(138.83381924198252)  # stepping never wrote into the Values


def test_stepper_refuses_bad_positions_and_evaluate_turns_it_off(wb):
    wb.step_through("forward", 3)
    assert wb.stepping.numbers(wb.find("a"))[0] == -4.0
    with pytest.raises(ValueError, match="position"):
        wb.step_through("forward", 10_000)
    with pytest.raises(ValueError, match="stepper.mode"):
        wb.step_through("sideways")
    wb.evaluate("a = Value(3.0)\nb = a + a\n")
    assert wb.stepping is None
    with pytest.raises(ValueError, match="stepper is off"):
        wb.stepper_move("next")


def test_gradient_check_and_the_overwrite_pitfall():
    wb = Workbench(expression="a = Value(3.0)\nb = a + a\nb.backward()\n")
    (row,) = wb.gradient_check()
    assert (row.name, row.backprop, row.ok) == ("a", 2.0, True) and row.numerical == pytest.approx(2.0)
    wb.step_through("backward", 1, overwrite=True)  # `=` instead of `+=`: the second update replaces the first
    assert wb.stepping.numbers(wb.find("a"))[1] == 1.0
    assert any("overwrote" in line for line in wb.stepping.lines())
    (row,) = wb.gradient_check()
    assert row.backprop == 1.0 and not row.ok
    wb.step_through("backward", 1)
    assert wb.stepping.numbers(wb.find("a"))[1] == 2.0 and wb.gradient_check()[0].ok


def test_forgetting_zero_grad_is_a_live_logged_toggle(wb):
    good = Workbench().train(6)["results"]
    wb.train(2)
    assert wb.forget_zero_grad(True) == {"do": "forget_zero_grad", "on": True}
    bad = wb.train(4)["results"]
    assert bad[0]["loss"] == good[2]["loss"]  # the first step without zeroing has nothing to add to yet
    assert bad[3]["loss"] != pytest.approx(good[5]["loss"], rel=1e-3)  # then the grads pile up
    wb.reset()  # a reset keeps the pitfall: the fresh model also trains without zeroing
    assert wb.trainer.zero_grad is False
    replayed = Workbench()
    for action in json.loads(json.dumps(wb.log)):
        replayed.apply(action)
    assert replayed.log[2]["results"] == wb.log[2]["results"] and replayed.forgetting_zero_grad
    with pytest.raises(ValueError, match="true or false"):
        wb.forget_zero_grad("yes")


def test_nearest_sample_is_the_closest_data_point():
    import numpy as np

    wb = Workbench()
    rng = np.random.default_rng(0)
    for point in rng.uniform(-1.5, 2.5, size=(20, 2)):
        distances = [float(np.hypot(*(row - point))) for row in wb.X]
        assert wb.nearest_sample(point.tolist()) == distances.index(min(distances))
    with pytest.raises(ValueError, match="2 finite numbers"):
        wb.nearest_sample([0.5])
    with pytest.raises(ValueError, match="2 finite numbers"):
        wb.nearest_sample([0.5, float("nan")])


def test_stepper_on_a_traced_sample_walks_its_graph_until_the_model_changes(wb):
    wb.trace(5)
    entry = wb.step_through("backward", 0, graph="sample")
    assert entry["graph"] == "sample" and wb.stepping.graph == "sample"
    root = wb.stepping.stepper.root
    wb.stepper_move("end")
    assert wb.stepping.stepper.root is root  # the same graph, not a rebuilt copy
    fresh = wb.sample_graph()  # built with backward run: the stepper ends on the same grads
    assert sorted(wb.stepping.stepper.grad_of(n) for n in root.topological_order()) == pytest.approx(
        sorted(n.grad for n in fresh.topological_order())
    )
    rows = wb.gradient_check()  # the sample graph's leaves: weights, biases, inputs, constants
    assert len(rows) > 300 and all(row.ok for row in rows)
    replayed = Workbench()
    for action in json.loads(json.dumps(wb.log)):
        replayed.apply(action)
    assert replayed.stepping.graph == "sample" and replayed.stepping.position == wb.stepping.total
    wb.step()
    assert wb.stepping is None  # the weights moved: that graph is out of date


def test_a_trace_drawn_from_a_parameter_copy_matches_the_model_and_reads_no_live_number():
    wb = Workbench()
    wb.trace(3)
    vector = wb.trainer.parameter_vector()
    assert wb.sample_graph(parameters=vector).data == wb.sample_graph().data
    for p in wb.model.parameters():  # what a worker might be writing: the copy must not look at it
        p.data = float("nan")
    assert math.isfinite(wb.sample_graph(parameters=vector).data)
    shifted = wb.sample_graph(parameters=vector * 0.5).data
    assert math.isfinite(shifted) and shifted != wb.sample_graph(parameters=vector).data
