"""The Trainer on micrograd's moons demo (the published figures), both engines, PyTorch, and its controls."""

import math
import random

import numpy as np
import pytest

from micrograd.datasets import blobs, moons
from micrograd.nn import MLP
from micrograd.optim import SGD, AdamW, constant
from micrograd.train import StepResult, Trainer, repeat

# micrograd's demo.ipynb: step 0 and the final step of 100 (the table).
FIRST_LOSS, FINAL_LOSS = 0.8958441028683222, 0.010978


def demo_model(layers=(16, 16, 1), seed=1337):
    random.seed(seed)
    return MLP(2, list(layers))


@pytest.fixture(scope="module")
def data():
    return moons(100, 0.1, seed=1337)


@pytest.fixture(scope="module")
def trajectories(data):
    """100 demo steps on each engine, run once for the module (the reference engine takes a few seconds)."""
    out = {}
    for engine in ("compiled", "reference"):
        trainer = Trainer(demo_model(), *data, engine=engine)
        out[engine] = (trainer, trainer.run(100))
    return out


def assert_same_losses(a, b, rel=1e-9):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert math.isclose(x.loss, y.loss, rel_tol=rel), (x, y)
        assert math.isclose(x.data_loss, y.data_loss, rel_tol=rel) and math.isclose(x.reg_loss, y.reg_loss, rel_tol=rel)
        assert x.accuracy == y.accuracy and x.lr == y.lr and x.step == y.step


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_demo_reaches_the_published_figures(trajectories, engine):
    _, results = trajectories[engine]
    assert [r.step for r in results] == list(range(100))
    assert results[0].loss == pytest.approx(FIRST_LOSS, rel=1e-12) and results[0].accuracy == 0.5
    assert results[-1].loss == pytest.approx(FINAL_LOSS, abs=5e-7) and results[-1].accuracy == 1.0
    assert results[0].lr == 1.0 and results[-1].lr == pytest.approx(1.0 - 0.9 * 99 / 100)
    assert all(r.finite and r.seconds >= 0 for r in results)


def test_engines_give_the_same_trajectory(trajectories):
    assert_same_losses(trajectories["compiled"][1], trajectories["reference"][1])
    compiled, reference = trajectories["compiled"][0], trajectories["reference"][0]
    assert np.allclose(compiled.engine.params, reference.engine.params, rtol=1e-9, atol=1e-12)


def test_demo_matches_pytorch_step_by_step(trajectories, data, torch):
    model = demo_model()
    params = []
    for layer in model.layers:
        params.append(torch.tensor([[w.data for w in n.w] for n in layer.neurons], requires_grad=True))
        params.append(torch.tensor([float(n.b.data) for n in layer.neurons], requires_grad=True))
    X, t = torch.tensor(data[0]), torch.tensor(2.0 * data[1] - 1.0)
    for k, result in enumerate(trajectories["compiled"][1]):
        h = X
        for i in range(0, 6, 2):
            h = h @ params[i].T + params[i + 1]
            h = torch.relu(h) if i < 4 else h
        total = torch.relu(1 - t * h[:, 0]).mean() + 1e-4 * sum((p * p).sum() for p in params)
        assert result.loss == pytest.approx(total.item(), rel=1e-9)
        for p in params:
            p.grad = None
        total.backward()
        with torch.no_grad():
            for p in params:
                p -= (1.0 - 0.9 * k / 100) * p.grad


def test_write_back_and_loss_graph_show_the_trained_numbers(data):
    trainer = Trainer(demo_model(), *data)
    trainer.run(5)
    trainer.write_back()
    assert [p.data for p in trainer.parameters] == trainer.engine.params.tolist()
    graph = trainer.loss_graph()
    assert graph.label == "loss" and {c.label for c in graph.children} == {"data_loss", "reg_loss"}
    assert len(graph.topological_order()) > 30_000  # the full-batch demo graph
    assert graph.data == pytest.approx(trainer.step().loss, rel=1e-9)  # the next step starts from these numbers


def test_until_loss_stops_early_and_reports_the_step(data):
    results = Trainer(demo_model(), *data).run(100, until_loss=0.1)
    assert results[-1].loss <= 0.1 < results[-2].loss
    assert len(results) == results[-1].step + 1 < 100


