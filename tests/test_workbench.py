"""The workbench: config round trip and validation, every action and its log entry, replay through apply()."""

from __future__ import annotations

import json
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
    assert wb.X.shape == (100, 2) and (wb.X == datasets.moons(100, noise=0.1, seed=1337)[0]).all()
    reference = nn.MLP(2, [16, 16, 1], rng=random.Random(1337))
    assert [p.data for p in wb.model.parameters()] == [p.data for p in reference.parameters()]
    # micrograd's README: g = 24.7041, a.grad = 138.8338, b.grad = 645.5773 (backward ran in the text)
    assert round(wb.output.data, 4) == 24.7041
    assert round(wb.find("a").grad, 4) == 138.8338 and round(wb.find("b").grad, 4) == 645.5773
    assert wb.log == [] and not wb.dirty  # the initial build is the starting state, not an action
    assert DEFAULT_EXPRESSION.startswith("a = Value(-4.0)\n") and DEFAULT_EXPRESSION.endswith("g.backward()\n")


def test_config_round_trips_through_json():
    config = Config.from_dict({"data": {"name": "yinyang", "samples": 60}, "model": {"layers": [8, 3]},
                               "training": {"loss": "cross_entropy", "optimizer": "adamw", "batch_size": 16,
                                            "lr": {"schedule": "constant", "lr": 0.01}}})
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.data["noise"] == DEFAULTS["data"]["noise"]


@pytest.mark.parametrize("bad, field", [
    ({"data": {"name": "spirals"}}, "data.name"),
    ({"data": {"samples": 0}}, "data.samples"),
    ({"data": {"samples": 10**9}}, "data.samples"),
    ({"data": {"noise": float("nan")}}, "data.noise"),
    ({"model": {"layers": []}}, "model.layers"),
    ({"model": {"layers": [16, "x"]}}, "model.layers[1]"),
    ({"model": {"activation": "gelu"}}, "model.activation"),
    ({"training": {"loss": "hinge"}}, "training.loss"),
    ({"training": {"lr": {"schedule": "linear", "start": 1.0}}}, "training.lr"),
    ({"training": {"batch_size": 0}}, "training.batch_size"),
    ({"training": {"engine": "gpu"}}, "training.engine"),
    ({"training": []}, "training"),
])
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
    trainer = Trainer(nn.MLP(2, [16, 16, 1], rng=random.Random(1337)), X, y,
                      optimizer=optim.SGD(lr=optim.linear(1.0, 0.1, 100)))
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
    with pytest.raises(ValueError, match="model.layers"):
        wb.configure({"model": {"layers": [4, 2]}})  # svm is a one-output loss
    with pytest.raises(ValueError, match="cross_entropy"):
        wb.configure({"data": {"name": "yinyang"}})  # three classes need cross_entropy
    with pytest.raises(ValueError, match="training.nope"):
        wb.configure({"training": {"nope": 1}})
    with pytest.raises(ValueError, match="training.batch_size"):
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
