"""How much work replaying a session is, estimated before doing it — no Textual here.

A session file is small and its actions cheap to write: 49 KB of `train 100000` took ~8 h to replay, and 100,000
`backward` lines on a 35,000-node graph ~40 min. `check` and the app's replay therefore estimate the work first
and refuse past `BUDGET_SECONDS` with a sentence (`TooMuchWork`, which `check` reports with exit code 3).

The estimate is in seconds on this project's reference machine (2 cores, measured: the compiled engine does about
2e8 parameter x sample multiply-adds a second plus 0.1 ms a step; the reference engine about 3.5e5; a backward
pass about 2e6 nodes a second). Training is estimated up front from the configs the session goes through; the
expression graph's size is only known once an expression is evaluated, so graph actions (backward, zero_grad,
the stepper, select) are estimated at each evaluate for every graph action up to the next one, before any runs.
"""

from __future__ import annotations

from typing import Any

from tui.session_schema import SessionError

BUDGET_SECONDS = 300.0  # five minutes on the reference machine: every shipped sample needs under a second
COMPILED_RATE = 2e8  # parameter x sample products a second
STEP_OVERHEAD = 1e-4  # seconds a step, whatever its size (the compiled engine's Python around NumPy)
REFERENCE_RATE = 3.5e5
GRAPH_RATE = 2e6  # nodes a second, for a backward pass or a walk of the expression graph
GRAPH_ACTIONS = frozenset({"backward", "zero_grad", "stepper", "select"})


class TooMuchWork(SessionError):
    """A session whose replay is estimated past the budget; `str()` is one sentence with the estimate."""


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} hours"
    if seconds >= 60:
        return f"{seconds / 60:,.1f} minutes"
    return f"{seconds:,.1f} s"


def _shape(config: Any) -> tuple[int, int, str]:
    """(parameters, samples a step uses, engine) of a Config."""
    inputs = 2 if config.data.get("name") != "tiny" else 3
    features = config.model.get("features") or ["x1", "x2"]
    fan_in, parameters = max(inputs, len(features)), 0
    for width in config.model["layers"]:
        parameters += (fan_in + 1) * width
        fan_in = width
    samples = config.data["samples"]
    batch = config.training.get("batch_size")
    return parameters, min(batch, samples) if batch else samples, config.training["engine"]


def step_seconds(parameters: int, samples: int, engine: str) -> float:
    rate = REFERENCE_RATE if engine == "reference" else COMPILED_RATE
    return STEP_OVERHEAD + parameters * samples / rate


def config_step_seconds(config: Any) -> float:
    """The estimated seconds of one training step on a Config's model, data and engine."""
    return step_seconds(*_shape(config))


def training_seconds(session: Any) -> tuple[float, int]:
    """The estimated seconds of every training step in the session (train, step, set_parameter's loss), and the
    number of steps; configs that fail to build count as the last good one (replay reports them)."""
    per_action = action_training_seconds(session)
    steps = sum(
        int(action.get("steps", 0)) if action.get("do") == "train" else 1 if action.get("do") == "step" else 0
        for action in session.actions
    )
    return sum(per_action), steps


def action_training_seconds(session: Any) -> list[float]:
    """The estimated training seconds of each action (0 for those that do not train), in the configs the
    session has reached by then."""
    from tui.config import Config
    from tui.presets import PRESETS, preset_config

    config = Config.from_dict(session.config)
    parameters, samples, engine = _shape(config)
    per_action = []
    for action in session.actions:
        do = action.get("do")
        try:
            if do == "configure":
                config = config.merged(action["changes"])
            elif do == "preset":
                given = action.get("config")
                config = Config.from_dict(
                    given if given else preset_config(action["name"]) if action["name"] in PRESETS else {}
                )
            elif do == "import_data":
                config = config.merged({"data": {"samples": max(2, min(len(action["points"]), 100_000))}})
        except Exception:
            pass
        parameters, samples, engine = _shape(config)
        count = int(action.get("steps", 0)) if do == "train" else 1 if do in ("step", "set_parameter") else 0
        per_action.append(count * step_seconds(parameters, samples, engine))
    return per_action


def check_training(session: Any, name: str = "this session", budget: float = BUDGET_SECONDS) -> float:
    """The training estimate, or TooMuchWork before anything is replayed."""
    seconds, steps = training_seconds(session)
    if seconds > budget:
        raise TooMuchWork(
            f"{name} would take about {duration(seconds)} to replay ({steps:,} training steps); "
            f"the limit is {duration(budget)}, so it was not replayed"
        )
    return seconds


def graph_seconds(nodes: int, actions: list[dict], start: int) -> tuple[float, int]:
    """The estimate for the graph actions from actions[start] up to the next evaluate, on a graph of `nodes`."""
    count = 0
    for action in actions[start:]:
        if action.get("do") == "evaluate":
            break
        count += action.get("do") in GRAPH_ACTIONS
    return nodes * count / GRAPH_RATE, count


class Meter:
    """The running estimate of a replay: training up front, then each evaluate's graph actions as it comes."""

    def __init__(self, session: Any, name: str = "this session", budget: float = BUDGET_SECONDS) -> None:
        self.session, self.name, self.budget = session, name, budget
        self.spent = check_training(session, name, budget)

    def before_graph_actions(self, nodes: int, start: int) -> None:
        """Called with the expression graph's size when actions[start:] work on a new graph."""
        seconds, count = graph_seconds(nodes, self.session.actions, start)
        self.spent += seconds
        if self.spent > self.budget:
            raise TooMuchWork(
                f"{self.name} would take about {duration(self.spent)} to replay ({count:,} graph actions on "
                f"{nodes:,} nodes from actions[{start}]); the limit is {duration(self.budget)}, so it was not replayed"
            )
