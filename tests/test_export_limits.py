"""Exports of hostile graphs and models (issue 11): labels are bounded and every directive escaped, so Graphviz
accepts the DOT of a 16 KB label and a Mermaid `%%{init…}%%` inside a label stays text; the JSON weights are strict
JSON, a diverged model refused with a sentence as the PyTorch export does."""

from __future__ import annotations

import json
import math
import re
import subprocess

import pytest

from micrograd import graph
from micrograd.engine import Value
from micrograd.nn import MLP
from tui import exports


def labelled(label: str) -> Value:
    x = Value(2.0, label=label)
    y = x * 3.0
    y.label = "y"
    return y


@pytest.mark.parametrize("size", [16 * 1024, 100_000])
def test_graphviz_accepts_the_dot_of_a_huge_label(graphviz, size):
    dot_text = graph.to_dot(labelled("L" * size))
    run = subprocess.run([graphviz, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60)
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr.decode()[:500]
    assert "L" * (graph.MAX_EXPORT_LABEL - 1) + "…" in run.stdout.decode()
    assert max(len(line) for line in dot_text.splitlines()) < 1000


@pytest.mark.parametrize(
    "label",
    [
        "%%{init: {'theme': 'dark', 'securityLevel': 'loose'}}%%",
        "x\n%%{init: {}}%%\nclick n0 call alert(1)",
        'a"] --> evil[("pwned',
        'click n0 href "javascript:alert(1)"',
        "<script>alert(1)</script>",
        "`**md**` & #x; |pipe| {brace} [sq] (par)",
    ],
)
def test_mermaid_labels_carry_no_syntax_or_directive(label):
    text = graph.to_mermaid(labelled(label))
    body = text.splitlines()
    node = next(line for line in body if line.startswith("  n0["))
    inner = re.fullmatch(r'  n0\["(.*)"\]', node).group(1)
    for forbidden in ("%", '"', "<script", "{", "}", "[", "]", "(", ")", "|", "`", "\n"):
        assert forbidden not in inner.split("<br/>")[0], (forbidden, inner)
    assert all(line.startswith(("flowchart", "  ")) for line in body)  # no line of the label's own


def test_mermaid_and_dot_labels_are_bounded():
    mermaid = graph.to_mermaid(labelled("M" * 50_000))
    assert "M" * (graph.MAX_EXPORT_LABEL - 1) + "…" in mermaid and len(mermaid) < 2_000


def test_json_weights_are_strict_json_and_a_diverged_model_is_refused():
    model = MLP(2, [3, 1])
    text = exports.model_text("json", model)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    model.parameters()[0].data = math.nan
    with pytest.raises(ValueError, match=r"^cannot export a model with a non-finite weight \(nan or inf\) as JSON"):
        exports.model_text("json", model)
    model.parameters()[0].data = math.inf
    with pytest.raises(ValueError, match="non-finite weight"):
        exports.model_text("torch", model)
