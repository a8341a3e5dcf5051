"""Exports: MLP JSON round trip, the PyTorch script (run for real), SVG through Graphviz."""

import json
import random
import re
import subprocess
import sys

import pytest

from micrograd import export
from micrograd.engine import Value
from micrograd.export import graph_to_svg, mlp_from_json, mlp_to_json, mlp_to_pytorch_script
from micrograd.nn import MLP

SAMPLES = [[0.5, -0.2], [1.0, 0.0], [-1.3, 2.7], [0.0, 0.0], [3.0, -3.0]]


def micrograd_outputs(model, samples):
    rows = []
    for x in samples:
        out = model([Value(v) for v in x])
        rows.append([o.data for o in (out if isinstance(out, list) else [out])])
    return rows


def trained_looking(model, seed=0):
    """Give every parameter (biases too) an arbitrary nonzero value, as training would."""
    rng = random.Random(seed)
    for p in model.parameters():
        p.data = rng.uniform(-1.5, 1.5)
    return model


MODELS = [
    lambda: MLP(2, [16, 16, 1], rng=random.Random(1337)),  # micrograd's moons demo architecture
    lambda: MLP(2, [4, 4, 1], activation="tanh", output_activation="tanh", rng=random.Random(1)),
    lambda: MLP(2, [5, 3], activation="sigmoid", output_activation="linear", rng=random.Random(2)),
    lambda: MLP(2, [3, 2], activation="linear", output_activation="sigmoid", rng=random.Random(3)),
]


# ---- JSON ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", MODELS)
def test_json_round_trip_rebuilds_an_identical_model(make):
    model = trained_looking(make())
    data = mlp_to_json(model)
    text = json.dumps(data)  # JSON-ready: no Values, no tuples of odd types
    rebuilt = mlp_from_json(json.loads(text))
    assert [p.data for p in rebuilt.parameters()] == [p.data for p in model.parameters()]
    assert (rebuilt.nin, rebuilt.nouts, rebuilt.activation, rebuilt.output_activation) == (
        model.nin,
        model.nouts,
        model.activation,
        model.output_activation,
    )
    assert micrograd_outputs(rebuilt, SAMPLES) == micrograd_outputs(model, SAMPLES)


def test_json_leaves_the_global_random_generator_alone():
    data = mlp_to_json(MLP(2, [3, 1], rng=random.Random(0)))
    random.seed(5)
    expected = random.random()
    random.seed(5)
    mlp_from_json(data)
    assert random.random() == expected


def _good():
    return mlp_to_json(MLP(2, [3, 1], rng=random.Random(0)))


def _with(**changes):
    data = _good()
    data.update(changes)
    return data


def _weight(value):
    data = _good()
    data["layers"][1]["w"][0][2] = value
    return data


@pytest.mark.parametrize(
    "bad, message",
    [
        ([1, 2], "must be an object"),
        (_with(format="something/else"), "not a micrograd-tui model"),
        (_with(version=2), "version 2 is not supported"),
        ({k: v for k, v in _good().items() if k != "layers"}, "missing 'layers'"),
        (_with(nouts="3,1"), "'nouts' must be a list"),
        (_with(activation="gelu"), "'activation' is 'gelu'"),
        (_with(nin=0), "positive number of inputs"),
        (_with(nouts=[3, 2]), "layer 2 has 1 neurons, but 'nouts' says 2"),
        (_with(nouts=[3]), "one entry per layer size"),
        (_weight("0.5"), r"\['layers'\]\[1\]\['w'\]\[0\]\[2\] must be a number"),
        (_weight(float("nan")), "must be finite"),
    ],
)
def test_json_validation_gives_one_clear_sentence(bad, message):
    with pytest.raises(ValueError, match=message):
        mlp_from_json(bad)


# ---- PyTorch ---------------------------------------------------------------------------------------


def write_script(tmp_path, model):
    path = tmp_path / "exported_model.py"
    path.write_text(mlp_to_pytorch_script(model))
    return path