def test_should_stop_is_checked_before_every_step(data):
    calls, seen = [], []
    results = Trainer(demo_model(), *data).run(
        50, should_stop=lambda: len(calls.append(1) or calls) > 3, on_step=seen.append
    )
    assert len(results) == 3 and len(calls) == 4 and seen == results


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_non_finite_loss_stops_cleanly_and_keeps_the_parameters(engine):
    X, y = moons(20, 0.1, seed=1)
    trainer = Trainer(demo_model((4, 1)), X * 1e200, y, loss="mse", engine=engine)
    before = trainer.engine.params.copy()
    results = trainer.run(10)
    assert len(results) == 1 and not results[0].finite and results[0].error
    assert np.array_equal(trainer.engine.params, before) and trainer.optimizer.steps == 0


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_domain_error_is_a_non_finite_step(engine, monkeypatch):
    X, y = moons(10, 0.1, seed=1)
    trainer = Trainer(demo_model((4, 1)), X, y, engine=engine)

    def broken(*args):
        raise ValueError("log of a non-positive number: log(-1.0) is undefined")

    monkeypatch.setattr(trainer.engine, "evaluate", broken)
    result = trainer.step()
    assert not result.finite and "log of a non-positive" in result.error


def test_minibatches_are_the_same_on_both_engines(data):
    runs = {
        engine: Trainer(demo_model(), *data, batch_size=10, seed=3, engine=engine).run(15)
        for engine in ("compiled", "reference")
    }
    assert_same_losses(runs["compiled"], runs["reference"])
    other_seed = Trainer(demo_model(), *data, batch_size=10, seed=4).run(15)
    assert [r.loss for r in other_seed] != [r.loss for r in runs["compiled"]]


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
def test_other_binary_losses_same_on_both_engines(data, loss):
    runs = [
        Trainer(demo_model((8, 1)), *data, loss=loss, engine=e, optimizer=SGD(lr=0.05, momentum=0.9)).run(8)
        for e in ("compiled", "reference")
    ]
    assert_same_losses(*runs)


def test_cross_entropy_three_classes_same_on_both_engines():
    X, y = blobs(30, 0.3, seed=2, classes=3)
    runs = [
        Trainer(demo_model((8, 3)), X, y, loss="cross_entropy", engine=e, optimizer=AdamW(lr=0.01), batch_size=12).run(
            6
        )
        for e in ("compiled", "reference")
    ]
    assert_same_losses(*runs)


def test_predict_and_grid_agree_with_the_trained_model(trajectories, data):
    trainer = trajectories["compiled"][0]
    X, y = data
    assert np.array_equal(trainer.predict(X), y)  # 100% accuracy after the demo
    reference = trajectories["reference"][0]
    assert np.allclose(trainer.scores(X[:7]), reference.scores(X[:7]), rtol=1e-9)
    grid = trainer.evaluate_grid(resolution=9)
    assert grid.classes.shape == (9, 9) and grid.scores.shape == (9, 9, 1)
    points = np.array([[grid.xs[3], grid.ys[5]]])
    assert grid.classes[5, 3] == trainer.predict(points)[0]


def test_repeat_summarises_the_spread(data):
    summary = repeat(lambda i: Trainer(demo_model((8, 1), seed=i), *data), runs=3, steps=20)
    assert len(summary.final_losses) == 3 and summary.steps == (20, 20, 20)
    assert summary.min_loss <= summary.mean_loss <= summary.max_loss and summary.std_loss >= 0
    assert len(set(summary.final_losses)) == 3  # different seeds, different runs


def test_trainer_prints_nothing(data, capsys):
    Trainer(demo_model(), *data, optimizer=SGD(lr=constant(0.5))).run(3)
    assert capsys.readouterr() == ("", "")


