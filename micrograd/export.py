"""Take a model or a graph out of micrograd: MLP weights as JSON, a PyTorch script, a graph as SVG.

The PyTorch script is for the learner who outgrows micrograd: a short, self-contained file that rebuilds the
same network as a `torch.nn.Sequential` in float64, with the trained weights written out as literals, so
it gives the same predictions (to rounding: PyTorch adds a neuron's terms in its own order).
"""

from __future__ import annotations

import math
import random
import shutil
import subprocess
from pathlib import Path

from micrograd import graph
from micrograd.engine import Value
from micrograd.nn import ACTIVATIONS, MLP

MLP_FORMAT = "micrograd-tui/mlp"
MLP_VERSION = 1

# How each of our activations is spelled in torch.nn ("linear" adds no module).
_TORCH_ACTIVATIONS = {
    "relu": "torch.nn.ReLU()",
    "tanh": "torch.nn.Tanh()",
    "sigmoid": "torch.nn.Sigmoid()",
    "linear": None,
}


# ---- JSON ------------------------------------------------------------------------------------------


def mlp_to_json(model: MLP) -> dict:
    """The architecture, activations and every weight, as plain JSON-ready numbers and lists.

    ``layers[i]["w"][j]`` holds neuron j's input weights, ``layers[i]["b"][j]`` its bias, as in
    `MLP.state_dict()`; a format tag and version let a reader refuse a file that is something else.
    """
    return {"format": MLP_FORMAT, "version": MLP_VERSION, **model.state_dict()}


def mlp_from_json(data: dict) -> MLP:
    """Rebuild the MLP `mlp_to_json` described; a ValueError with one clear sentence for a bad input."""
    if not isinstance(data, dict):
        raise ValueError(f"model JSON must be an object, not {type(data).__name__}")
    if data.get("format") != MLP_FORMAT:
        raise ValueError(f"not a micrograd-tui model: 'format' is {data.get('format')!r}, expected {MLP_FORMAT!r}")
    if data.get("version") != MLP_VERSION:
        raise ValueError(
            f"model JSON version {data.get('version')!r} is not supported (this version reads {MLP_VERSION})"
        )
    missing = [k for k in ("nin", "nouts", "activation", "output_activation", "layers") if k not in data]
    if missing:
        raise ValueError(f"model JSON is missing {', '.join(repr(k) for k in missing)}")
    if not isinstance(data["nouts"], list):
        raise ValueError(f"model JSON 'nouts' must be a list of layer sizes, not {type(data['nouts']).__name__}")
    for key in ("activation", "output_activation"):
        if data[key] not in ACTIVATIONS:
            raise ValueError(f"model JSON {key!r} is {data[key]!r}: choose one of {', '.join(ACTIVATIONS)}")
    layers, nouts = data["layers"], data["nouts"]
    if not isinstance(layers, list) or len(layers) != len(nouts):
        raise ValueError(f"model JSON 'layers' must be a list with one entry per layer size in 'nouts' {nouts!r}")
    for i, (layer, size) in enumerate(zip(layers, nouts)):
        biases = layer.get("b") if isinstance(layer, dict) else None
        if isinstance(biases, list) and len(biases) != size:
            raise ValueError(f"model JSON layer {i + 1} has {len(biases)} neurons, but 'nouts' says {size}")
    # A fixed throwaway generator: the weights are overwritten next, and the global `random` stays untouched.
    model = MLP(
        data["nin"],
        data["nouts"],
        activation=data["activation"],
        output_activation=data["output_activation"],
        rng=random.Random(0),
    )
    try:
        model.load_state_dict({k: data[k] for k in ("nin", "nouts", "activation", "output_activation", "layers")})
    except ValueError as err:  # nn.py names the entry as state[...]; say which file it came from
        raise ValueError(f"model JSON: {err}") from None
    return model


# ---- PyTorch ---------------------------------------------------------------------------------------