def assert_predictions_match(got, model, samples):
    expected = micrograd_outputs(model, samples)
    assert len(got) == len(expected)
    for row_got, row_expected in zip(got, expected):
        assert row_got == pytest.approx(row_expected, rel=1e-12, abs=1e-12)


def test_pytorch_script_run_as_a_program_reads_samples_from_stdin(torch, tmp_path):
    model = trained_looking(MODELS[0]())
    path = write_script(tmp_path, model)
    done = subprocess.run(
        [sys.executable, str(path)], input=json.dumps(SAMPLES), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert_predictions_match(json.loads(done.stdout), model, SAMPLES)


def test_pytorch_script_run_as_a_program_takes_one_sample_from_argv(torch, tmp_path):
    model = trained_looking(MODELS[1]())
    path = write_script(tmp_path, model)
    done = subprocess.run([sys.executable, str(path), "-1.3", "2.7"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_predictions_match(json.loads(done.stdout), model, [[-1.3, 2.7]])


EXPECTED_MODULES = [
    ["Linear", "ReLU", "Linear", "ReLU", "Linear"],
    ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Tanh"],
    ["Linear", "Sigmoid", "Linear"],
    ["Linear", "Linear", "Sigmoid"],
]


@pytest.mark.parametrize("make, modules", list(zip(MODELS, EXPECTED_MODULES)))
def test_pytorch_script_imported_builds_the_same_float64_model(make, modules, torch, tmp_path):
    import importlib.util

    model = trained_looking(make())
    path = write_script(tmp_path, model)
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # importing a file: the library itself never runs text
    net = module.build_model()
    assert isinstance(net, torch.nn.Sequential)
    assert [type(m).__name__ for m in net] == modules
    # The weights are exactly micrograd's (the literals round-trip), in float64.
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for linear, layer in zip(linears, model.layers, strict=True):
        assert linear.weight.dtype == torch.float64
        assert linear.weight.tolist() == [[w.data for w in n.w] for n in layer.neurons]
        assert linear.bias.tolist() == [n.b.data for n in layer.neurons]
    with torch.no_grad():
        out = net(torch.tensor(SAMPLES, dtype=torch.float64)).tolist()
    assert_predictions_match(out, model, SAMPLES)


def test_pytorch_script_is_short_readable_and_never_evaluates_text():
    script = mlp_to_pytorch_script(MODELS[0]())
    assert "torch.nn.Sequential(" in script and "torch.no_grad()" in script
    assert script.count("torch.nn.Linear(") == 3  # one per layer
    assert len(script.splitlines()) < 60 + 16 + 16  # boilerplate plus one line per neuron
    assert "eval(" not in script and "exec(" not in script and "pickle" not in script
    compile(script, "exported_model.py", "exec")  # valid Python, without running it


def test_pytorch_script_refuses_a_non_finite_weight():
    model = MLP(2, [2, 1], rng=random.Random(0))
    model.layers[0].neurons[1].w[0].data = float("inf")
    with pytest.raises(ValueError, match="non-finite weight"):
        mlp_to_pytorch_script(model)


# ---- SVG -------------------------------------------------------------------------------------------


def small_graph():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    out = (c + a).tanh()
    out.label = "out"
    out.backward()
    return out


def test_graph_to_svg_draws_with_graphviz(tmp_path, graphviz):
    path = graph_to_svg(small_graph(), tmp_path / "graph.svg")
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "</svg>" in svg
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    # graph.to_dot's record nodes (label, data, grad) and op nodes made it into the drawing
    assert {"a", "b", "c", "out", "*", "+", "tanh", "data 2.0000", "grad 1.0000"} <= texts


def test_graph_to_svg_reports_a_dot_failure(tmp_path, monkeypatch, graphviz):
    monkeypatch.setattr(export.graph, "to_dot", lambda root: "digraph { this is not dot")
    with pytest.raises(RuntimeError, match="Graphviz's dot could not draw the graph: .*syntax error"):
        graph_to_svg(small_graph(), tmp_path / "graph.svg")


def test_graph_to_svg_without_graphviz_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(export.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Graphviz's dot is not installed.*export DOT instead"):
        graph_to_svg(small_graph(), tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()
