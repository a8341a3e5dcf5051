"""Issue 10 without the app: live settings keep the model, the whole form is validated with fixes, presets,
limits by cost for the workbench and session files alike."""

import json

import pytest

from tui import form, session
from tui.config import Config, SettingError
from tui.presets import PRESETS
from tui.replay import replay
from tui.session import Session
from tui.workbench import Workbench

LR = {"training": {"lr": {"schedule": "constant", "lr": 0.05}}}


def parameters(wb):
    wb.trainer.write_back()
    return [p.data for p in wb.model.parameters()]


def replayed(wb):
    report = replay(session.loads(session.dumps(Session.from_workbench(wb))))
    assert report.ok, report.mismatch
    return report.workbench


def test_an_lr_change_keeps_the_weights_the_history_and_marks_the_step():
    wb = Workbench()
    wb.train(5)
    before = parameters(wb)
    entry = wb.configure(LR)
    assert parameters(wb) == before and len(wb.history) == 5
    assert entry == {"do": "configure", "changes": LR} and wb.log[-1] == entry
    assert wb.marks == [{"step": 5, "text": "lr = 0.05 (constant)"}]
    wb.train(3)
    assert [r["step"] for r in wb.history] == list(range(8)) and wb.history[-1]["lr"] == 0.05
    again = replayed(wb)
    assert again.history == wb.history and again.marks == wb.marks and parameters(again) == parameters(wb)


def test_a_change_during_a_run_takes_effect_between_steps_and_is_logged_there():
    wb = Workbench()
    run = wb.start_training()
    for _ in range(3):
        run.step()
    entry = wb.configure(LR)  # the UI thread asks; the worker applies it before its next step
    assert wb.log == [] and entry["changes"] == LR and wb.config.training["lr"]["lr"] == 0.05
    for _ in range(4):
        run.step()
    wb.configure({"training": {"optimizer": "adamw"}})  # asked after the last step: applied at the finish
    wb.finish_training(run)
    assert [a["do"] for a in wb.log] == ["train", "configure", "train", "configure"]
    assert [a.get("steps") for a in wb.log] == [3, None, 4, None]
    assert [r["lr"] for r in wb.history] == [1.0, 0.991, 0.982, 0.05, 0.05, 0.05, 0.05]
    assert wb.marks == [{"step": 3, "text": "lr = 0.05 (constant)"}, {"step": 7, "text": "optim = adamw"}]
    again = replayed(wb)
    assert again.history == wb.history and parameters(again) == parameters(wb) and again.marks == wb.marks


def test_a_change_that_needs_a_new_model_waits_for_a_pause():
    wb = Workbench()
    run = wb.start_training()
    run.step()
    with pytest.raises(SettingError, match=r"^data: needs a new model; pause training \(F9\) first") as err:
        wb.configure({"data": {"name": "circles"}})
    assert err.value.key == "dataset"
    wb.finish_training(run)
    wb.configure({"data": {"name": "circles"}})
    assert wb.history == [] and wb.marks == []


def test_yinyang_is_refused_with_the_fix_that_makes_it_valid():
    wb = Workbench()
    with pytest.raises(SettingError) as err:
        wb.configure({"data": {"name": "yinyang"}})
    e = err.value
    assert str(e) == (
        "loss: svm_max_margin is a two-class loss, but yinyang has 3 classes; use cross_entropy with a last layer of 3"
    )
    assert e.key == "loss" and e.fix == {"training": {"loss": "cross_entropy"}, "model": {"layers": [16, 16, 3]}}
    wb.configure({"data": {"name": "yinyang"}, **e.fix})
    assert (wb.config.data["name"], wb.config.training["loss"], wb.config.model["layers"]) == (
        "yinyang",
        "cross_entropy",
        [16, 16, 3],
    )


def test_a_refused_form_still_applies_the_field_just_edited():
    """The issue's sequence: yinyang refused, then loss mse is picked: mse applies, yinyang stays refused."""
    wb = Workbench()
    first = form.submit(wb, {"data": {"name": "yinyang"}})
    assert first.applied is None and first.refusal.key == "loss"
    pending = {"data": {"name": "yinyang"}, "training": {"loss": "mse"}}
    second = form.submit(wb, pending, alone={"training": {"loss": "mse"}})
    assert second.applied == {"training": {"loss": "mse"}} and not second.rebuilt
    assert wb.config.training["loss"] == "mse" and wb.config.data["name"] == "moons"
    assert str(second.refusal).startswith("loss: mse is a two-class loss, but yinyang has 3 classes")
    assert wb.step()["results"][0]["data_loss"] > 0  # and it trains with mse on moons


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"data": {"samples": 0}}, "n: expected a whole number from 2 to 10,000, not 0"),
        ({"training": {"lr": {"schedule": "constant", "lr": -1}}}, "lr: expected a number above 0 to 1e+06, not -1"),
        ({"training": {"momentum": 1.0}}, "mom: expected a number from 0 to below 1, not 1"),
        ({"model": {"layers": [16, 0, 1]}}, "layers (layer 2): expected a whole number from 1 to 512, not 0"),
    ],
)
def test_messages_use_the_forms_words(changes, message):
    with pytest.raises(SettingError) as err:
        Workbench().configure(changes)
    assert str(err.value) == message


def test_width_one_hidden_layers_train_on_both_engines():
    wb = Workbench()
    wb.configure({"model": {"layers": [16, 1, 1]}})
    wb.train(2)
    wb.configure({"training": {"engine": "reference"}})
    wb.train(2)
    assert len(wb.history) == 4


def test_every_preset_is_one_action_that_replays():
    wb = Workbench()
    for name in PRESETS:
        entry = wb.preset(name)
        assert entry["do"] == "preset" and entry["name"] == name and wb.history == []
        assert Config.from_dict(entry["config"]).to_dict() == wb.config.to_dict()
        wb.train(3)
    again = replayed(wb)
    assert again.history == wb.history and again.config.to_dict() == wb.config.to_dict()


def test_the_yinyang_preset_reaches_95_percent():
    wb = Workbench()
    wb.preset("yinyang")
    wb.train(300)
    assert wb.history[-1]["accuracy"] >= 0.95


def test_the_cost_limit_names_the_estimate_the_limit_and_the_way_out():
    wb = Workbench()
    with pytest.raises(SettingError) as err:
        wb.configure(
            {"data": {"samples": 10_000}, "model": {"layers": [64, 64, 1]}, "training": {"engine": "reference"}}
        )
    message = str(err.value)
    assert message.startswith("too big to build: ") and "over the limit of 10 s" in message
    assert "fewer samples, a batch size" in message and "12.7 GB" in message
    assert err.value.fix == {"training": {"engine": "compiled"}}  # the way out the form offers with ctrl+y
    with pytest.raises(SettingError, match="traced nodes"):
        wb.configure({"data": {"samples": 10_000}, "model": {"layers": [512] * 7 + [1]}})
    with pytest.raises(SettingError) as err:
        wb.configure({"data": {"samples": 5_000}, "training": {"engine": "reference"}})
    assert err.value.fix == {"training": {"engine": "compiled"}}  # the way out the form offers with ctrl+y
    wb.configure({"data": {"samples": 5_000}, "training": {"engine": "reference", "batch_size": 100}})


def test_session_files_meet_the_same_limits():
    d = json.loads(session.dumps(Session.from_workbench(Workbench())))
    d["config"]["data"]["samples"] = 10_000
    d["config"]["model"]["layers"] = [64, 64, 1]
    d["config"]["training"]["engine"] = "reference"
    with pytest.raises(session.SessionError, match="too big to build"):
        session.loads(json.dumps(d))
