"""Time to draw the graph pane's picture (micrograd/graph_layout.py): layout plus every row filled with numbers.

    PYTHONPATH=. python benchmarks/graph_picture.py [--repeat 5]

Prints the best and median of `--repeat` runs for micrograd's README expression and for a generated graph of
about 300 values (each new value mixes two earlier ones, so edges cross and span layers as in real code).
The widget draws only the rows on screen, so the full render here is an upper bound for one frame.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from micrograd import graph
from micrograd.expression import evaluate
from micrograd.graph_layout import layout, render_text
from tui.workbench import DEFAULT_EXPRESSION


def generated_program(values: int = 300, seed: int = 12) -> str:
    rng = random.Random(seed)
    lines = ["x0 = Value(0.5)", "x1 = Value(-1.5)"]
    ops = ["{a} * {b}", "{a} + {b}", "({a} - {b}).tanh()", "{a} * 0.5 + {b}", "({a} + {b}).relu()"]
    k = 2
    while True:
        program = "\n".join(lines)
        result = evaluate(program)
        if len(graph.node_ids(result.output)) >= values:
            return program
        a, b = rng.randrange(max(0, k - 8), k), rng.randrange(max(0, k - 30), k)
        lines.append(f"x{k} = " + rng.choice(ops).format(a=f"x{a}", b=f"x{b}"))
        k += 1


def time_picture(source: str, repeat: int) -> tuple[int, float, float, tuple[int, int]]:
    program = evaluate(source)
    root = program.output
    root.zero_grad()
    root.backward()
    names = graph.node_names(root)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        picture = layout(root, names)
        render_text(picture)
        times.append(time.perf_counter() - start)
    return len(names), min(times), statistics.median(times), (picture.width, picture.height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for title, source in (("README expression", DEFAULT_EXPRESSION), ("generated graph", generated_program())):
        nodes, best, median, (width, height) = time_picture(source, args.repeat)
        print(
            f"{title}: {nodes} values, picture {width}x{height} characters: "
            f"best {best * 1000:.1f} ms, median {median * 1000:.1f} ms ({args.repeat} runs)"
        )


if __name__ == "__main__":
    main()
