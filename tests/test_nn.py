"""micrograd.nn: karpathy/micrograd's initialisation, order and arithmetic, activations, state dicts, and
micrograd's published demo numbers."""

import json
import math
import random

import numpy as np
import pytest

from micrograd.datasets import moons
from micrograd.engine import Value
from micrograd.losses import LOSSES, l2
from micrograd.nn import MLP, Layer, Module, Neuron
from micrograd.optim import SGD, linear


def micrograd_initial_weights(seed, nin, nouts):
    """micrograd's initialisation computed independently: one uniform(-1, 1) per weight, neuron by neuron,
    layer by layer, from the global generator; every bias 0. Returned in micrograd's parameters() order."""
    random.seed(seed)
    params = []
    for fan_in, width in zip([nin] + nouts[:-1], nouts):
        for _ in range(width):
            params += [random.uniform(-1, 1) for _ in range(fan_in)] + [0]
    return params


def test_seeded_mlp_has_micrograds_weights_in_micrograds_order():
    expected = micrograd_initial_weights(1337, 2, [16, 16, 1])
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337 == len(expected)
    assert [p.data for p in model.parameters()] == expected
    assert model.parameters()[:3] == model.layers[0].neurons[0].w + [model.layers[0].neurons[0].b]


def test_an_rng_gives_the_same_weights_and_leaves_the_global_generator_alone():
    random.seed(99)
    state = random.getstate()
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    assert random.getstate() == state
    assert [p.data for p in model.parameters()] == micrograd_initial_weights(1337, 2, [16, 16, 1])


def test_neuron_sums_bias_first_like_micrograd_bit_for_bit():
    rng = random.Random(3)
    for _ in range(20):
        n = Neuron(7, rng=rng)
        n.b.data = rng.uniform(-1, 1)
        x = [rng.uniform(-3, 3) for _ in range(7)]
        act = n.b.data  # micrograd: sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
        for w, xi in zip(n.w, x):
            act = act + w.data * xi
        out = n(x)
        assert out.data == max(act, 0)
        assert out.op == "ReLU"
        total = out.children[0]
        assert total.op == "+" and total.children[0] is n.b and len(total.children) == 8


def test_micrograd_defaults_relu_hidden_linear_output():
    model = MLP(3, [4, 4, 2], rng=random.Random(0))
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["relu"] * 8 + ["linear"] * 2
    assert Neuron(2, rng=random.Random(0)).nonlin is True
    assert Neuron(2, nonlin=False, rng=random.Random(0)).activation == "linear"
    assert [n.activation for n in Layer(2, 3, nonlin=False, rng=random.Random(0)).neurons] == ["linear"] * 3


@pytest.mark.parametrize(
    "activation, fn",
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
    ],
)
def test_activations(activation, fn):
    n = Neuron(3, activation=activation, rng=random.Random(5))
    x = [0.5, -1.0, 2.0]
    z = sum(w.data * xi for w, xi in zip(n.w, x))
    assert n(x).data == pytest.approx(fn(z), rel=1e-15)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'gelu'.*relu, tanh, sigmoid, linear"):
        MLP(2, [3, 1], activation="gelu")
    with pytest.raises(ValueError, match="output_activation"):
        MLP(2, [3, 1], output_activation="softmax")
    with pytest.raises(ValueError, match="positive"):
        MLP(2, [])
    with pytest.raises(ValueError, match="takes 2 inputs"):
        MLP(2, [3, 1], rng=random.Random(0))([1.0, 2.0, 3.0])


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    x = [1.0, -2.0]
    assert isinstance(MLP(2, [3, 1], rng=random.Random(0))(x), Value)
    out = MLP(2, [3, 2], rng=random.Random(0))(x)
    assert isinstance(out, list) and len(out) == 2


