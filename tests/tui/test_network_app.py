"""The network view (issue 13), through real keys and clicks: each neuron's map on screen against values
computed by hand for a tiny network, selecting neurons and weights, the inspector's numbers, a dead relu,
editing a weight by typing it, the neuron's graph in the graph pane, live redraws while training, and replay."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.tui.conftest import SIZE, screen_text, wait_for_training
from tui import session
from tui.app import MicrogradApp
from tui.config import Config
from tui.network_picture import LEVELS, PALETTE
from tui.replay import replay
from tui.workbench import Workbench

# h0 = relu(x - y), h1 = relu(0.5x + 2y - 1), out = h0 - 2 h1 + 0.5  (per neuron: weights, then bias)
TINY = [
    ("0", 0, "w0", 1.0),
    ("0", 0, "w1", -1.0),
    ("0", 0, "b", 0.0),
    ("0", 1, "w0", 0.5),
    ("0", 1, "w1", 2.0),
    ("0", 1, "b", -1.0),
    ("1", 0, "w0", 1.0),
    ("1", 0, "w1", -2.0),
    ("1", 0, "b", 0.5),
]


def tiny_app() -> MicrogradApp:
    wb = Workbench(Config.from_dict({"model": {"layers": [2, 1]}}))
    for layer, neuron, name, value in TINY:
        wb.set_parameter(int(layer), neuron, name, value)
    app = MicrogradApp(wb)
    app.notes = []
    app.notify = lambda message, *a, **k: app.notes.append((str(message), k.get("severity", "information")))
    return app


def by_hand(x: float, y: float) -> tuple[float, float, float]:
    h0, h1 = max(x - y, 0.0), max(0.5 * x + 2 * y - 1, 0.0)
    return h0, h1, h0 - 2 * h1 + 0.5


def cell_colours(diagram, col: int, row: int) -> tuple[str | None, str | None]:
    """(foreground, background) hex colours of one cell of the picture as the widget renders it."""
    x = 0
    for segment in diagram.render_line(row + 1):  # row 0 of the widget is the header
        if x <= col < x + len(segment.text):
            style = segment.style
            hexes = [c.triplet.hex if c is not None and c.triplet else None for c in (style.color, style.bgcolor)]
            return hexes[0], hexes[1]
        x += len(segment.text)
    raise AssertionError(f"no cell at {col}")


def expected_colour(value: float, scale: float, symmetric: bool) -> str:
    t = max(min(value / scale, 1.0), -1.0 if symmetric else 0.0)
    return PALETTE[LEVELS + int(np.rint(t * LEVELS))]


async def open_network(app, pilot):
    """ctrl+f, unless the view is open already (a workbench with a selected neuron opens on it)."""
    await pilot.pause()
    if not app.query_one("#main").has_class("-network"):
        await pilot.press("ctrl+f")
    for _ in range(3):
        await pilot.pause()
    return app.query_one("#network-diagram")


async def test_each_neuron_is_drawn_from_its_own_values_computed_by_hand():
    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        diagram = await open_network(app, pilot)
        layout, picture = diagram.cells_layout, diagram.picture
        assert layout is not None and "L1 relu" in picture.header and "out linear" in picture.header
        wb = app.workbench
        (xmin, ymin), (xmax, ymax) = wb.X.min(axis=0) - 0.5, wb.X.max(axis=0) + 0.5
        hand = {}  # (layer, neuron) -> {(row, col) pixel: value}
        for layer in (0, 1):
            for neuron, tile in enumerate(layout.neurons(layer).tiles):
                cols, rows = tile.width, 2 * tile.height
                for r in range(rows):
                    for c in range(cols):
                        x = xmin + (c + 0.5) / cols * (xmax - xmin)
                        y = ymax - (r + 0.5) / rows * (ymax - ymin)
                        hand.setdefault((layer, neuron), {})[(r, c)] = by_hand(x, y)[neuron if layer == 0 else 2]
        # the data on the output's map, as on the decision boundary: ○ class 0, ● class 1
        out_tile = layout.neurons(1).tiles[0]
        marks = "".join(
            picture.chars[out_tile.y : out_tile.y + out_tile.height, out_tile.x : out_tile.x + out_tile.width].ravel()
        )
        assert "○" in marks and "●" in marks
        # the maps the picture was painted from, against the hand-computed numbers
        for (layer, neuron), values in hand.items():
            drawn = picture.maps[layer + 1][neuron]
            for (r, c), value in values.items():
                assert drawn[r, c] == pytest.approx(value, abs=1e-12)
        # two inputs into a one-column layer: each weight a stroke beside its neuron, coloured by its sign,
        # thicker for a larger size (h1's weights 0.5 and 2.0)
        strokes = layout.weights(0)
        assert strokes.kind == "strokes"
        for neuron, weights in ((0, (1.0, -1.0)), (1, (0.5, 2.0))):
            tile = strokes.tiles[neuron]
            row = tile.y + (tile.height - 1) // 2
            glyphs = [picture.chars[row][tile.x + 3 * j] for j in range(2)]
            colours = [cell_colours(diagram, tile.x + 3 * j, row)[0] for j in range(2)]
            assert colours == [expected_colour(w, 2.0, True) for w in weights]
            assert (glyphs[0] == glyphs[1]) == (abs(weights[0]) == abs(weights[1]))
        # and the colours on screen: relu layer on 0..max of the layer, the linear output symmetric
        relu_max = max(max(hand[(0, 0)].values()), max(hand[(0, 1)].values()))
        out_max = max(abs(v) for v in hand[(1, 0)].values())
        for (layer, neuron), scale, symmetric in (
            ((0, 0), relu_max, False),
            ((0, 1), relu_max, False),
            ((1, 0), out_max, True),
        ):
            tile = layout.neurons(layer).tiles[neuron]
            for row in range(tile.height - 1):  # the tile's last pixel row is the gap under it
                for col in (tile.x, tile.x + tile.width - 1):
                    top = hand[(layer, neuron)][(2 * row, col - tile.x)]
                    bottom = hand[(layer, neuron)][(2 * row + 1, col - tile.x)]
                    assert cell_colours(diagram, col, tile.y + row) == (
                        expected_colour(top, scale, symmetric),
                        expected_colour(bottom, scale, symmetric),
                    )


async def test_keys_and_clicks_select_neurons_and_the_inspector_shows_their_numbers():
    app = MicrogradApp(Workbench(Config.from_dict({"training": {"optimizer": "adamw", "lr": 0.01}})))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "f8")  # two AdamW steps: m, v and the last update exist
        await pilot.pause()
        diagram = await open_network(app, pilot)
        assert app.focused is diagram
        await pilot.press("down", "down", "right", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        wb = app.workbench
        assert (wb.network.layer, wb.network.neuron, wb.network.parameter) == (1, 2, 2)
        assert [e["do"] for e in wb.log].count("select_neuron") == 5
        text = str(app.query_one("#neuron-inspector").render())
        assert "L2.n2 (relu)" in text and text.split("\n")[1].split() == ["name", "value", "grad", "m", "v", "update"]
        # the selected weight's row: its value, grad, m, v and last update, from the trainer and optimizer
        index = 16 * 3 + 2 * 17 + 2  # layer 2 starts after 16 neurons x 3 parameters; its neuron 2, weight 2
        opt = wb.trainer.optimizer
        line = next(l for l in text.splitlines() if l.startswith("▸"))
        numbers = [float(x) for x in line.split()[2:]]
        expected = [
            wb.trainer.engine.params[index],
            wb.trainer.engine.grad[index],
            opt._m[index],
            opt._v[index],
            opt.last_update[index],
        ]
        assert numbers == pytest.approx(expected, rel=1e-3)
        assert wb.model.parameters()[index].data == pytest.approx(expected[0], rel=1e-12)
        # a click on another neuron's tile selects it
        tile = diagram.cells_layout.neurons(0).tiles[5]
        await pilot.click("#network-diagram", offset=(tile.x + 1, tile.y + 1 + 1))
        await pilot.pause()
        assert (wb.network.layer, wb.network.neuron) == (0, 5)
        assert "L1.n5" in str(app.query_one("#neuron-inspector").render())


async def test_typing_a_weight_updates_maps_boundary_and_loss_flags_a_dead_relu_and_replays(tmp_path):
    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(app, pilot)
        assert app.workbench.network.layer == 1  # the last hand-set weight (the output's bias) is selected
        await pilot.press("left", "down")  # L1.n1, keeping the parameter's place: its bias
        await pilot.press("enter")
        await pilot.pause()
        field = app.query_one("#weight-input")
        assert field.display and app.focused is field and field.value == "-1"
        await pilot.press(
            *"-100", "enter"
        )  # typing replaces the selected old value; a bias no sample gets past: the relu dies
        await pilot.pause()
        wb = app.workbench
        entry = wb.log[-1]
        assert entry["do"] == "set_parameter" and (entry["layer"], entry["neuron"], entry["parameter"]) == (0, 1, "b")
        assert wb.model.layers[0].neurons[1].b.data == -100.0 and not field.display
        # the loss the edit reports is the loss of the new weights, by the reference engine's own graph
        assert entry["loss"] == pytest.approx(wb.trainer.loss_graph().data, rel=1e-12)
        assert f"loss {entry['loss']:.5g}" in screen_text(app) and "weight set by hand" in screen_text(app)
        text = str(app.query_one("#neuron-inspector").render())
        assert "dead: 0 of 100 samples activate it" in text
        assert np.all(app.query_one("#network-diagram").picture.maps[1][1] == 0)  # its map went dark
        # bad input: one sentence, nothing changed, the text stays to fix
        await pilot.press("enter", *"abc", "enter")
        await pilot.pause()
        assert "is not a number" in app.notes[-1][0] and wb.log[-1] is entry and field.value == "abc"
        await pilot.press("escape")
        path = tmp_path / "edited.json"
        session.save(session.Session.from_workbench(wb, title="edit"), path)
    report = replay(session.load(path))
    assert report.ok, report.mismatch
    assert report.workbench.model.layers[0].neurons[1].b.data == -100.0
    # a recording whose loss does not follow from the edit is caught
    loaded = session.load(path)
    loaded.actions[-1]["loss"] += 0.5
    assert not replay(loaded).ok


async def test_g_opens_the_neurons_graph_for_the_traced_sample_and_the_stepper_walks_it(tmp_path):
    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(app, pilot)
        await pilot.press("left", "down", "g")  # L1.n1
        await pilot.pause()
        assert app.graph_mode == "neuron" and not app.query_one("#main").has_class("-network")
        pane = app.query_one("#graph-pane")
        assert pane.border_title.startswith("Graph: L1.n1 for sample 0")
        root = pane.tree.graph_root
        x, y = app.workbench.X[0]
        assert root.data == pytest.approx(by_hand(x, y)[1], abs=1e-12)
        assert "L1.n1" in screen_text(app)
        # ctrl+b: the backprop stepper walks that graph, from the neuron's output down to its weights
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("right", "right")
        await pilot.pause()
        state = app.workbench.stepping
        assert state is not None and state.graph == "neuron" and state.position == 2
        assert pane.tree.graph_root is state.stepper.root and state.stepper.root.label == "L1.n1"
        assert app.workbench.log[-1]["graph"] == "neuron"
        path = tmp_path / "stepped.json"
        session.save(session.Session.from_workbench(app.workbench, title="neuron stepper"), path)
    report = replay(session.load(path))
    assert report.ok, report.mismatch
    replayed = report.workbench.stepping
    assert replayed.graph == "neuron" and replayed.position == 2 and replayed.stepper.root.label == "L1.n1"


async def test_the_view_redraws_while_training_from_posted_snapshots():
    app = MicrogradApp(train_steps=None)
    redraws = []
    async with app.run_test(size=SIZE) as pilot:
        await open_network(app, pilot)
        original = app.refresh_network
        app.refresh_network = lambda snapshot=None: (redraws.append(snapshot), original(snapshot))[1]
        await pilot.press("f9")
        while app._run is None or app._run.steps < 150:
            await pilot.pause(0.05)
        await pilot.press("f9")
        await wait_for_training(app, pilot)
    live = [s for s in redraws if s is not None]
    assert len(live) >= 2
    assert all(not np.shares_memory(s.params, app.workbench.trainer.engine.params) for s in live)
    assert any(not np.array_equal(a.params, b.params) for a, b in itertools.pairwise(live))
