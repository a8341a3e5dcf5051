"""The network view's state: which neuron and parameter are selected, the numbers shown for it, and the
parameter snapshot everything is drawn from — no Textual here (a test guards that).

A `Snapshot` holds copies (parameters, last gradient, optimizer buffers): taken from the trainer when it is
idle, or posted by the training worker between steps, so the view never reads a live Value. Neurons are named
as the traced sample's graph names them (tui/exports.py `detached_copy`): layer L (from 1), neuron n (from 0),
`L2.n5`, its parameters `L2.n5.w0` ... and `L2.n5.b`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from micrograd.network_maps import Architecture, active_counts


@dataclass(frozen=True)
class Snapshot:
    """Copies of the numbers a network view draws: parameters, their last gradient, the optimizer's buffers
    by name ("momentum", or AdamW's "m" and "v") and "update" (what the last step added)."""

    params: np.ndarray
    grad: np.ndarray | None = None
    buffers: dict = field(default_factory=dict)

    @classmethod
    def of(cls, trainer) -> Snapshot:
        """From a trainer between steps (the worker thread while training, else the UI thread)."""
        grad = trainer.gradient_vector() if trainer.steps_done else None
        return cls(trainer.parameter_vector(), grad, trainer.optimizer.state())


def architecture(model) -> Architecture:
    """The network view's picture of a `micrograd.nn.MLP`."""
    return Architecture.of(model.nin, model.nouts, model.activation, model.output_activation)


def neuron_name(layer: int, neuron: int) -> str:
    return f"L{layer + 1}.n{neuron}"


def parameter_name(arch: Architecture, layer: int, parameter: int) -> str:
    return "b" if parameter == arch.fan_ins[layer] else f"w{parameter}"


def parameter_index(arch: Architecture, layer: int, name) -> int:
    """ "w3" -> 3, "b" -> the bias's place (after the weights); ValueError in one sentence otherwise."""
    fan_in = arch.fan_ins[layer]
    if name == "b":
        return fan_in
    if isinstance(name, str) and name[:1] == "w" and name[1:].isdigit() and int(name[1:]) < fan_in:
        return int(name[1:])
    raise ValueError(
        f"set_parameter.parameter: expected b or w0 to w{fan_in - 1} for a neuron of layer {layer + 1}, not {name!r}"
    )


def parse_value(text: str) -> float:
    """A typed weight: a finite number, or a ValueError sentence saying what to type."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()[:40]!r} is not a number: type one such as -0.25 or 1e-3, then Enter") from None
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"a weight must be a finite number between -1e6 and 1e6, not {text.strip()[:40]!r}")
    return value


@dataclass(frozen=True)
class Selection:
    """A neuron of a model layer (0-based, inputs excluded) and one of its parameters (weights, then bias)."""

    layer: int = 0
    neuron: int = 0
    parameter: int = 0

    def check(self, arch: Architecture) -> Selection:
        """Itself, or a ValueError naming what is out of range for this model."""
        layers = len(arch.widths)
        if not 0 <= self.layer < layers:
            raise ValueError(
                f"select_neuron.layer: expected 0 to {layers - 1} (this model has {layers} layers), not {self.layer}"
            )
        if not 0 <= self.neuron < arch.widths[self.layer]:
            raise ValueError(
                f"select_neuron.neuron: layer {self.layer + 1} has neurons 0 to "
                f"{arch.widths[self.layer] - 1}, not {self.neuron}"
            )
        if not 0 <= self.parameter <= arch.fan_ins[self.layer]:
            raise ValueError(
                f"select_neuron.parameter: a neuron of layer {self.layer + 1} has parameters 0 to "
                f"{arch.fan_ins[self.layer]} (weights, then the bias), not {self.parameter}"
            )
        return self

    def clamped(self, arch: Architecture) -> Selection:
        """The nearest selection that exists in `arch` (after the model was rebuilt with other sizes)."""
        layer = min(self.layer, len(arch.widths) - 1)
        return Selection(layer, min(self.neuron, arch.widths[layer] - 1), min(self.parameter, arch.fan_ins[layer]))

    def moved(self, arch: Architecture, *, layers: int = 0, neurons: int = 0, parameters: int = 0) -> Selection:
        """Arrow keys: another layer (keeping the neuron's place), neuron or parameter, stopping at the ends."""
        layer = max(0, min(self.layer + layers, len(arch.widths) - 1))
        neuron = max(0, min(self.neuron + neurons, arch.widths[layer] - 1))
        parameter = max(0, min(self.parameter + parameters, arch.fan_ins[layer]))
        return Selection(layer, neuron, parameter)


COLUMNS = ("value", "grad", "momentum", "m", "v", "update")


def inspector_table(arch: Architecture, snap: Snapshot, sel: Selection) -> tuple[list[str], list[tuple[str, list]]]:
    """(column names, [(parameter name, numbers)]) for the selected neuron: each weight and the bias with its
    value, gradient, optimizer buffers and last update (None where a number does not exist yet)."""
    start = arch.index(sel.layer, sel.neuron, 0)
    stop = start + arch.fan_ins[sel.layer] + 1
    sources = {"value": snap.params, "grad": snap.grad, **snap.buffers}
    columns = [c for c in COLUMNS if c in sources and (sources[c] is not None or c in ("value", "grad"))]
    rows = []
    for k in range(stop - start):
        numbers = [None if sources[c] is None else float(sources[c][start + k]) for c in columns]
        rows.append((parameter_name(arch, sel.layer, k), numbers))
    return columns, rows


def activity_line(arch: Architecture, snap: Snapshot, sel: Selection, features) -> str:
    """How many training samples activate the neuron; a relu that none activates is flagged dead."""
    count = int(active_counts(arch, snap.params, features)[sel.layer][sel.neuron])
    total = len(features)
    if arch.activations[sel.layer] == "relu" and count == 0:
        return f"dead: 0 of {total} samples activate it"
    if arch.activations[sel.layer] == "relu":
        return f"active on {count} of {total} samples"
    return f"{arch.activations[sel.layer]}"


def number(x: float | None) -> str:
    return "—" if x is None else f"{x:+.4g}"