def test_repr_keeps_micrograds_style():
    random.seed(0)
    assert repr(MLP(2, [3, 1])) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]"
    )
    lecture = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    assert repr(lecture.layers[2]) == "Layer of [TanhNeuron(4)]"
    assert repr(Neuron(2, activation="sigmoid")) == "SigmoidNeuron(2)"


def test_mlp_forward_and_backward_against_torch(torch):
    for activation in ["relu", "tanh", "sigmoid"]:
        model = MLP(3, [4, 4, 1], activation=activation, output_activation="tanh", rng=random.Random(1))
        x = [2.0, 3.0, -1.0]
        out = model(x)
        out.backward()
        layers = []
        for layer in model.layers:
            w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], requires_grad=True)
            b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
            layers.append((w, b))
        h = torch.tensor(x)
        act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[activation]
        for i, (w, b) in enumerate(layers):
            h = w @ h + b
            h = torch.tanh(h) if i == len(layers) - 1 else act(h)
        h.sum().backward()
        assert out.data == pytest.approx(h.item(), rel=1e-13)
        for layer, (w, b) in zip(model.layers, layers):
            grads = [p.grad for n in layer.neurons for p in n.w]
            assert grads == pytest.approx(w.grad.flatten().tolist(), rel=1e-12, abs=1e-15)
            assert [n.b.grad for n in layer.neurons] == pytest.approx(b.grad.tolist(), rel=1e-12, abs=1e-15)


def test_zero_grad():
    model = MLP(2, [3, 1], rng=random.Random(0))
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    assert Module().parameters() == []


def test_lecture_network_learns_the_tiny_dataset():
    # Karpathy's lecture: MLP(3, [4, 4, 1]) with tanh everywhere, squared error against ys = [1, -1, -1, 1].
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", rng=random.Random(42))
    losses = []
    for _ in range(30):
        loss = Value.sum([(model(x) - y) ** 2 for x, y in zip(xs, ys)])
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]
    assert [1 if model(x).data > 0 else -1 for x in xs] == ys


# ---- state dicts -------------------------------------------------------------------------------------


def test_state_dict_round_trips_through_json():
    source = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(1))
    for p in source.parameters():
        p.data += 0.5  # make the biases non-zero too
    state = json.loads(json.dumps(source.state_dict()))
    assert state["nin"] == 2 and state["nouts"] == [4, 3, 1] and state["activation"] == "tanh"
    assert all(type(v) is float for layer in state["layers"] for row in layer["w"] for v in row)
    target = MLP(2, [4, 3, 1], activation="tanh", rng=random.Random(2))
    target.load_state_dict(state)
    assert [p.data for p in target.parameters()] == [p.data for p in source.parameters()]
    assert target([0.3, -0.7]).data == source([0.3, -0.7]).data


def test_neuron_layer_and_generic_module_state_dicts():
    n = Neuron(2, rng=random.Random(0))
    state = n.state_dict()
    m = Neuron(2, rng=random.Random(1))
    m.load_state_dict(state)
    assert [p.data for p in m.parameters()] == [p.data for p in n.parameters()]
    layer = Layer(2, 3, rng=random.Random(0))
    other = Layer(2, 3, rng=random.Random(1))
    other.load_state_dict(json.loads(json.dumps(layer.state_dict())))
    assert [p.data for p in other.parameters()] == [p.data for p in layer.parameters()]
    generic = Module.state_dict(layer)
    assert generic == {"parameters": [p.data for p in layer.parameters()]}


