"""Regenerate the sample sessions by driving the real Workbench.

    python scripts/make_samples.py                  # rewrites every tui/sample_sessions/*.json it knows
    micrograd-tui check tui/sample_sessions/*.json  # then confirm they replay

The samples record what the engine computes, and `tests/test_session.py` replays every one of them, so they
only need regenerating after a deliberate change in the numbers (a new dataset generator, a different
weight initialisation). Review the diff afterwards: each step result is one line. Every recipe also asserts the
published figure it demonstrates (micrograd's README values, the lecture's gradients, the demo's accuracy), so
a regeneration cannot quietly record a wrong engine.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from tui import session

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tui" / "sample_sessions"  # package data: the wheel ships them (tui.samples reads them by name)

# micrograd's README example verbatim, minus its `g.backward()` line: the session presses backward itself.
README = """\
from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
"""

NEURON = """\
# inputs x1, x2; weights w1, w2; bias b (the lecture's value, so that o = tanh(n) = 0.7071)
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
b = Value(6.8813735870195432, label='b')
x1w1 = x1*w1
x2w2 = x2*w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = n.tanh()
"""

# The same neuron with tanh written out from exp: the graph grows, the gradients stay the same.
NEURON_EXPANDED = NEURON.replace("o = n.tanh()\n", "e = (2*n).exp()\no = (e - 1) / (e + 1)\n")

# The lecture's two graphs with a node used twice, where backward's `+=` matters.
REUSED = """\
# a is used twice: b.backward() must add both contributions, so a.grad = 2
a = Value(3.0, label='a')
b = a + a
"""
REUSED_TWICE = """\
# a and b are each used twice (in d and in e): dF/da = -3, dF/db = -8
a = Value(-2.0, label='a')
b = Value(3.0, label='b')
d = a * b
e = a + b
F = d * e
"""


def close(a: float, b: float, tol: float = 1e-4) -> bool:
    return abs(a - b) <= tol


def readme_expression():
    wb = session.new_workbench(expression=README)
    wb.backward()
    for label in ("g", "a", "b"):
        wb.select(label)
    a, b, g = (wb.program.values[k] for k in "abg")
    assert close(g.data, 24.7041) and close(a.grad, 138.8338) and close(b.grad, 645.5773), (g, a, b)
    return (
        wb,
        "micrograd's README expression",
        (
            "The expression from micrograd's README: press backward and read the gradients. The README's numbers: "
            "g = 24.7041, dg/da = 138.8338, dg/db = 645.5773."
        ),
    )


def tanh_neuron():
    wb = session.new_workbench(expression=NEURON)
    wb.backward()
    for label in ("o", "n", "x1", "w1", "x2", "w2"):
        wb.select(label)
    values = wb.program.values
    assert close(values["o"].data, 0.7071) and close(values["x1"].grad, -1.5) and close(values["w1"].grad, 1.0)
    wb.evaluate(NEURON_EXPANDED)
    wb.backward()
    for label in ("o", "x1", "w1"):
        wb.select(label)
    values = wb.program.values
    assert close(values["x1"].grad, -1.5) and close(values["w2"].grad, 0.0) and close(values["x2"].grad, 0.5)
    return (
        wb,
        "The lecture's tanh neuron",
        (
            "One neuron from Karpathy's micrograd lecture: o = tanh(x1*w1 + x2*w2 + b). Backward gives "
            "do/dx1 = -1.5, do/dw1 = 1.0, do/dx2 = 0.5, do/dw2 = 0. Then tanh is written out with exp: "
            "a bigger graph, the same gradients."
        ),
    )


def walk(wb, mode: str, overwrite: bool = False):
    """The stepper on (ctrl+b; f for the forward pass; o for the '=' pitfall), then next (→) to its end: one
    logged action per node, so replay shows every step."""
    wb.step_through(mode, 0, overwrite)
    while wb.stepping.position < wb.stepping.total:
        wb.stepper_move("next")
    return wb.stepping.stepper


def backprop_walkthrough():
    wb = session.new_workbench(expression=NEURON)
    values = wb.program.values
    forward = walk(wb, "forward")
    assert forward.total == 10 and close(forward.data_of(values["o"]), 0.7071), forward
    backward = walk(wb, "backward")
    grads = {k: backward.grad_of(values[k]) for k in ("n", "x1", "w1", "x2", "w2", "b")}
    assert backward.total == 5 and close(grads["n"], 0.5) and close(grads["x1"], -1.5), grads
    assert close(grads["w1"], 1.0) and close(grads["x2"], 0.5) and close(grads["w2"], 0.0), grads
    assert all(v.grad == 0 for v in values.values()), "the stepper must not write into the Values"
    wb.step_through("off")
    wb.backward()  # F2: the real backward writes the same numbers into the Values
    for label in ("x1", "w1"):
        wb.select(label)
    assert all(close(values[k].grad, g) for k, g in grads.items()), (values, grads)
    return (
        wb,
        "Backprop, one node at a time: the tanh neuron",
        (
            "The lecture's neuron o = tanh(x1*w1 + x2*w2 + b), one node per action: space plays and pauses, → and "
            "← step, Home and End jump, Escape leaves replay. The forward pass fills in the data, leaves first, up "
            "to o = 0.7071; the backward pass starts at o.grad = 1 and applies the chain rule node by node, the "
            "inspector showing each update with its numbers (grads not reached yet are pending), and ends at "
            "do/dx1 = -1.5, do/dw1 = 1.0, do/dx2 = 0.5, do/dw2 = 0. The stepper never changes the Values; the real "
            "backward (F2) at the end writes the same gradients."
        ),
    )


def overwrite_pitfall():
    wb = session.new_workbench(expression=REUSED)
    a = wb.program.values["a"]
    wrong = walk(wb, "backward", overwrite=True)
    assert wrong.grad_of(a) == 1, wrong.grad_of(a)  # the second update replaced the first
    wb.step_through("backward", wrong.total, False)  # o: the pitfall off, same position
    assert wb.stepping.stepper.grad_of(a) == 2
    wb.evaluate(REUSED_TWICE)
    values = wb.program.values
    wrong = walk(wb, "backward", overwrite=True)
    wrong_grads = (wrong.grad_of(values["a"]), wrong.grad_of(values["b"]))
    wb.step_through("backward", wrong.total, False)
    right = wb.stepping.stepper
    right_grads = (right.grad_of(values["a"]), right.grad_of(values["b"]))
    assert close(right_grads[0], -3.0) and close(right_grads[1], -8.0), right_grads
    assert not (close(wrong_grads[0], -3.0) or close(wrong_grads[1], -8.0)), wrong_grads
    wb.step_through("off")
    wb.backward()
    assert close(values["a"].grad, -3.0) and close(values["b"].grad, -8.0), values
    return (
        wb,
        "Pitfall: '=' instead of '+=' in backward",
        (
            "The lecture's bug: a backward that sets child.grad = local × grad instead of adding to it. Right for a "
            "tree, wrong for a node used twice. In b = a + a the stepper, with the pitfall on, sets a.grad = 1 and "
            "then overwrites it with 1 again; the pitfall off (o) adds the two contributions: a.grad = 2. Then "
            f"F = (a*b)*(a+b) with a = -2, b = 3, where a and b are each used twice: '=' gives da = "
            f"{wrong_grads[0]:g}, db = {wrong_grads[1]:g}; '+=' gives the right -3 and -8, the same as the real "
            "backward at the end. Space plays, → and ← step one action; ctrl+n after leaving replay checks grads "
            "against finite differences."
        ),
    )


def tiny_mlp():
    config = {
        "data": {"name": "tiny"},
        "model": {"layers": [4, 4, 1], "activation": "tanh", "output_activation": "tanh", "seed": 1337},
        "training": {"loss": "mse", "l2": 0.0, "optimizer": "sgd", "lr": {"schedule": "constant", "lr": 0.2}},
    }
    wb = session.new_workbench(config)
    for _ in range(3):
        wb.step()
    wb.train(47)
    first, last = wb.history[0], wb.history[-1]
    assert last["loss"] < 0.05 * first["loss"] and last["accuracy"] == 1.0, (first, last)
    return (
        wb,
        "The lecture's MLP(3, [4, 4, 1]) on 4 samples",
        (
            "The lecture's tiny network: 3 inputs, two tanh layers of 4, one tanh output, trained with mean squared "
            "error on its 4 samples (targets 1, -1, -1, 1). The lecture sums the loss with lr 0.05; the mean of 4 "
            "with lr 0.2 is the same step. Three single steps, then 47 more: the loss falls towards 0."
        ),
    )


def moons_demo():
    wb = session.new_workbench()  # the defaults are micrograd's demo.ipynb
    wb.train(100)
    last = wb.history[-1]
    assert last["accuracy"] == 1.0 and last["step"] == 99, last  # steps count from 0, as in demo.ipynb
    return (
        wb,
        "micrograd's moons demo",
        (
            "micrograd's demo.ipynb: 100 two-moons points, MLP(2, [16, 16, 1]) with relu, the SVM max-margin loss "
            "plus 1e-4 L2, SGD with the learning rate falling from 1.0 to 0.1 over 100 steps. It reaches 100% "
            "accuracy; open the decision boundary to see it."
        ),
    )


def tanh_vs_relu():
    wb = session.new_workbench()
    wb.train(100)
    relu = wb.history[-1]
    wb.configure({"model": {"activation": "tanh"}})
    wb.train(100)
    tanh = wb.history[-1]
    assert math.isfinite(relu["loss"]) and math.isfinite(tanh["loss"]), (relu, tanh)
    return (
        wb,
        "relu, then tanh, on the moons",
        (
            f"The moons demo twice: first with relu (final loss {relu['loss']:.4f}, accuracy {relu['accuracy']:.0%}), "
            f"then the same seeds with tanh hidden units (final loss {tanh['loss']:.4f}, accuracy "
            f"{tanh['accuracy']:.0%}). Changing the activation rebuilds the model, so both start from the same "
            "random weights."
        ),
    )


def diverging_lr():
    config = {"training": {"loss": "mse", "lr": {"schedule": "constant", "lr": 10.0}}}
    wb = session.new_workbench(config)
    wb.train(100)
    blown = wb.history[-1]
    assert not math.isfinite(blown["loss"]) and blown["step"] < 99, blown
    wb.configure({"training": {"lr": {"schedule": "constant", "lr": 0.05}}})
    wb.train(100)
    calm = wb.history[-1]
    assert math.isfinite(calm["loss"]) and calm["accuracy"] > 0.8, calm
    return (
        wb,
        "A learning rate that diverges",
        (
            f"The moons with mean squared error and a learning rate of 10: every step overshoots, the weights grow, "
            f"and at step {blown['step']} the loss is no longer a finite number, so training stops there. Lowering "
            f"the rate to 0.05 rebuilds the model and it trains calmly (accuracy {calm['accuracy']:.0%} after 100 "
            "steps). When a loss turns NaN or infinite, try a smaller learning rate."
        ),
    )


def yinyang_adamw():
    config = {
        "data": {"name": "yinyang", "samples": 150, "noise": 0.0, "seed": 1337},
        "model": {"layers": [16, 16, 3], "activation": "relu", "seed": 1337},
        "training": {
            "loss": "cross_entropy",
            "l2": 0.0,
            "optimizer": "adamw",
            "lr": {"schedule": "cosine", "start": 0.05, "end": 0.001, "steps": 300},
        },
    }
    wb = session.new_workbench(config)
    wb.train(300)
    last = wb.history[-1]
    assert last["accuracy"] > 0.9, last
    return (
        wb,
        "Three classes: yin-yang with cross-entropy and AdamW",
        (
            "The yin-yang dataset has three classes (yin, yang and the two dots), so the network ends in 3 outputs "
            "and the loss is cross-entropy over their softmax. AdamW (the update of torch.optim.AdamW, with its "
            f"weight decay) with a cosine learning rate from 0.05 to 0.001 reaches {last['accuracy']:.0%} "
            "accuracy in 300 steps."
        ),
    )


def network_view():
    from micrograd.network_maps import active_counts
    from tui.network_view_state import Snapshot, architecture

    wb = session.new_workbench()  # micrograd's demo
    wb.select_neuron(0, 0)  # a selected neuron: the app shows the network view
    wb.train(60)
    wb.select_neuron(1, 4)
    before = wb.history[-1]
    arch = architecture(wb.model)
    alive = int(active_counts(arch, Snapshot.of(wb.trainer).params, wb.X)[1][4])
    assert alive > 0, alive
    entry = wb.set_parameter(1, 4, "b", -20.0)  # a bias no sample gets past: the neuron dies
    assert active_counts(arch, Snapshot.of(wb.trainer).params, wb.X)[1][4] == 0
    assert entry["loss"] > before["loss"], (entry, before)
    wb.train(40)
    last = wb.history[-1]
    assert last["accuracy"] == 1.0 and last["step"] == 99, last
    return (
        wb,
        "Watching the network learn, and killing a neuron",
        (
            "micrograd's moons demo with the network view open (ctrl+f): every neuron a map of its output over "
            "the plane, the weights between layers, the output neuron the decision boundary in miniature. After "
            f"60 steps (loss {before['loss']:.4f}) neuron L2.n4 is active on {alive} of {len(wb.X)} samples; its "
            f"bias set by hand to -20, no sample activates it any more (the inspector says dead) and the loss jumps "
            f"to {entry['loss']:.4f}. The other neurons adjust: 40 more steps bring it down to {last['loss']:.4f}, "
            f"accuracy {last['accuracy']:.0%} (the undamaged demo ends at 0.0110). "
            "In the view, arrows select a neuron, [ and ] a weight, Enter edits it, g opens its graph."
        ),
    )


SPIRAL = {
    "data": {"name": "spiral", "samples": 200, "noise": 0.05, "seed": 1337, "test_percent": 25},
    "model": {"layers": [16, 16, 1], "activation": "tanh", "seed": 1337},
    "training": {
        "loss": "binary_cross_entropy",
        "l2": 1e-4,
        "optimizer": "adamw",
        "lr": {"schedule": "cosine", "start": 0.03, "end": 0.001, "steps": 600},
    },
}


def spiral_test_split():
    wb = session.new_workbench(SPIRAL)
    wb.train(600)
    last = wb.history[-1]
    assert last["accuracy"] > 0.9 and last["test_accuracy"] > 0.85, last
    return (
        wb,
        "The spiral, with a held-out test set",
        (
            "Two interleaved spiral arms (TensorFlow Playground's hardest set), 200 points of which 25% are held out "
            "for testing (drawn hollow in the decision boundary, F4). The network never trains on them: the chart "
            "shows their loss and accuracy beside the training ones. A 2-16-16-1 tanh network trained on log loss "
            f"with AdamW and a cosine learning rate reaches {last['accuracy']:.1%} on the training points and "
            f"{last['test_accuracy']:.1%} on the test points after 600 steps; l in the chart pane puts the loss on "
            "a log scale."
        ),
    )


def moons_overfit():
    config = {
        "data": {"name": "moons", "samples": 60, "noise": 0.3, "seed": 1337, "test_percent": 50},
        "model": {"layers": [32, 32, 1], "activation": "relu", "seed": 1337},
        "training": {"l2": 0.0, "optimizer": "adamw", "lr": {"schedule": "constant", "lr": 0.02}},
    }
    wb = session.new_workbench(config)
    wb.train(400)
    last = wb.history[-1]
    best_test = min(r["test_loss"] for r in wb.history)
    assert last["accuracy"] > last["test_accuracy"] and last["test_loss"] > best_test, last
    return (
        wb,
        "A test split shows overfitting",
        (
            "Few, noisy moons (60 points, noise 0.3), half of them held out, and a big network (2-32-32-1) without "
            f"L2: the training loss keeps falling, while the test loss is lowest early ({best_test:.3f}) and then "
            f"climbs to {last['test_loss']:.3f}. In the end training accuracy is {last['accuracy']:.0%}, test "
            f"accuracy {last['test_accuracy']:.0%}: the network learned the training points' noise."
        ),
    )


def regression_multi_gaussian():
    config = {
        "data": {"name": "multi_gaussian", "samples": 200, "noise": 0.0, "seed": 1337, "test_percent": 20},
        "model": {"layers": [12, 12, 1], "activation": "tanh", "seed": 1337},
        "training": {
            "loss": "mse_regression",
            "l2": 0.0,
            "optimizer": "adamw",
            "lr": {"schedule": "constant", "lr": 0.03},
        },
    }
    wb = session.new_workbench(config)
    wb.train(300)
    first, last = wb.history[0], wb.history[-1]
    assert last["loss"] < 0.1 * first["loss"] and math.isnan(last["accuracy"]), (first, last)
    return (
        wb,
        "Regression: six Gaussian bumps",
        (
            "Playground's \"multi gaussian\": each point's target is a sum of six bumps of height +1 or -1, and the "
            "network (one output, no activation on it) learns the surface with the squared error. A regression set "
            "has no classes, so the chart shows loss only and the decision boundary (F4) becomes a heatmap of the "
            f"predicted value, blue negative and orange positive. Loss {first['loss']:.3f} → {last['loss']:.4f} "
            f"on the training points, {last['test_loss']:.4f} on the 20% held out."
        ),
    )


def hand_placed_points():
    wb = session.new_workbench(
        {
            "data": {"name": "gaussians", "samples": 40, "noise": 0.0, "seed": 7},
            "model": {"layers": [16, 16, 1], "activation": "tanh", "seed": 7},
            "training": {"optimizer": "adamw", "lr": {"schedule": "constant", "lr": 0.03}},
        }
    )
    wb.train(60)
    before = wb.history[-1]["accuracy"]
    # A learner drops class-1 points beyond the class-0 cluster, removes one again, and adds a class-0 point
    # beyond the class-1 cluster: the network bends to them.
    for position in ([-1.3, -1.1], [-1.1, -1.3], [-1.2, -1.2], [-1.25, -1.3]):
        wb.add_point(position, 1)
    wb.remove_point(wb.nearest_sample([-1.2, -1.2]))
    wb.add_point([1.3, 1.3], 0)
    wb.train(300)
    last = wb.history[-1]
    placed = wb.trainer.predict(wb.featurize(wb.X[-4:]))
    assert before == 1.0 and last["accuracy"] == 1.0 and placed.tolist() == [1, 1, 1, 0], (before, last, placed)
    return (
        wb,
        "Hand-placed points: the network bends to them",
        (
            "Two Gaussian clusters, learned at once. Then, as in ConvNetJS's 2-D demo, points are placed by hand "
            "(F4, then e for edit mode: a click adds a point of the selected class, a right click removes the "
            "nearest; arrows, a and x from the keyboard, 0-4 pick the class): class-1 points beyond the class-0 "
            "cluster (one placed and removed again) and a class-0 point beyond the class-1 cluster. Training "
            "carries on from the same weights, the chart marks each edit, and the boundary bends around the new "
            f"points until all {len(wb.X)} are classified right."
        ),
    )


SAMPLES = {
    "readme_expression": readme_expression,
    "tanh_neuron": tanh_neuron,
    "backprop_walkthrough": backprop_walkthrough,
    "overwrite_pitfall": overwrite_pitfall,
    "tiny_mlp_mse": tiny_mlp,
    "moons_demo": moons_demo,
    "tanh_vs_relu": tanh_vs_relu,
    "diverging_lr": diverging_lr,
    "yinyang_adamw": yinyang_adamw,
    "network_view": network_view,
    "spiral_test_split": spiral_test_split,
    "moons_overfit": moons_overfit,
    "regression_multi_gaussian": regression_multi_gaussian,
    "hand_placed_points": hand_placed_points,
}


def main(names: list[str]) -> None:
    for name in names or SAMPLES:  # `make_samples.py spiral_test_split` regenerates that one alone
        recipe = SAMPLES[name]
        wb, title, description = recipe()
        recorded = session.Session.from_workbench(wb, title=title, description=description)
        recorded.created = "2026-11-25T00:00:00Z"  # fixed, so regenerating unchanged numbers changes no file
        path = HERE / f"{name}.json"
        session.save(recorded, path)
        print(f"wrote {path.relative_to(ROOT)}  ({len(recorded.actions)} actions, {recorded.steps} steps)")


if __name__ == "__main__":
    main(sys.argv[1:])
