"""Exports and the traced sample, as plain functions of a workbench's state — no Textual here.

Exports are text: a graph as DOT, SVG (drawn by Graphviz's `dot`) or Mermaid; the MLP as JSON weights or as a
PyTorch script. `write_atomic` puts text in a file the safe way (a temp file beside it, then `os.replace`), so
an interrupted export never leaves half a file where a good one was.

The traced sample is one data point's forward graph through the current model, and its loss term, built with
the reference engine on a *detached copy* of the model: its backward pass fills in grads without touching the
Values the trainer owns, so the training-loss view and the next step see exactly what they saw before.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from micrograd import export, files, graph, losses, nn
from micrograd.engine import Value

# kind -> (what the screen calls it, default file name, whether it is a graph export)
KINDS = {
    "dot": ("Graph as DOT (Graphviz)", "micrograd-graph.dot", True),
    "svg": ("Graph as SVG (drawn by Graphviz's dot)", "micrograd-graph.svg", True),
    "mermaid": ("Graph as Mermaid", "micrograd-graph.mmd", True),
    "json": ("Trained MLP as JSON weights", "mlp.json", False),
    "torch": ("Trained MLP as a PyTorch script", "mlp_torch.py", False),
    "csv": ("Data points as CSV (x1, x2, …, label)", "micrograd-data.csv", False),
}
SVG_LIMIT = 3000  # nodes: Graphviz takes minutes over the 40,000-node training-loss graph


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"export: expected one of {', '.join(KINDS)}, not {kind!r}")
    return kind


def default_path(kind: str, folder: str | Path | None = None) -> Path:
    """Where an export goes unless the user types another path: the working folder."""
    return Path(folder if folder is not None else Path.cwd()) / KINDS[check_kind(kind)][1]


def graph_text(kind: str, root: Value | None, what: str = "graph") -> str:
    """The graph under `root` as DOT, SVG or Mermaid text; ValueError/RuntimeError in one sentence."""
    if root is None:
        raise ValueError(f"there is no {what} to export: evaluate an expression that assigns a Value first")
    if kind == "dot":
        return graph.to_dot(root)
    if kind == "mermaid":
        return graph.to_mermaid(root)
    if kind == "svg":
        size = sum(1 for _ in graph.walk(root))
        if size > SVG_LIMIT:
            raise ValueError(
                f"the {what} has {size:,} nodes, too many for Graphviz to draw in reasonable time "
                f"(limit {SVG_LIMIT:,}); export it as DOT instead"
            )
        with tempfile.TemporaryDirectory(prefix="micrograd-svg-") as folder:
            path = export.graph_to_svg(root, Path(folder) / "graph.svg")  # RuntimeError without Graphviz
            return path.read_text(encoding="utf-8")
    raise ValueError(f"{kind!r} is not a graph export")


def model_text(kind: str, model) -> str:
    """The MLP as JSON weights or a PyTorch script (a ValueError for a non-finite weight)."""
    if kind == "json":  # strict JSON: a weight that diverged to nan or inf is refused, as the PyTorch export does
        try:
            return json.dumps(export.mlp_to_json(model), indent=1, allow_nan=False) + "\n"
        except ValueError:
            raise ValueError(
                "cannot export a model with a non-finite weight (nan or inf) as JSON; train it to finite numbers first"
            ) from None
    if kind == "torch":
        return export.mlp_to_pytorch_script(model)
    raise ValueError(f"{kind!r} is not a model export")


def write_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path` atomically (`micrograd.files.write_atomic`: a temp file beside the target, then
    `os.replace`; a symlink stays a link and the file keeps its permission bits); a ValueError sentence."""
    try:
        target = files.check_path_text(path)
        return files.write_atomic(Path(target).expanduser(), text.encode("utf-8"))
    except files.FileRefused as err:
        raise ValueError(f"{files.printable_name(path)} was not written: {err}") from None


# ---- the traced sample -------------------------------------------------------------------------------


def detached_copy(model, parameters=None):
    """The same MLP with its own Values, each parameter labelled like `L1.n3.w0`: the same numbers, or
    `parameters` (in `parameters()` order) without reading a single number from `model`'s Values."""
    if parameters is None:
        copy = export.mlp_from_json(export.mlp_to_json(model))
    else:
        copy = nn.MLP(
            model.nin,
            model.nouts,
            activation=model.activation,
            output_activation=model.output_activation,
            rng=random.Random(0),
        )
        for p, number in zip(copy.parameters(), parameters.tolist(), strict=True):
            p.data = number
    for li, layer in enumerate(copy.layers, start=1):
        for ni, neuron in enumerate(layer.neurons):
            for wi, w in enumerate(neuron.w):
                w.label = f"L{li}.n{ni}.w{wi}"
            neuron.b.label = f"L{li}.n{ni}.b"
    return copy


def sample_graph(model, X, y, index: int, loss_name: str, parameters=None, names=None) -> Value:
    """Sample `index`'s loss term `Loss.sample(model(x), label)`, backward already run (grads filled in),
    through a detached copy of `model` (with `parameters`, when given, instead of the model's numbers).
    `names` label the inputs (input features such as x₁²); by default x0, x1, ..."""
    if not 0 <= index < len(X):
        raise ValueError(f"trace: sample {index} does not exist; the data has samples 0 to {len(X) - 1}")
    copy = detached_copy(model, parameters)
    x = [Value(float(v), label=names[j] if names else f"x{j}") for j, v in enumerate(X[index])]
    output = copy(x)
    outputs = [output] if isinstance(output, Value) else list(output)
    for k, o in enumerate(outputs):
        o.label = "score" if len(outputs) == 1 else f"score{k}"
    loss = losses.LOSSES[loss_name].sample(output, y[index].item())  # a class index, or a regression target
    loss.label = f"loss[{index}]"
    loss.backward()
    return loss


def neuron_graph(model, X, index: int, layer: int, neuron: int, parameters=None, names=None) -> Value:
    """Neuron `neuron` of layer `layer` (from 0) for sample `index`: its output Value, labelled `L2.n5`, with
    backward run from it (so each weight's grad is d(neuron)/d(weight)), through a detached copy of `model`."""
    if not 0 <= index < len(X):
        raise ValueError(f"trace: sample {index} does not exist; the data has samples 0 to {len(X) - 1}")
    copy = detached_copy(model, parameters)
    x = [Value(float(v), label=names[j] if names else f"x{j}") for j, v in enumerate(X[index])]
    for current in copy.layers[: layer + 1]:
        x = [n(x) for n in current.neurons]
    root = x[neuron]
    root.label = f"L{layer + 1}.n{neuron}"
    root.backward()
    return root


def nearest_sample(X, position) -> int:
    """The index of the row of X nearest (Euclidean) to `position`; ValueError when the sizes differ."""
    import numpy as np

    point = np.asarray(position, dtype=float).ravel()
    if point.shape != (X.shape[1],) or not np.isfinite(point).all():
        raise ValueError(f"a position needs {X.shape[1]} finite numbers (one per input feature), not {len(point)}")
    return int(np.argmin(((X - point) ** 2).sum(axis=1)))