def bad_states():
    good = MLP(2, [3, 1], rng=random.Random(0)).state_dict()

    def changed(fn):
        state = json.loads(json.dumps(good))
        fn(state)
        return state

    return [
        (changed(lambda s: s.update(nouts=[4, 1])), "nouts"),
        (changed(lambda s: s.update(activation="tanh")), "activation"),
        (changed(lambda s: s["layers"].pop()), "state\\['layers'\\] has 1 entries"),
        (changed(lambda s: s["layers"][1]["w"][0].append(0.5)), "state\\['layers'\\]\\[1\\]\\['w'\\]\\[0\\] has 4"),
        (changed(lambda s: s["layers"][0]["b"].pop()), "\\['b'\\] has 2"),
        (changed(lambda s: s["layers"][1]["w"][0].__setitem__(2, "x")), "must be a number"),
        (changed(lambda s: s["layers"][1]["w"][0].__setitem__(2, True)), "must be a number"),
        (changed(lambda s: s["layers"][1]["b"].__setitem__(0, float("nan"))), "finite"),
        (changed(lambda s: s.pop("layers")), "missing 'layers'"),
        (changed(lambda s: s["layers"].__setitem__(0, [1, 2])), "must be a dict"),
        ([1, 2, 3], "must be a dict"),
    ]


@pytest.mark.parametrize("state, message", bad_states())
def test_load_state_dict_rejects_bad_shapes_and_leaves_the_model_unchanged(state, message):
    model = MLP(2, [3, 1], rng=random.Random(5))
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == before


# ---- micrograd's demo.ipynb, its published numbers ----------------------------------------------------

# karpathy/micrograd demo.ipynb prints, for np.random.seed(1337); random.seed(1337);
# make_moons(n_samples=100, noise=0.1); MLP(2, [16, 16, 1]); SGD with learning_rate = 1.0 - 0.9*k/100:
PUBLISHED = [  # (step, total loss, accuracy)
    (0, 0.8958441028683222, 0.50),
    (1, 1.7235905336972022, 0.81),
    (2, 0.7429006313851131, 0.77),
    (3, 0.7705641260584198, 0.82),
]


def demo_loss(model, X, y):
    """demo.ipynb's loss(): svm max-margin mean + 1e-4 * sum(p*p), and the accuracy."""
    scores = [model(list(map(Value, row))) for row in X]
    loss = LOSSES["svm_max_margin"]
    total = loss(scores, y) + l2(model.parameters(), 1e-4)
    accuracy = sum(loss.predict(s.data) == label for s, label in zip(scores, y)) / len(y)
    return total, accuracy


def test_micrograd_demo_step_0_matches_the_published_figure():
    X, y = moons(100, 0.1, seed=1337)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    total, accuracy = demo_loss(model, X, y)
    assert total.data == pytest.approx(0.8958441028683222, rel=1e-15)
    assert f"{total.data:.4f}" == "0.8958"
    assert accuracy == 0.5


def test_micrograd_demo_first_sgd_steps_match_the_published_figures():
    X, y = moons(100, 0.1, seed=1337)
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    optimizer = SGD(model.parameters(), lr=linear(1.0, 0.1, 100))
    for step, published_loss, published_accuracy in PUBLISHED:
        total, accuracy = demo_loss(model, X, y)
        # Gradients are summed in a different order than micrograd's, so the last bits may differ.
        assert total.data == pytest.approx(published_loss, rel=1e-12), step
        assert accuracy == published_accuracy, step
        model.zero_grad()
        total.backward()
        assert optimizer.step() == 1.0 - 0.9 * step / 100
    assert np.isfinite([p.data for p in model.parameters()]).all()


def test_a_width_one_hidden_layer_feeds_the_next_layer():
    """karpathy's Layer returns a bare Value for one neuron; the next layer must still read it (issue 10)."""
    import random as _random

    from micrograd.engine import Value as _Value
    from micrograd.nn import MLP as _MLP

    model = _MLP(2, [16, 1, 1], activation="tanh", rng=_random.Random(0))
    out = model([1.0, -2.0])
    assert isinstance(out, _Value)
    first, middle, last = model.layers
    by_hand = last([middle(first([1.0, -2.0]))])  # what the MLP must do with the bare Value in the middle
    assert out.data == by_hand.data
    out.backward()
    assert all(p.grad != 0 for p in first.parameters())  # the gradient flows through the width-1 layer