def _literal(x: float) -> str:
    """A float as Python source that reads back as exactly the same float."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"cannot export a model with a non-finite weight ({x!r}); train it to finite numbers first")
    return repr(x)


def _matrix(rows: list[list[float]], indent: str) -> str:
    lines = [f"{indent}    [{', '.join(_literal(v) for v in row)}]," for row in rows]
    return "[\n" + "\n".join(lines) + f"\n{indent}]"


def mlp_to_pytorch_script(model: MLP) -> str:
    """A self-contained Python script that rebuilds `model` in PyTorch (float64) with the same weights.

    Run as a program it prints the model's outputs as JSON, for one sample given on the command line
    (``python model.py 0.5 -0.2``) or for a JSON list of samples on stdin.
    """
    state = model.state_dict()
    sizes = [model.nin] + list(model.nouts)
    arch = " -> ".join(str(s) for s in sizes)
    modules, weights = [], []
    for i, layer in enumerate(state["layers"]):
        last = i == len(state["layers"]) - 1
        modules.append(f"        torch.nn.Linear({sizes[i]}, {sizes[i + 1]}, dtype=torch.float64),")
        activation = _TORCH_ACTIVATIONS[model.output_activation if last else model.activation]
        if activation:
            modules.append(f"        {activation},")
        weights.append(
            f"    {{  # layer {i + 1}: {sizes[i]} -> {sizes[i + 1]}\n"
            f'        "weight": {_matrix(layer["w"], "        ")},\n'
            f'        "bias": [{", ".join(_literal(b) for b in layer["b"])}],\n'
            f"    }},"
        )
    modules_text = "\n".join(modules)
    weights_text = "\n".join(weights)
    return f'''"""A micrograd-tui MLP ({arch}; {model.activation} hidden, {model.output_activation} output) in PyTorch.

Generated by micrograd-tui's export. `build_model()` returns a torch.nn.Sequential with the trained weights.
Run it to see predictions: `python this_file.py 0.5 -0.2` (one sample), or a JSON list of samples on stdin,
e.g. `echo '[[0.5, -0.2], [1.0, 0.0]]' | python this_file.py`; it prints the outputs as JSON.
"""

import json
import sys

import torch

# One entry per torch.nn.Linear, in order. Row j of "weight" is neuron j's input weights in micrograd.
WEIGHTS = [
{weights_text}
]


def build_model() -> torch.nn.Sequential:
    model = torch.nn.Sequential(
{modules_text}
    )
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():  # copying numbers in is not part of any computation to differentiate
        for linear, numbers in zip(linears, WEIGHTS):
            linear.weight.copy_(torch.tensor(numbers["weight"], dtype=torch.float64))
            linear.bias.copy_(torch.tensor(numbers["bias"], dtype=torch.float64))
    return model


if __name__ == "__main__":
    if len(sys.argv) > 1:
        samples = [[float(x) for x in sys.argv[1:]]]
    else:
        samples = json.load(sys.stdin)
    model = build_model()
    with torch.no_grad():
        outputs = model(torch.tensor(samples, dtype=torch.float64))
    print(json.dumps(outputs.tolist()))
'''


# ---- SVG -------------------------------------------------------------------------------------------


def graph_to_svg(root: Value, path: str | Path) -> Path:
    """Draw `root`'s graph to an SVG file with Graphviz's `dot`; a RuntimeError if `dot` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "Graphviz's dot is not installed, so SVG export is not available; export DOT instead "
            "(or install Graphviz, e.g. `apt install graphviz`)"
        )
    path = Path(path)
    try:
        subprocess.run(
            [dot, "-Tsvg", "-o", str(path)],
            input=graph.to_dot(root),
            text=True,
            capture_output=True,
            check=True,
            timeout=120,
        )
    except subprocess.CalledProcessError as err:
        raise RuntimeError(f"Graphviz's dot could not draw the graph: {err.stderr.strip() or err}") from None
    except subprocess.TimeoutExpired:
        raise RuntimeError("Graphviz's dot took over 2 minutes to draw the graph; export DOT instead") from None
    return path
