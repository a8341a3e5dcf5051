"""What a training setup will cost before it is built: graph nodes, memory and seconds, per engine.

The reference engine builds one `Value` per number of every sample of a batch, every step: its cost is
(nodes per sample) x (batch) + the parameters' own nodes, at about `REFERENCE_BYTES_PER_NODE` bytes each
(a `Value` with its tuples, plus the topological order and visited set of `backward`). The compiled engine
traces one sample's graph once, with a loss term per class label, into a `Program` (L2 is computed directly):
its build cost is the traced nodes, and its run cost two float64 rows (value and gradient) per traced node
per sample of the batch.

Node counts are exact (tests compare them with real graphs); the per-node bytes and seconds were measured on
a 2-core machine (benchmarks/cost_limits.py prints estimate against measurement). `refusal()` turns an
estimate over the limits into one sentence naming the estimate, the limit and the way out.
"""

from __future__ import annotations

from dataclasses import dataclass

# Measured (benchmarks/cost_limits.py) on a busy 2-core machine, rounded up.
REFERENCE_BYTES_PER_NODE = 300  # tracemalloc peak of build + backward, per node
REFERENCE_SECONDS_PER_NODE = 20e-6  # build + backward, per node
COMPILED_BYTES_PER_TRACED_NODE = 1_600  # the trace's Values and a Program's tables while it is built
COMPILED_SECONDS_PER_TRACED_NODE = 10e-6  # tracing is array work (issue 15): a few microseconds a node
COMPILED_SECONDS_PER_ROW_SAMPLE = 4e-9  # one step, per array row per sample (forward + backward)

MAX_BUILD_SECONDS = 10.0
MAX_MEMORY_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Estimate:
    engine: str
    samples: int
    batch: int  # samples per step
    nodes_per_sample: int  # one sample's forward and loss graph
    parameters: int
    graph_nodes: int  # reference: one step's whole graph; compiled: every traced node (one trace)
    memory_bytes: int  # the peak while building and stepping
    build_seconds: float  # reference: one step (its graph is built every step); compiled: trace + programs
    step_seconds: float


def _activation_nodes(activation: str) -> int:
    return 0 if activation == "linear" else 1


def loss_nodes(multiclass: bool, loss: str, outputs: int) -> int:
    """Nodes one sample's loss term adds on top of the model's outputs (its constants included)."""
    if multiclass:  # one shift constant, K adds of it, K exps, a sum, a log, and "- shifted[label]"
        return 2 * outputs + 6
    return {"svm_max_margin": 5, "mse": 3, "binary_cross_entropy": 15}.get(loss, 15)


def model_nodes(inputs: int, layers: list[int], activation: str = "relu", output_activation: str = "linear") -> int:
    """Nodes of one sample's forward graph: the inputs, then per neuron its products, one sum, the activation."""
    nodes, width = inputs, inputs
    for i, nout in enumerate(layers):
        act = output_activation if i == len(layers) - 1 else activation
        nodes += nout * (width + 1 + _activation_nodes(act))
        width = nout
    return nodes


def parameter_count(inputs: int, layers: list[int]) -> int:
    sizes = [inputs] + list(layers)
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(layers)))


def estimate(
    *,
    inputs: int,
    layers: list[int],
    samples: int,
    batch_size: int | None = None,
    engine: str = "compiled",
    classes: int = 2,
    multiclass: bool = False,
    loss: str = "svm_max_margin",
    activation: str = "relu",
    output_activation: str = "linear",
    l2: bool = True,
) -> Estimate:
    batch = samples if batch_size is None else min(batch_size, samples)
    params = parameter_count(inputs, layers)
    per_model = model_nodes(inputs, layers, activation, output_activation)
    per_sample = per_model + loss_nodes(multiclass, loss, layers[-1])
    # The parameters, the batch mean (a sum, a constant, a product), and L2 (a product each, a sum, a constant,
    # a product, then the add that joins it to the data loss).
    fixed = params + 3 + (params + 4 if l2 else 0)
    if engine == "reference":
        nodes = per_sample * batch + fixed
        memory = nodes * REFERENCE_BYTES_PER_NODE
        seconds = nodes * REFERENCE_SECONDS_PER_NODE
        return Estimate(engine, samples, batch, per_sample, params, nodes, memory, seconds, seconds)
    terms = max(2, classes)  # a loss term per class label (the labels enter as constants), in one trace
    traced = per_model + loss_nodes(multiclass, loss, layers[-1]) * terms
    rows = per_sample - params  # folded products aside, about one row per node (a safe upper bound)
    arrays = 2 * 8 * max(rows, 1) * batch
    memory = traced * COMPILED_BYTES_PER_TRACED_NODE + arrays
    build = traced * COMPILED_SECONDS_PER_TRACED_NODE
    step = max(rows, 1) * batch * COMPILED_SECONDS_PER_ROW_SAMPLE
    return Estimate(engine, samples, batch, per_sample, params, traced, memory, build, step)


def _size(n: float) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def refusal(e: Estimate) -> str | None:
    """None when `e` fits the limits; otherwise one sentence: the estimate, the limit, the way out."""
    too_slow, too_big = e.build_seconds > MAX_BUILD_SECONDS, e.memory_bytes > MAX_MEMORY_BYTES
    if not (too_slow or too_big):
        return None
    what = (
        (f"about {e.build_seconds:,.0f} s" if too_slow else "")
        + (" and " if too_slow and too_big else "")
        + (f"{_size(e.memory_bytes)}" if too_big else "")
    )
    limit = " and ".join(
        x for x in (f"{MAX_BUILD_SECONDS:.0f} s" if too_slow else "", _size(MAX_MEMORY_BYTES) if too_big else "") if x
    )
    if e.engine == "reference":
        graph = f"{e.graph_nodes:,} Values a step ({e.nodes_per_sample:,} per sample × {e.batch:,})"
        way = "use fewer samples, a batch size, a smaller model, or the compiled engine"
    else:
        graph = f"{e.graph_nodes:,} traced nodes"
        way = "use a smaller model (fewer or narrower layers)" + (", or fewer samples" if too_big else "")
    return f"too big to build: {graph} would take {what}, over the limit of {limit}; {way}."