def test_step_result_to_dict_is_json_ready(data):
    result = Trainer(demo_model(), *data).step()
    assert isinstance(result, StepResult)
    assert set(result.to_dict()) == {"step", "loss", "data_loss", "reg_loss", "accuracy", "lr"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"engine": "fast"}, "unknown engine"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"batch_size": 0}, "batch_size"),
        ({"loss": "cross_entropy"}, "model output"),
    ],
)
def test_bad_configuration_is_one_clear_sentence(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Trainer(demo_model(), *data, **kwargs)


def test_forgetting_zero_grad_accumulates_grads_on_both_engines():
    """zero_grad=False is micrograd's loop without `model.zero_grad()`: each step's grads add to the old ones."""
    X, y = moons(20, 0.1, seed=3)
    from micrograd.engine import Value
    from micrograd.losses import LOSSES, l2

    model = demo_model((4, 1), seed=5)  # the reference: micrograd's own loop, grads never zeroed
    params = model.parameters()
    expected = []
    for _k in range(4):
        scores = [model([Value(a) for a in row]) for row in X.tolist()]
        total = LOSSES["svm_max_margin"](scores, y.tolist()) + l2(params, 1e-4)
        expected.append(total.data)
        total.backward()  # adds to the grads left by the previous steps
        for p in params:
            p.data -= 0.05 * p.grad
    results = {}
    for engine in ("compiled", "reference"):
        trainer = Trainer(
            demo_model((4, 1), seed=5), X, y, engine=engine, optimizer=SGD(lr=constant(0.05)), zero_grad=False
        )
        results[engine] = [r.loss for r in trainer.run(4)]
        assert results[engine] == pytest.approx(expected, rel=1e-9)
        trainer.write_back()
        assert [p.grad for p in trainer.parameters] == pytest.approx([p.grad for p in params], rel=1e-9)
    correct = Trainer(demo_model((4, 1), seed=5), X, y, optimizer=SGD(lr=constant(0.05))).run(4)
    assert correct[0].loss == pytest.approx(expected[0])
    assert abs(correct[3].loss - expected[3]) > 1e-6  # forgetting zero_grad changes the trajectory


# ---- live changes and cancellation inside a step (issue 10) -------------------------------------------


class _Piecewise(constant):
    """lr a before step `at`, b from then on: the schedule a retune at step `at` should amount to."""

    kind = "piecewise"

    def __init__(self, a, b, at):
        super().__init__(a)
        self.b, self.at = b, at

    def __call__(self, step):
        return self.lr if step < self.at else self.b


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_retune_lr_keeps_weights_steps_and_momentum(data, engine):
    """A new lr after 6 steps == one run whose schedule switches at step 6 (momentum buffer kept)."""
    live = Trainer(demo_model(), *data, engine=engine, optimizer=SGD(lr=constant(0.5), momentum=0.9))
    first = live.run(6)
    live.optimizer.schedule = constant(0.05)
    live.retune(optimizer=live.optimizer)
    after = live.run(6)
    planned = Trainer(demo_model(), *data, engine=engine, optimizer=SGD(lr=_Piecewise(0.5, 0.05, 6), momentum=0.9))
    expected = planned.run(12)
    assert_same_losses(first + after, expected, rel=0)
    assert [r.step for r in after] == list(range(6, 12))


def test_retune_engine_and_batch_between_steps_matches_an_unbroken_run(data):
    switched = Trainer(demo_model(), *data, engine="compiled", batch_size=20, seed=3)
    part = switched.run(4)
    switched.retune(engine="reference")
    part += switched.run(3)
    switched.retune(engine="compiled", batch_size=0)  # 0: the full batch from now on
    part += switched.run(2)
    plain = Trainer(demo_model(), *data, engine="compiled", batch_size=20, seed=3)
    expected = plain.run(7)
    plain.retune(batch_size=0)
    expected += plain.run(2)
    assert_same_losses(part, expected, rel=1e-12)


def test_retune_refuses_a_loss_with_another_output_count(data):
    trainer = Trainer(demo_model(), *data)
    with pytest.raises(ValueError, match="cross_entropy needs 2 model output"):
        trainer.retune(loss="cross_entropy")
    trainer.retune(loss="mse")
    assert trainer.step().finite


@pytest.mark.parametrize("engine", ["compiled", "reference"])
def test_should_stop_inside_a_step_cancels_it_and_changes_nothing(data, engine):
    from micrograd.train import StepCancelled

    trainer = Trainer(demo_model(), *data, engine=engine, batch_size=50, seed=5)
    trainer.step()
    before = trainer.parameter_vector()
    asked = []

    def stop_on_the_third_ask():
        asked.append(1)
        return len(asked) >= 3

    trainer.should_stop = stop_on_the_third_ask
    with pytest.raises(StepCancelled):
        trainer.step()
    trainer.should_stop = None
    assert len(asked) == 3 and trainer.steps_done == 1
    assert np.array_equal(trainer.parameter_vector(), before)
    # The cancelled step gave its minibatch draw back: the next step is the one an uncancelled run takes.
    twin = Trainer(demo_model(), *data, engine=engine, batch_size=50, seed=5)
    expected = [twin.step(), twin.step()][-1]
    assert trainer.step().loss == expected.loss


def test_reference_engine_asks_between_samples_and_in_backward_chunks(data):
    trainer = Trainer(demo_model(), *data, engine="reference")
    asked = []
    trainer.should_stop = lambda: asked.append(1) and False
    trainer.step()
    nodes = len(trainer.loss_graph(backward=False).topological_order())
    from micrograd.engine import CHECK_EVERY

    # once per sample in the forward pass, then every CHECK_EVERY nodes of the sort and the backward
    assert len(asked) >= len(data[0]) + 2 * (nodes // CHECK_EVERY)


@pytest.mark.parametrize("engine", ["reference", "compiled"])
def test_a_step_pauses_the_cyclic_collector_and_gives_it_back_as_it_was(data, engine):
    """A step's graph has no reference cycles, so the collector has nothing to find inside one (on the reference
    engine it cost a third of the step); it is off during the pass and as it was afterwards, off included."""
    import gc

    trainer = Trainer(demo_model((4, 1)), *data, engine=engine)
    seen = []
    evaluate = trainer.engine.evaluate

    def watched(idx):
        seen.append(gc.isenabled())
        return evaluate(idx)

    trainer.engine.evaluate = watched
    assert gc.isenabled()
    trainer.step()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        trainer.step()
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
    assert trainer.steps_done == 2
