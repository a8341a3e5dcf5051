"""Where an MLP's scalars belong: sample → layer → neuron, for showing a network's graph the way a learner
thinks of it instead of as 40,000 loose nodes.

A `Neuron` computes ``act(Value.sum([b] + [w·x ...]))`` (micrograd/nn.py): its sum node's first operand is
its bias, which is one of the model's parameters. So a graph built by a model tells its neurons by structure
alone: no tags on the Values, nothing changed in the engine or in `nn`. Each neuron evaluation is found as

* its ``w·x + b`` sum (the n-ary ``+`` whose first operand is neuron (i, j)'s bias), and
* its output: the activation node right above that sum (or the sum itself for a linear neuron).

Samples: every evaluation below one sample's loss term belongs to that sample (only parameters are shared
between samples, and the walk never goes into them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from micrograd.engine import Value

_ACTIVATION_OPS = ("ReLU", "tanh", "sigmoid")


@dataclass
class NeuronValues:
    layer: int  # 0-based
    index: int
    total: Value  # w·x + b
    output: Value  # the activation (the sum itself for a linear neuron)


@dataclass
class NetworkGroups:
    """Layer groups below each sample's loss term, and names for the neurons' nodes."""

    layers: dict[int, list[list[NeuronValues]]] = field(default_factory=dict)  # id(sample term) -> layers
    names: dict[Value, str] = field(default_factory=dict)

    def groups_of(self, value: Value) -> list[tuple[str, list[Value]]] | None:
        """For a sample's loss term: ("layer 2 · 16 neurons", [neuron outputs]) per layer; else None."""
        layers = self.layers.get(id(value))
        if layers is None:
            return None
        return [
            (f"layer {i + 1} · {len(neurons)} neuron{'s' * (len(neurons) != 1)}", [n.output for n in neurons])
            for i, neurons in enumerate(layers)
            if neurons
        ]


def network_groups(model, samples: dict[Value, str]) -> NetworkGroups:
    """Group the graph below each of `samples` (a sample's loss term -> its name, e.g. "sample 7") by the
    neurons of `model` (an nn.MLP)."""
    bias_of = {id(neuron.b): (i, j) for i, layer in enumerate(model.layers) for j, neuron in enumerate(layer.neurons)}
    return _groups(samples, bias_of, {id(p) for p in model.parameters()}, len(model.layers))


def _groups(samples: dict[Value, str], bias_of: dict, parameters: set[int], layer_count: int) -> NetworkGroups:
    groups = NetworkGroups()
    for term, name in samples.items():
        groups.names[term] = name
        found = _neurons_below(term, bias_of, parameters)
        layers: list[list[NeuronValues]] = [[] for _ in range(layer_count)]
        for neuron in sorted(found, key=lambda n: (n.layer, n.index)):
            layers[neuron.layer].append(neuron)
            label = f"L{neuron.layer + 1}.n{neuron.index}"  # as tui/exports.py labels the weights: L1.n3.w0
            groups.names[neuron.output] = label
            if neuron.total is not neuron.output:
                groups.names[neuron.total] = f"{label} w·x+b"
        groups.layers[id(term)] = layers
    return groups


def _neurons_below(term: Value, bias_of: dict, parameters: set[int]) -> list[NeuronValues]:
    found: dict[int, NeuronValues] = {}
    seen: set[int] = set()
    stack = [term]
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in parameters:
            continue
        seen.add(id(node))
        kids = node.children
        if node.op == "+" and kids and id(kids[0]) in bias_of and id(node) not in found:
            layer, index = bias_of[id(kids[0])]
            found[id(node)] = NeuronValues(layer, index, node, node)
        if node.op in _ACTIVATION_OPS and len(kids) == 1:
            child = kids[0]
            if child.op == "+" and child.children and id(child.children[0]) in bias_of:
                layer, index = bias_of[id(child.children[0])]
                found[id(child)] = NeuronValues(layer, index, child, node)
        stack.extend(kids)
    return list(found.values())


def batch_terms(data_loss: Value) -> list[Value]:
    """The per-sample terms of a batch loss built as ``Value.sum(terms) * (1/n)`` (micrograd/losses.py)."""
    if data_loss.op == "*" and data_loss.children and data_loss.children[0].op == "+":
        return list(data_loss.children[0].children)
    return []


def loss_graph_groups(model, root: Value, batch=None) -> NetworkGroups:
    """Groups for a Trainer.loss_graph (root "loss" with "data_loss" below it); `batch` is the trainer's
    last_batch (dataset indices of the terms, None = all samples in order)."""
    data_loss = next((c for c in root.children if c.label == "data_loss"), root)
    terms = batch_terms(data_loss)
    indices = list(range(len(terms))) if batch is None else [int(i) for i in batch]
    groups = network_groups(model, {term: f"sample {i}" for term, i in zip(terms, indices)})
    if terms:
        total, scale = data_loss.children
        groups.names[total] = f"Σ {len(terms)} samples"
        groups.names[scale] = f"1/{len(terms)}"
    for i, layer in enumerate(model.layers, start=1):  # the same names a traced sample's copy uses
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                groups.names[w] = f"L{i}.n{j}.w{k}"
            groups.names[neuron.b] = f"L{i}.n{j}.b"
    return groups


_PARAMETER_LABEL = re.compile(r"L(\d+)\.n(\d+)\.(b|w\d+)")


def sample_graph_groups(root: Value, model) -> NetworkGroups:
    """Groups for one traced sample (tui/exports.sample_graph): it runs through a copy of the model whose
    parameters are labelled ``L1.n3.w0`` / ``L1.n3.b``, which is how its neurons are told apart here."""
    bias_of, parameters = {}, set()
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        match = _PARAMETER_LABEL.fullmatch(node.label) if not node.children else None
        if match:
            parameters.add(id(node))
            if match.group(3) == "b":
                bias_of[id(node)] = (int(match.group(1)) - 1, int(match.group(2)))
        stack.extend(node.children)
    return _groups({root: root.label or "sample"}, bias_of, parameters, len(model.layers))
