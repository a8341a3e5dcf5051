"""Names from the source (issue 12): every node the editor's code builds is named by what the learner wrote."""

from __future__ import annotations

from micrograd import graph
from micrograd.expression import evaluate
from micrograd.source_names import MAX_NAME, shorten
from tui.workbench import DEFAULT_EXPRESSION, Workbench


def names_of(source: str) -> dict[str, object]:
    program = evaluate(source)
    return {name: node for node, name in graph.node_names(program.output).items()}


def test_readme_intermediates_are_named_by_their_source_text():
    names = names_of(DEFAULT_EXPRESSION)
    ten_over_f = names["10.0 / f"]  # g += 10.0 / f: the node the issue found as "#37"
    assert ten_over_f.op == "*" and abs(ten_over_f.data - 10.0 / names["f"].data) < 1e-12
    assert names["b**3"].op == "**3" and names["b**3"].data == 8.0
    assert names["(b + a).relu()"].op == "ReLU" and names["(b + a).relu()"].children == (names["b + a"],)
    assert names["a * b"].children == (names["a"], names["b"])
    assert not [name for name in names if name.startswith("#")]  # every node has a name from the code


def test_constants_show_their_value_and_engine_helpers_their_operation():
    names = names_of(DEFAULT_EXPRESSION)
    assert names["0.5"].data == 0.5 and not names["0.5"].children  # f / 2.0 is f * 0.5 inside the engine
    assert names["10"].data == 10.0
    assert names["f**-1"].op == "**-1" and names["f**-1"].children == (names["f"],)
    assert names["-d"].op == "*" and names["-d"].children[0] is names["d"]  # e = c - d is c + (-d)


def test_repeated_text_gets_its_line_so_no_two_nodes_share_a_name():
    program = evaluate(DEFAULT_EXPRESSION)
    names = graph.node_names(program.output)
    assert len(set(names.values())) == len(names)
    by_name = {name: node for node, name in names.items()}
    assert program.line_of(by_name["1"]) == 5 and program.line_of(by_name["1 (line 6)"]) == 6


def test_a_variable_or_a_user_label_wins_over_source_text():
    names = names_of("a = Value(2.0)\nb = a * 3\nc = (b + 1) * Value(4.0, label='k')\nc.label = 'out'")
    assert {"a", "b", "k", "out", "b + 1", "3", "1"} <= set(names)
    assert "a * 3" not in names and "(b + 1) * Value(4.0, label='k')" not in names


def test_long_source_text_is_shortened_on_one_line():
    long_expr = " + ".join(f"x{i}" for i in range(1, 12))
    source = "\n".join(f"x{i} = Value({i}.0)" for i in range(1, 12)) + f"\ny = ({long_expr}).tanh() * 2"
    names = names_of(source)
    cut = [name for name in names if name.endswith("…")]
    assert cut and all(len(name) <= MAX_NAME for name in cut)
    assert shorten("a +\n    b") == "a + b"


def test_names_reach_the_gradient_check_exports_and_old_ids_still_select():
    wb = Workbench()
    rows = {row.name for row in wb.gradient_check()}
    assert {"a", "b", "1", "10", "0.5"} <= rows
    dot = wb.export_text("dot")
    assert "10.0 / f" in dot and "b**3" in dot
    wb.select("#37")  # a session recorded before names existed selected by id
    assert wb.find("#37") is wb.find("10.0 / f")
