"""Neurons, layers and multi-layer perceptrons built from `Value`s.

Drop-in compatible with karpathy/micrograd's `micrograd.nn`: the same constructor signatures and defaults,
the same `parameters()` order (per neuron: its weights, then its bias), and the same draws from Python's
global `random` module, so `random.seed(1337); MLP(2, [16, 16, 1])` builds exactly micrograd's weights.

Beyond micrograd: a choice of activation (`relu`, `tanh`, `sigmoid`, `linear`), an optional `rng`
(a `random.Random`) for initialisation that leaves the global generator alone, and
`state_dict()` / `load_state_dict()` as plain JSON-ready numbers and lists.
"""

from __future__ import annotations

import math
import random

from micrograd.engine import Value

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

# The names micrograd's repr uses ("ReLUNeuron(2)", "LinearNeuron(16)"), extended to our activations.
_REPR_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


def _check_activation(name: str, what: str = "activation") -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown {what} {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return name


def _activate(x: Value, activation: str) -> Value:
    if activation == "relu":
        return x.relu()
    if activation == "tanh":
        return x.tanh()
    if activation == "sigmoid":
        return x.sigmoid()
    return x


def _number(x, where: str) -> float:
    """A state-dict entry as a finite float, or a ValueError saying where the bad entry is."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"{where} must be a number, not {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{where} must be finite, not {x!r}")
    return x


def _list(x, length: int, where: str) -> list:
    if not isinstance(x, (list, tuple)):
        raise ValueError(f"{where} must be a list of {length}, not {type(x).__name__}")
    if len(x) != length:
        raise ValueError(f"{where} has {len(x)} entries; this model needs {length}")
    return list(x)


def _dict(x, keys: tuple[str, ...], where: str) -> dict:
    if not isinstance(x, dict):
        raise ValueError(f"{where} must be a dict, not {type(x).__name__}")
    missing = [k for k in keys if k not in x]
    if missing:
        raise ValueError(f"{where} is missing {', '.join(repr(k) for k in missing)}")
    return x


class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []

    def state_dict(self) -> dict:
        """Every parameter's value, in `parameters()` order, as plain floats (JSON-ready)."""
        return {"parameters": [float(p.data) for p in self.parameters()]}

    def load_state_dict(self, state: dict) -> None:
        """Set the parameters from `state_dict()` output; a ValueError if the shapes do not match."""
        params = self.parameters()
        values = _list(_dict(state, ("parameters",), "state")["parameters"], len(params), "state['parameters']")
        numbers = [_number(v, f"state['parameters'][{i}]") for i, v in enumerate(values)]
        for p, v in zip(params, numbers):
            p.data = v


class Neuron(Module):
    def __init__(self, nin, nonlin=True, *, activation=None, rng=None):
        draw = random if rng is None else rng  # the global generator, as micrograd uses it
        self.w = [Value(draw.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation = _check_activation(activation)
        self.nonlin = activation != "linear"

    def __call__(self, x):
        # Bias first, then w*x left to right: the same float additions as micrograd's sum(..., self.b).
        act = Value.sum([self.b] + [wi * xi for wi, xi in zip(self.w, x)])
        return _activate(act, self.activation)

    def parameters(self):
        return self.w + [self.b]

    def state_dict(self) -> dict:
        return {"w": [float(w.data) for w in self.w], "b": float(self.b.data)}

    def load_state_dict(self, state: dict, where: str = "state") -> None:
        state = _dict(state, ("w", "b"), where)
        ws = _list(state["w"], len(self.w), f"{where}['w']")
        ws = [_number(v, f"{where}['w'][{i}]") for i, v in enumerate(ws)]
        b = _number(state["b"], f"{where}['b']")
        for w, v in zip(self.w, ws):
            w.data = v
        self.b.data = b

    def __repr__(self):
        return f"{_REPR_NAMES[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def state_dict(self) -> dict:
        """{"w": one row of weights per neuron, "b": one bias per neuron}."""
        return {"w": [[float(w.data) for w in n.w] for n in self.neurons], "b": [float(n.b.data) for n in self.neurons]}

    def load_state_dict(self, state: dict, where: str = "state") -> None:
        state = _dict(state, ("w", "b"), where)
        rows = _list(state["w"], len(self.neurons), f"{where}['w']")
        biases = _list(state["b"], len(self.neurons), f"{where}['b']")
        # Validate everything before changing anything, so a bad state leaves the model as it was.
        staged = []
        for i, (neuron, row, b) in enumerate(zip(self.neurons, rows, biases)):
            row = _list(row, len(neuron.w), f"{where}['w'][{i}]")
            staged.append(
                ([_number(v, f"{where}['w'][{i}][{j}]") for j, v in enumerate(row)], _number(b, f"{where}['b'][{i}]"))
            )
        for neuron, (row, b) in zip(self.neurons, staged):
            neuron.load_state_dict({"w": row, "b": b})

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    def __init__(self, nin, nouts, *, activation="relu", output_activation="linear", rng=None):
        if not self._is_size(nin) or not all(self._is_size(n) for n in nouts) or not nouts:
            raise ValueError(
                f"MLP needs a positive number of inputs and a non-empty list of positive layer sizes, "
                f"not MLP({nin!r}, {nouts!r})"
            )
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation, "output_activation")
        sz = [nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sz[i], sz[i + 1], rng=rng, activation=output_activation if i == last else activation)
            for i in range(len(self.nouts))
        ]

    @staticmethod
    def _is_size(n) -> bool:
        return isinstance(n, int) and not isinstance(n, bool) and n > 0

    def __call__(self, x):
        if hasattr(x, "__len__") and len(x) != self.nin:
            raise ValueError(f"this MLP takes {self.nin} inputs per sample, but got {len(x)}")
        for layer in self.layers:
            # A one-neuron layer returns a bare Value (as karpathy's does); the next layer reads it as a list.
            x = layer([x] if isinstance(x, Value) else x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def state_dict(self) -> dict:
        """The architecture and every weight, as plain JSON-ready numbers and lists."""
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "layers": [layer.state_dict() for layer in self.layers],
        }

    def load_state_dict(self, state: dict) -> None:
        state = _dict(state, ("layers",), "state")
        for key in ("nin", "nouts", "activation", "output_activation"):
            if key in state and state[key] != getattr(self, key):
                raise ValueError(
                    f"state is for a model with {key}={state[key]!r}, but this model has {key}={getattr(self, key)!r}"
                )
        layers = _list(state["layers"], len(self.layers), "state['layers']")
        # Load into throwaway copies first, so a bad entry in a late layer leaves the model untouched.
        sz = [self.nin] + self.nouts
        for i, layer_state in enumerate(layers):
            check = Layer(sz[i], sz[i + 1], rng=random.Random(0))
            check.load_state_dict(layer_state, f"state['layers'][{i}]")
        for i, (layer, layer_state) in enumerate(zip(self.layers, layers)):
            layer.load_state_dict(layer_state, f"state['layers'][{i}]")

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
