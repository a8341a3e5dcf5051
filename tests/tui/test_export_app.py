"""Export (issue 7), through real keys: ctrl+l opens the export screen; the graph as DOT (parsed by Graphviz),
SVG and Mermaid; the trained MLP as JSON weights (round trip to identical predictions) and as a PyTorch script
(the same predictions in torch); no overwrite without a second enter; errors stay in the screen."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

from micrograd import export, graph
from micrograd.engine import Value
from tests.tui.conftest import SIZE, wait_for_training
from tui import exports
from tui.screens.export import ExportScreen

DOWN = {"dot": 0, "svg": 1, "mermaid": 2, "json": 3, "torch": 4}  # the options' order on the screen


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The working folder, where exports go by default."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def export_by_keys(app, pilot, kind: str) -> None:
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, ExportScreen)
    await pilot.press(*["down"] * DOWN[kind], "enter")
    await pilot.pause()


def error_text(app) -> str:
    return str(app.screen.query_one("#export-error").content)


async def test_export_the_expression_graph_as_dot_and_mermaid(app, folder, graphviz):
    async with app.run_test(size=SIZE) as pilot:
        await export_by_keys(app, pilot, "dot")
        path = folder / "micrograd-graph.dot"
        assert not isinstance(app.screen, ExportScreen) and path.exists()
        assert any(str(path) in note for note, _ in app.notes)
        dot_text = path.read_text()
        assert dot_text.startswith("digraph") and "24.7041" in dot_text  # g's data
        run = subprocess.run([graphviz, "-Tplain", str(path)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        values = [line for line in run.stdout.splitlines() if line.startswith("node ") and " record " in line]
        assert len(values) == len(list(graph.walk(app.workbench.output))) == 39  # one record per Value

        await export_by_keys(app, pilot, "mermaid")
        mermaid = (folder / "micrograd-graph.mmd").read_text()
        assert mermaid.split()[0] in ("graph", "flowchart") and mermaid == app.workbench.export_text("mermaid")


async def test_export_svg_of_the_traced_sample_and_refuse_the_huge_training_graph(app, folder, graphviz):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t", "backspace", "7", "enter")
        await pilot.pause()
        await export_by_keys(app, pilot, "svg")
        svg = (folder / "micrograd-graph.svg").read_text()
        assert "<svg" in svg and "loss[7]" in svg
        assert any("traced sample" in note for note, _ in app.notes)
        await pilot.press("ctrl+g", "ctrl+g")  # sample -> expression -> training loss
        await pilot.pause()
        assert app.graph_mode == "training"
        await export_by_keys(app, pilot, "svg")
        assert isinstance(app.screen, ExportScreen)  # still open, with the reason in one sentence
        assert "export it as DOT instead" in error_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)


async def test_json_weights_round_trip_to_identical_predictions(app, folder):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8", "f8")
        await pilot.pause()
        await export_by_keys(app, pilot, "json")
        rebuilt = export.mlp_from_json(json.loads((folder / "mlp.json").read_text()))
        model = app.workbench.model
        for row in app.workbench.X.tolist():
            assert rebuilt([Value(x) for x in row]).data == model([Value(x) for x in row]).data


async def test_pytorch_script_is_written(app, folder):
    async with app.run_test(size=SIZE) as pilot:
        await export_by_keys(app, pilot, "torch")
        script = (folder / "mlp_torch.py").read_text()
        assert "def build_model()" in script and "torch.nn.Linear(2, 16" in script


async def test_pytorch_script_gives_the_same_predictions(app, folder, torch):
    app.train_steps = 3
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await wait_for_training(app, pilot)
        await export_by_keys(app, pilot, "torch")
    spec = importlib.util.spec_from_file_location("exported_by_the_app", folder / "mlp_torch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with torch.no_grad():
        out = module.build_model()(torch.tensor(app.workbench.X, dtype=torch.float64)).numpy()[:, 0]
    assert out == pytest.approx(app.workbench.trainer.scores(app.workbench.X)[:, 0], rel=1e-9, abs=1e-12)


async def test_no_overwrite_without_a_second_enter(app, folder):
    target = folder / "mlp.json"
    target.write_text("keep me")
    async with app.run_test(size=SIZE) as pilot:
        await export_by_keys(app, pilot, "json")
        assert isinstance(app.screen, ExportScreen) and "exists" in error_text(app)
        assert target.read_text() == "keep me"
        await pilot.press("enter")  # the second press means yes
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert json.loads(target.read_text())["format"] == export.MLP_FORMAT
        assert sorted(p.name for p in folder.iterdir()) == ["mlp.json"]  # no temp file left behind


async def test_a_path_that_cannot_be_written_stays_in_the_screen(app, folder):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(folder / "no" / "such" / "folder.dot")
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and "was not written" in error_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f8")  # the app keeps running
        await pilot.pause()
        assert len(app.workbench.history) == 1


async def test_typing_a_name_in_the_list_of_kinds_types_over_the_file_field_and_enter_writes_it(app, folder):
    """As in a save dialog: the list of kinds has focus, the first printable key moves to the File field and the
    name typed replaces the offered one (before, every key typed went to the list, unseen). At 80x24 each kind
    is one line, so all five are in sight."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        screen = app.screen
        kinds = screen.query_one("#export-kind")
        assert isinstance(screen, ExportScreen) and app.focused is kinds
        shown = kinds.scrollable_content_region.height
        assert kinds.virtual_size.height == kinds.option_count == len(exports.KINDS) <= shown
        await pilot.press("down", *"mine.svg")  # the arrow still moves in the list: SVG
        assert screen.query_one("#export-path").value == "mine.svg"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
        assert (folder / "mine.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
        assert not (folder / "micrograd-graph.dot").exists() and not (folder / "micrograd-graph.svg").exists()
