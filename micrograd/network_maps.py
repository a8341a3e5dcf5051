"""What every neuron of an MLP computes over a set of input points, from a flat parameter vector, with NumPy.

The network view (a terminal TensorFlow Playground) draws each neuron as a small heatmap of its output over the
input plane. Those pictures are drawn from the parameter *copies* a training run posts, never from live Values,
so everything here takes the flat vector in `MLP.parameters()` order -- per layer, per neuron: its weights,
then its bias -- and evaluates whole layers at once as matrix products. The numbers are the model's (the same
activations as `micrograd.nn`), summed in a different order, so they agree with the scalar engine to rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class Architecture:
    """The shape of an MLP: inputs, layer widths, and each layer's activation."""

    inputs: int
    widths: tuple[int, ...]
    activations: tuple[str, ...]  # one per layer: the hidden activation, then the output activation

    @classmethod
    def of(cls, inputs: int, widths: Iterable[int], activation: str, output_activation: str) -> Architecture:
        sizes = tuple(int(w) for w in widths)
        return cls(int(inputs), sizes, (activation,) * (len(sizes) - 1) + (output_activation,))

    @property
    def fan_ins(self) -> tuple[int, ...]:
        return (self.inputs,) + self.widths[:-1]

    @property
    def size(self) -> int:
        """How many parameters the model has."""
        return sum(n * (k + 1) for n, k in zip(self.widths, self.fan_ins))

    def offset(self, layer: int) -> int:
        """Where `layer`'s parameters start in the flat vector."""
        return sum(n * (k + 1) for n, k in zip(self.widths[:layer], self.fan_ins[:layer]))

    def index(self, layer: int, neuron: int, parameter: int) -> int:
        """The flat index of a neuron's parameter: 0..fan_in-1 its weights, fan_in its bias."""
        fan_in = self.fan_ins[layer]
        if not 0 <= neuron < self.widths[layer] or not 0 <= parameter <= fan_in:
            raise IndexError(f"layer {layer} has no neuron {neuron} parameter {parameter}")
        return self.offset(layer) + neuron * (fan_in + 1) + parameter

    def unpack(self, parameters: ArrayLike) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) per layer as views into `parameters`: W is (width, fan_in), b is (width,)."""
        vector = np.asarray(parameters, dtype=float)
        if vector.shape != (self.size,):
            raise ValueError(f"expected {self.size} parameters for this model, got {vector.shape}")
        layers = []
        for layer, (width, fan_in) in enumerate(zip(self.widths, self.fan_ins)):
            start = self.offset(layer)
            block = vector[start : start + width * (fan_in + 1)].reshape(width, fan_in + 1)
            layers.append((block[:, :fan_in], block[:, fan_in]))
        return layers


def activate(z: np.ndarray, name: str) -> np.ndarray:
    """The activations of `micrograd.nn`, elementwise."""
    if name == "relu":
        return np.asarray(np.maximum(z, 0.0))
    if name == "tanh":
        return np.asarray(np.tanh(z))
    if name == "sigmoid":
        # the engine's two branches, so exp() never overflows
        e = np.exp(-np.abs(z))
        return np.asarray(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))
    if name == "linear":
        return z
    raise ValueError(f"unknown activation {name!r}")


def layer_outputs(arch: Architecture, vector: ArrayLike, features: ArrayLike) -> list[np.ndarray]:
    """Every layer's outputs at every point: [features (points, inputs), layer 0 (points, width0), ...]."""
    x = np.asarray(features, dtype=float)
    if x.ndim != 2 or x.shape[1] != arch.inputs:
        raise ValueError(f"expected points with {arch.inputs} input features, got shape {x.shape}")
    outputs = [x]
    for (W, b), name in zip(arch.unpack(vector), arch.activations):
        x = activate(x @ W.T + b, name)
        outputs.append(x)
    return outputs


def plane_grid(bounds: Iterable[float], columns: int, rows: int) -> np.ndarray:
    """(rows * columns, 2) points over bounds=(xmin, xmax, ymin, ymax), row 0 at the top (the largest y),
    each point at the centre of its pixel."""
    xmin, xmax, ymin, ymax = (float(b) for b in bounds)
    xs = xmin + (np.arange(columns) + 0.5) / columns * (xmax - xmin)
    ys = ymax - (np.arange(rows) + 0.5) / rows * (ymax - ymin)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def neuron_maps(
    arch: Architecture,
    vector: ArrayLike,
    bounds: Iterable[float],
    columns: int,
    rows: int,
    featurize: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Each layer's neurons over the plane: a list of (neurons, rows, columns) arrays, inputs first.

    `featurize` turns plane points (n, 2) into the model's input features (n, inputs); by default the point
    itself is the input.
    """
    points = plane_grid(bounds, columns, rows)
    features = points if featurize is None else featurize(points)
    return [out.T.reshape(-1, rows, columns) for out in layer_outputs(arch, vector, features)]


def active_counts(arch: Architecture, vector: ArrayLike, features: ArrayLike) -> list[np.ndarray]:
    """Per layer, how many of the points give each neuron a non-zero output (0 everywhere: a dead relu)."""
    return [np.count_nonzero(out, axis=0) for out in layer_outputs(arch, vector, features)[1:]]
