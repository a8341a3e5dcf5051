"""The explorer's state and every user action — no Textual here (a test guards that).

The app only calls these methods and renders what they leave behind; tests and session replay drive the
workbench directly. Every applied action is appended to `Workbench.log` as a JSON-ready dict, so a session is
(starting state + log), and `apply(entry)` replays one entry. What to train -- the `Config`, its defaults and
its validation -- lives in tui/config.py; `Config`, `DEFAULTS` and `ENGINES` are importable from here as well.

Background training is split in three so the app's worker thread never touches anything but the trainer:
`start_training()` (UI thread) -> `run.step()` many times (worker thread) -> `finish_training(run)` (UI thread),
which writes the trained numbers back into the model's Values and logs one `train` entry.
"""

from __future__ import annotations

import copy
import random
from collections import deque

from micrograd import datasets, features, graph, losses, nn, optim
from micrograd.engine import Value
from micrograd.expression import ExpressionError, Program, evaluate
from tui import data_edits, exports, stepping
from tui import limits as L
from tui import network_view_state as network
from tui.config import (
    DEFAULTS,
    ENGINES,
    Config,
    SettingError,
    check_choice,
    check_integer,
    needs_new_model,
)
from tui.data_state import DataState
from tui.presets import PRESETS, preset_config
from tui.settings import describe_changes, setting

SESSION_VERSION = 2  # tui/session.py's VERSION: what a configure means (2: live settings keep the model)

# The names other modules import from here (Config, DEFAULTS and ENGINES are tui/config.py's, re-exported).
__all__ = ["DEFAULTS", "DEFAULT_EXPRESSION", "ENGINES", "Config", "TrainingRun", "Workbench", "result_dict"]

# micrograd's README example, verbatim from `a = Value(-4.0)` to `g.backward()` (its print lines left out).
DEFAULT_EXPRESSION = """\
a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g.backward()
"""


def result_dict(result) -> dict:
    """A StepResult as the JSON-ready dict sessions and the chart use."""
    d = {
        "step": int(result.step),
        "loss": float(result.loss),
        "data_loss": float(result.data_loss),
        "reg_loss": float(result.reg_loss),
        "accuracy": float(result.accuracy),
        "lr": float(result.lr),
    }
    if getattr(result, "tested", False):  # a held-out test set: its numbers beside the training ones
        d["test_loss"], d["test_accuracy"] = float(result.test_loss), float(result.test_accuracy)
    return d


class TrainingRun:
    """One background training run. Only `step()` may be called from the worker thread.

    Live setting changes (`request`, UI thread) wait in a queue and are applied by the worker between two
    steps; `changes` records after how many of this run's steps each one took effect, so the log (and the
    chart's marks) put it exactly there.
    """

    def __init__(self, trainer, room: int = L.MAX_SESSION_STEPS):
        from micrograd.train import StepCancelled  # imported once a run starts, not once a step

        self._trainer = trainer
        self._cancelled = StepCancelled
        self.room = room  # steps the session can still record (tui/limits.py's MAX_SESSION_STEPS in all)
        self.full: str | None = None  # why the run stopped by itself, when the session is full
        self.results: list[dict] = []  # only ever appended to, so the UI may read a prefix safely
        self.changes: list[tuple[int, dict]] = []  # (steps before it, changes): appended by the worker
        self._requests: deque = deque()  # (apply, changes) from the UI thread; deque ops are thread-safe

    def request(self, apply, changes: dict) -> None:
        self._requests.append((apply, changes))

    def apply_requests(self) -> None:
        while self._requests:
            apply, changes = self._requests.popleft()
            apply()
            self.changes.append((len(self.results), changes))

    def step(self, should_stop=None):
        """One step, or None when `should_stop()` said stop inside it (nothing changed then)."""
        if len(self.results) >= self.room:  # what the save format holds: a step more could never be saved
            self.full = (
                f"this session has {L.MAX_SESSION_STEPS:,} training steps, the most a session file holds; "
                "save it, then reset (ctrl+r) or start a new one to train on"
            )
            return None
        self.apply_requests()
        self._trainer.should_stop = should_stop
        try:
            result = self._trainer.step()
        except self._cancelled:
            return None
        finally:
            self._trainer.should_stop = None
        self.results.append(result_dict(result))
        return result

    def parameters(self):
        """A copy of the parameters as they are now (worker thread): what a live trace is drawn from."""
        return self._trainer.parameter_vector()

    def snapshot(self) -> network.Snapshot:
        """Copies of the parameters, last gradient and optimizer state (worker thread): the network view's."""
        return network.Snapshot.of(self._trainer)

    @property
    def steps(self) -> int:
        return len(self.results)


class Workbench:
    """State: the expression and its graph, the dataset, model and trainer, the chart history, the action log."""

    def __init__(
        self,
        config: Config | None = None,
        expression: str = DEFAULT_EXPRESSION,
        *,
        session_version: int = SESSION_VERSION,
    ):
        self.config = Config.from_dict(config.to_dict()) if config is not None else Config()
        # Replaying a version-1 session: there every configure built a new model, so it does here too.
        self.session_version = session_version
        # Where this exploration began: a session is this plus the log, and replay starts from here.
        self.start = {"config": self.config.to_dict(), "expression": expression}
        self.log: list[dict] = []
        self.log_bytes = 0  # about how large the log is as JSON (`_check_room` keeps a session saveable)
        self.history: list[dict] = []
        self.marks: list[dict] = []  # {"step", "text"}: where a live setting change took effect (chart marks)
        self.dirty = False
        self.selected: str | None = None
        self.traced: int | None = None  # the data point the graph pane's "sample" view traces
        self.network: network.Selection | None = None  # the network view's neuron, once one was selected
        self.source = expression
        self.program: Program | None = None
        self.error: ExpressionError | None = None
        self._run: TrainingRun | None = None
        self.stepping: stepping.StepperState | None = None  # the backprop/forward stepper, when on
        self.forgetting_zero_grad = False  # the lecture's pitfall, toggled live by forget_zero_grad()
        self.data: DataState | None = None  # the points: generated, imported, edited (tui/data_state.py)
        self.marks: list[dict] = []  # {"step", "text"}: where the data changed under a running history
        self._build()
        try:  # the initial build is the session's starting state: not logged
            self.program = evaluate(expression)
        except ExpressionError as err:
            self.error = err

    # ---- read-only views -------------------------------------------------------------------------------

    @property
    def output(self) -> Value | None:
        """The expression's output node (the root of the graph pane), or None."""
        return self.program.output if self.program is not None else None

    @property
    def training(self) -> bool:
        return self._run is not None

    @property
    def X(self):
        """Every data point, raw coordinates (training and test points alike; tracing and the picture use it)."""
        return self.data.X

    @property
    def y(self):
        return self.data.y

    @property
    def num_classes(self) -> int:
        return self.data.num_classes

    @property
    def inputs(self) -> int:
        """How many coordinates a data point has (the input features are computed from them)."""
        return int(self.X.shape[1])

    @property
    def feature_names(self) -> list[str]:
        """What the network's inputs are called, in order: x₁, x₂, or the chosen input features (x₁², sin x₁)."""
        return features.input_labels(self.config.model.get("features", features.RAW), self.inputs)

    def _graph_input_names(self) -> list[str] | None:
        """The graph pane's names for the inputs when they are input features (x₁², sin x₁); None keeps x0, x1."""
        raw = list(self.config.model.get("features", features.RAW)) == list(features.RAW)
        return None if raw else self.feature_names

    def featurize(self, X):
        """The network's inputs for raw points: the chosen input features of each (the points themselves by
        default)."""
        return features.transform(X, self.config.model.get("features", features.RAW)) if self.inputs == 2 else X

    def training_graph(self) -> Value:
        """The Value graph of the current training loss (built on demand: it can be 40,000 nodes)."""
        self._check_idle()
        return self.trainer.loss_graph()

    def sample_graph(self, index: int | None = None, *, parameters=None) -> Value:
        """One sample's loss term through the current model (default: the traced one, else 0), grads filled in.

        While training, pass the `parameters` a TrainingRun copied: the graph is then built from those numbers
        alone (the model's own Values belong to the worker), so the trace follows training live.
        """
        if parameters is None:
            self._check_idle()
        index = index if index is not None else (self.traced if self.traced is not None else 0)
        return exports.sample_graph(
            self.model,
            self.featurize(self.X),
            self.y,
            index,
            self.config.training["loss"],
            parameters=parameters,
            names=self._graph_input_names(),
        )

    def nearest_sample(self, position) -> int:
        """The index of the data point nearest to `position` (one number per input feature)."""
        return exports.nearest_sample(self.X, position)

    def export_text(self, kind: str, view: str = "expression") -> str:
        """An export as text: the `view`'s graph ("expression", "training", "sample") as dot/svg/mermaid,
        or the model as json/torch. ValueError (or RuntimeError without Graphviz) in one sentence."""
        self._check_idle()
        if kind == "csv":  # the data, as the open dialog reads it back
            return self.data.csv_text()
        if not exports.KINDS[exports.check_kind(kind)][2]:
            return exports.model_text(kind, self.model)
        roots = {"expression": lambda: self.output, "training": self.training_graph, "sample": self.sample_graph}
        if view not in roots:
            raise ValueError(f"export: expected a view among {', '.join(roots)}, not {view!r}")
        return exports.graph_text(kind, roots[view](), f"{view} graph")

    def network_snapshot(self) -> network.Snapshot:
        """Copies of the parameters, last gradient and optimizer state, for the network view (idle only)."""
        self._check_idle()
        return network.Snapshot.of(self.trainer)

    def neuron_graph(self, layer: int, neuron: int, *, parameters=None) -> Value:
        """Neuron `L{layer+1}.n{neuron}`'s output for the traced sample (else sample 0), backward run from it,
        through a detached copy of the model (with `parameters` while training, like `sample_graph`)."""
        if parameters is None:
            self._check_idle()
        network.Selection(layer, neuron).check(network.architecture(self.model))
        index = self.traced if self.traced is not None else 0
        return exports.neuron_graph(
            self.model,
            self.featurize(self.X),
            index,
            layer,
            neuron,
            parameters=parameters,
            names=self._graph_input_names(),
        )

    def decision_grid(self, resolution: int = 50):
        """The current model's outputs and classes over a grid spanning the data, test points included, plus
        a margin of 0.5 (a `micrograd.train.Grid`; for regression its `scores` are the predicted values)."""
        self._check_idle()
        (xmin, ymin), (xmax, ymax) = self.X.min(axis=0) - 0.5, self.X.max(axis=0) + 0.5
        return self.trainer.evaluate_grid(resolution, bounds=(xmin, xmax, ymin, ymax), transform=self.featurize)

    # ---- actions: each logs one entry and returns it ---------------------------------------------------

    def evaluate(self, source: str, *, result: Program | ExpressionError | None = None) -> dict:
        """Evaluate the editor's program; `result` is what `micrograd.expression.evaluate(source)` gave when the
        app already ran it off the UI thread (the Values it built are new, so only this records them)."""
        self._check_idle()
        self._check_room()
        if not isinstance(source, str) or len(source) > L.MAX_SOURCE:  # refused, not recorded: it is unsaveable
            size = f"{len(source):,} characters" if isinstance(source, str) else type(source).__name__
            raise ExpressionError(f"the expression is {size}; at most {L.MAX_SOURCE:,} can be evaluated and saved")
        self.source = source
        entry = {"do": "evaluate", "source": source}
        try:
            if isinstance(result, ExpressionError):
                raise result
            program = result if result is not None else evaluate(source)
        except ExpressionError as err:
            self.error = err
            self._record({**entry, "error": L.cut(str(err), L.MAX_ERROR)})  # what the format holds
            raise
        self.program, self.error, self.selected, self.stepping = program, None, None, None
        return self._record(entry)

    def backward(self) -> dict:
        self._check_room()
        self._output_or_raise("backward").backward()
        return self._record({"do": "backward"})

    def zero_grad(self) -> dict:
        self._check_room()
        self._output_or_raise("zero the gradients").zero_grad()
        return self._record({"do": "zero_grad"})

    def step(self) -> dict:
        self._check_idle()
        self._check_room(steps=1)
        result = result_dict(self.trainer.step())
        self._write_back()
        self.history.append(result)
        return self._record({"do": "step", "results": [result]})

    def train(self, steps: int) -> dict:
        """`steps` steps synchronously (stops early at a non-finite loss, like the app's worker)."""
        check_integer(steps, "steps", 1)
        self._check_room(steps=steps)
        run = self.start_training()
        try:
            for _ in range(steps):
                if not run.step().finite:
                    break
        finally:
            entry = self.finish_training(run)
        return entry

    def reset(self) -> dict:
        """A fresh model with the configured seed (the same starting weights), a fresh optimizer, no history."""
        self._check_idle()
        self._check_room()
        self._build()
        return self._record({"do": "reset"})

    def configure(self, changes: dict) -> dict:
        """Apply nested config changes; a bad change raises SettingError (a ValueError) and changes nothing.

        Live settings (tui/settings.py: lr, optimizer, momentum, l2, batch, engine, a loss with as many
        outputs) apply to the current model, keeping its weights and the chart's history; during a run they
        take effect between two steps and are logged there when the run finishes. Anything else builds a new
        model from its seed (`needs_new_model`), which waits until training is paused.
        """
        self._check_room()
        config = self.config.merged(changes)
        entry = {"do": "configure", "changes": copy.deepcopy(changes)}
        if not self._rebuilds(config):
            old, self.config = self.config, config
            apply = lambda: self._retune(old.training, config.training)
            if self._run is not None:
                self._run.request(apply, entry["changes"])  # the worker applies it between two steps
                return entry
            apply()
            self._mark(self.trainer.steps_done, entry["changes"])
            return self._record(entry)
        if self._run is not None:
            names = [setting(sec, name) for sec, values in self.config.changed(config).items() for name in values]
            rebuilding = [s for s in names if s is not None and (not s.live or self.session_version < 2)]
            labels = ", ".join(s.label for s in rebuilding)
            first = rebuilding[0].key if rebuilding else None
            raise SettingError(f"{labels}: needs a new model; pause training (F9) first", first)
        self._build(config)  # builds everything before it replaces anything: a refusal leaves all as it was
        return self._record(entry)

    def rebuilds(self, changes: dict) -> bool:
        """Whether these changes would build a new model (False too when they are invalid)."""
        try:
            return self._rebuilds(self.config.merged(changes))
        except ValueError:
            return False

    def _rebuilds(self, config: Config) -> bool:
        return self.session_version < 2 or needs_new_model(self.config, config)

    def preset(self, name: str, config: dict | None = None) -> dict:
        """A ready-made setup (tui/presets.py) on a new model; replay passes the recorded `config`."""
        self._check_idle()
        check_choice(name, "preset", tuple(PRESETS))
        built = Config.from_dict(config if config is not None else preset_config(name))
        self._build(built)
        return self._record({"do": "preset", "name": name, "config": built.to_dict()})

    def select(self, label: str) -> dict:
        """Select a node of the expression graph by label (or graph.node_ids id) for the inspector."""
        self._check_room()
        node = self.find(label) if self.output is not None and isinstance(label, str) else None
        if node is None:
            raise ValueError(f"select: no node labelled {_quoted(label)} in the current graph")
        if len(label) > L.MAX_LABEL or not _encodable(label):  # recorded by its id, which the format can hold
            label = f"#{graph.node_ids(self.output)[node]}"
        self.selected = label
        return self._record({"do": "select", "label": label})

    def trace(self, sample: int) -> dict:
        """Trace data point `sample`: the graph pane's "sample" view shows its forward graph and loss."""
        self._check_room()
        check_integer(sample, "trace: sample", 0, len(self.X) - 1)
        self.traced = sample
        return self._record({"do": "trace", "sample": sample})

    def select_neuron(self, layer: int, neuron: int, parameter: int = 0) -> dict:
        """Select a neuron of the network view (layer from 0, inputs excluded) and one of its parameters
        (0..fan_in-1 its weights, fan_in its bias); the app shows the network view while one is selected."""
        for value, name in ((layer, "layer"), (neuron, "neuron"), (parameter, "parameter")):
            check_integer(value, f"select_neuron.{name}", 0)
        self.network = network.Selection(layer, neuron, parameter).check(network.architecture(self.model))
        return self._record({"do": "select_neuron", "layer": layer, "neuron": neuron, "parameter": parameter})

    def set_parameter(self, layer: int, neuron: int, parameter: str, value: float) -> dict:
        """Set one weight ("w0", "w1", ...) or the bias ("b") of a neuron by hand. Logs the loss and accuracy it
        leads to (on the whole training set, no step taken), which replay compares."""
        self._check_idle()
        arch = network.architecture(self.model)
        for number, name in ((layer, "layer"), (neuron, "neuron")):
            check_integer(number, f"set_parameter.{name}", 0)
        network.Selection(layer, neuron).check(arch)
        k = network.parameter_index(arch, layer, parameter)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= 1e6:
            raise ValueError(f"set_parameter.value: expected a finite number between -1e6 and 1e6, not {value!r}")
        self.trainer.set_parameter(arch.index(layer, neuron, k), float(value))
        loss, accuracy = self.trainer.current_loss()
        self._write_back()
        self.network = network.Selection(layer, neuron, k)
        return self._record(
            {
                "do": "set_parameter",
                "layer": layer,
                "neuron": neuron,
                "parameter": parameter,
                "value": float(value),
                "loss": loss,
                "accuracy": accuracy,
            }
        )

    def step_through(self, mode: str, position: int = 0, overwrite: bool = False, graph: str = "expression") -> dict:
        """The stepper (tui/stepping.py): mode backward/forward/off, at `position`, on the expression graph or
        the traced sample's graph (built once when the stepper starts; a step, train, reset, configure or
        trace turns a sample stepper off, since its graph is then out of date)."""
        check_choice(mode, "stepper.mode", stepping.MODES)
        check_choice(graph, "stepper.graph", stepping.GRAPHS)
        if not isinstance(overwrite, bool):
            raise ValueError(f"stepper.overwrite: expected true or false, not {overwrite!r}")
        entry = {"do": "stepper", "mode": mode, "position": position, "overwrite": overwrite}
        if mode == "off":
            self.stepping = None
            return self._record({**entry, "position": 0, "overwrite": False})
        state = self.stepping
        if graph in ("sample", "neuron"):  # the network view's selected neuron, for the traced sample
            same = state is not None and state.graph == graph
            if same:
                root = state.stepper.root
            elif graph == "sample":
                root = self.sample_graph()
            else:
                selected = self.network or network.Selection()
                root = self.neuron_graph(selected.layer, selected.neuron)
            entry["graph"] = graph
        else:
            root = self._output_or_raise("step through the graph")
        if state is None or (state.mode, state.overwrite, state.stepper.root) != (mode, overwrite, root):
            state = stepping.StepperState(mode, overwrite, stepping.make_stepper(root, mode, overwrite), graph)
        state.stepper.goto(position)  # ValueError for a position outside 0..total
        self.stepping = state
        return self._record(entry)

    def stepper_move(self, move: str) -> dict:
        """next / previous / end / restart, logged as the position it leads to."""
        state = self.stepping
        if state is None:
            raise ValueError("the stepper is off (ctrl+b turns it on)")
        check_choice(move, "stepper move", stepping.MOVES)
        position = {
            "next": min(state.position + 1, state.total),
            "previous": max(state.position - 1, 0),
            "end": state.total,
            "restart": 0,
        }[move]
        return self.step_through(state.mode, position, state.overwrite, state.graph)

    def forget_zero_grad(self, on: bool) -> dict:
        """The pitfall: from the next training step on, grads are not zeroed (each step adds to the last)."""
        self._check_idle()
        if not isinstance(on, bool):
            raise ValueError(f"forget_zero_grad: expected true or false, not {on!r}")
        self.forgetting_zero_grad = on
        self.trainer.zero_grad = not on
        return self._record({"do": "forget_zero_grad", "on": on})

    def gradient_check(self) -> list:
        """Every leaf's grad vs a finite difference, on the expression graph -- or, while the stepper is on, on
        its graph, with the stepper's grads when it runs backward (pending = 0)."""
        state = self.stepping
        grads = None
        if state is not None and state.mode == "backward":
            grads = lambda node: state.stepper.grad_of(node) or 0
        root = state.stepper.root if state is not None else self._output_or_raise("check gradients")
        return stepping.gradient_check(root, grads)

    def find(self, label: str) -> Value | None:
        """The expression-graph node with this label, or this `graph.node_names` name ("#7" when unlabelled)."""
        root = self.output
        if root is None:
            return None
        node = graph.find(root, label)
        if node is None:
            node = next((n for n, name in graph.node_names(root).items() if name == label), None)
        if node is None and label[:1] == "#" and label[1:].isdigit():  # an id, as sessions before issue 12
            node = next((n for n, i in graph.node_ids(root).items() if i == int(label[1:])), None)  # recorded
        return node

    def apply(self, action: dict) -> dict:
        """Replay one logged action (replay feeds the log back through here)."""
        if not isinstance(action, dict) or action.get("do") not in _ACTIONS:
            raise ValueError(f"action: expected an object with 'do' among {', '.join(_ACTIONS)}, not {action!r}")
        do = action["do"]
        if do == "evaluate":
            return self.evaluate(action["source"])
        if do == "train":
            return self.train(action["steps"])
        if do == "configure":
            return self.configure(action["changes"])
        if do == "preset":
            return self.preset(action["name"], action.get("config"))
        if do == "select":
            return self.select(action["label"])
        if do == "forget_zero_grad":
            return self.forget_zero_grad(action["on"])
        if do == "stepper":
            return self.step_through(
                action["mode"],
                action.get("position", 0),
                action.get("overwrite", False),
                action.get("graph", "expression"),
            )
        if do == "trace":
            return self.trace(action["sample"])
        if do == "select_neuron":
            return self.select_neuron(action["layer"], action["neuron"], action.get("parameter", 0))
        if do == "set_parameter":
            return self.set_parameter(action["layer"], action["neuron"], action["parameter"], action["value"])
        if do in data_edits.ACTIONS:
            return data_edits.apply(self, action)
        return getattr(self, do)()

    def add_point(self, position, label) -> dict:
        """The learner's own data (tui/data_edits.py): a training point; the network carries on from here."""
        return data_edits.add_point(self, position, label)

    def remove_point(self, index: int) -> dict:
        return data_edits.remove_point(self, index)

    def import_data(self, name: str, points, labels) -> dict:
        """Rows and classes from a file (`data_edits.read_csv`): a new model from its seed."""
        return data_edits.import_data(self, name, points, labels)

    def mark_saved(self) -> None:
        self.dirty = False

    # ---- background training --------------------------------------------------------------------------

    def start_training(self) -> TrainingRun:
        self._check_idle()
        self._check_room(steps=1)
        self._run = TrainingRun(self.trainer, room=L.MAX_SESSION_STEPS - self.steps_logged)
        return self._run

    def finish_training(self, run: TrainingRun) -> dict | None:
        """Write the run back into the Values and log it; None when it made no steps."""
        if run is not self._run:
            raise RuntimeError("finish_training: that run is not the current one")
        self._run = None
        run.apply_requests()  # changes asked for after the last step take effect now, in order
        results, done, entry = list(run.results), 0, None
        for at, changes in run.changes + [(len(results), None)]:
            while at > done:  # the steps run with the settings before this change, MAX_TRAIN_STEPS an entry
                end = min(at, done + L.MAX_TRAIN_STEPS)
                self.history.extend(results[done:end])
                entry = self._record({"do": "train", "steps": end - done, "results": results[done:end]})
                done = end
            if changes is not None:
                self._mark(results[at]["step"] if at < len(results) else self.trainer.steps_done, changes)
                entry = self._record({"do": "configure", "changes": changes})
        if results:
            self._write_back()
        return entry

    # ---- internals ------------------------------------------------------------------------------------

    def _build(self, config: Config | None = None, *, imported: DataState | None = None) -> None:
        """Dataset, model, optimizer and trainer from the config (the same seeds give the same numbers)."""
        from micrograd.train import Trainer  # imported here: the compiled engine is only needed to train

        config = config if config is not None else self.config  # validated whole by Config (tui/config.py)
        data, model, training = config.data, config.model, config.training
        points = data_edits.points_for(self, config, imported)  # the current points, unless data settings changed
        X, y = points.train
        loss = losses.LOSSES[training["loss"]]
        name = data["name"] if points.origin == "generated" else points.origin
        if points.regression and not loss.regression:
            raise ValueError(
                f"training.loss: {name} is a regression set (real-number targets): choose the loss mse_regression"
            )
        if loss.regression and not points.regression:
            raise ValueError(
                f"training.loss: mse_regression needs a regression set "
                f"({', '.join(sorted(datasets.REGRESSION))}); {name} has classes"
            )
        num_classes = 1 if loss.regression else points.num_classes
        outputs = loss.outputs(num_classes)  # raises for a two-class loss on 3 classes, with the fix in words
        if model["layers"][-1] != outputs:
            raise ValueError(
                f"model.layers: {training['loss']} on {num_classes} classes needs a last layer of "
                f"{outputs} output{'s' if outputs != 1 else ''}, not {model['layers'][-1]}"
            )
        if training["batch_size"] is not None and training["batch_size"] > len(X):
            raise ValueError(f"training.batch_size: at most the {len(X)} samples, not {training['batch_size']}")
        chosen = model.get("features", features.RAW)
        if X.shape[1] != 2 and list(chosen) != list(features.RAW):
            raise ValueError(
                f"model.features: input features need points with 2 coordinates; this data has {X.shape[1]}"
            )
        inputs = features.transform(X, chosen) if X.shape[1] == 2 else X
        X_test, y_test = points.test
        test = (features.transform(X_test, chosen) if X.shape[1] == 2 else X_test, y_test) if len(X_test) else None
        mlp = nn.MLP(
            inputs.shape[1],
            list(model["layers"]),
            activation=model["activation"],
            output_activation=model["output_activation"],
            rng=random.Random(model["seed"]),
        )
        opt = _optimizer(training)
        trainer = Trainer(
            mlp,
            inputs,
            y,
            loss=training["loss"],
            l2=training["l2"],
            optimizer=opt,
            batch_size=training["batch_size"],
            engine=training["engine"],
            seed=model["seed"],
            zero_grad=not self.forgetting_zero_grad,
            test=test,
        )
        self.config, self.data, self.model, self.trainer = config, points, mlp, trainer
        if self.traced is not None and self.traced >= len(points.X):
            self.traced = None  # fewer samples now: that point is gone
        if self.network is not None:
            self.network = self.network.clamped(network.architecture(mlp))  # other layer sizes: the nearest
        self.history, self.marks = [], []

    def _retune(self, old: dict, new: dict) -> None:
        """Live training settings onto the current trainer (the worker thread calls this during a run)."""
        opt = self.trainer.optimizer
        if new["optimizer"] != old["optimizer"]:
            opt = _optimizer(new)  # a new optimizer: fresh moments, its schedule from step 0
        else:
            opt.schedule = optim.schedule_from_config(new["lr"])
            if isinstance(opt, optim.SGD):
                opt.momentum = new["momentum"]
        self.trainer.retune(
            loss=new["loss"], l2=new["l2"], optimizer=opt, batch_size=new["batch_size"] or 0, engine=new["engine"]
        )

    def _mark(self, step: int, changes: dict) -> None:
        self.marks.append({"step": int(step), "text": describe_changes(changes)})

    def _write_back(self) -> None:
        self.trainer.write_back()

    @property
    def steps_logged(self) -> int:
        """Training steps in the log (what tui/limits.py's MAX_SESSION_STEPS bounds)."""
        return sum(e["steps"] if e["do"] == "train" else 1 if e["do"] == "step" else 0 for e in self.log)

    def _check_room(self, steps: int = 0) -> None:
        """ValueError, before anything changes, when one more action (with `steps` training steps) would make
        a session the format cannot hold: too many actions, steps or bytes (tui/limits.py)."""
        if len(self.log) >= L.MAX_ACTIONS:
            raise ValueError(
                f"this session has {L.MAX_ACTIONS:,} actions, the most a session file holds; save it and start a "
                "new one to go on"
            )
        if self.log_bytes > L.ROOM_BYTES:
            raise ValueError(
                f"this session is about {self.log_bytes / 2**20:.0f} MB, near the most a session file holds; save it "
                "and start a new one to go on"
            )
        if steps and self.steps_logged + steps > L.MAX_SESSION_STEPS:
            raise ValueError(
                f"this session has {self.steps_logged:,} training steps; {steps:,} more would pass the "
                f"{L.MAX_SESSION_STEPS:,} a session file holds (reset keeps the log: start a new session to train on)"
            )

    def _record(self, entry: dict) -> dict:
        self.log_bytes += _json_size(entry) * (2 if entry["do"] in ("train", "step") else 1)  # results: history too
        if self.stepping is not None and self.stepping.graph != "expression" and entry["do"] in stepping.STALE_SAMPLE:
            self.stepping = None  # the model or the traced point changed: that sample graph is out of date
        self.log.append(entry)
        self.dirty = True
        return entry

    def _check_idle(self) -> None:
        if self._run is not None:
            raise RuntimeError("training is running: pause it first")

    def _output_or_raise(self, what: str) -> Value:
        if self.output is None:
            raise ValueError(f"cannot {what}: the expression has no output (evaluate one that assigns a Value)")
        return self.output


SIZED_RESULTS = 200  # a run with more results is sized from this many of them, evenly spaced


def _json_size(entry: dict) -> int:
    """About how many bytes `entry` takes as JSON. A long run's results are sized from an even sample, not all
    encoded: encoding 100,000 of them held the UI thread 0.5 s at the end of the run, and one result's size
    varies little along a run (the same keys; numbers of about the same length)."""
    results = entry.get("results")
    if isinstance(results, list) and len(results) > SIZED_RESULTS:
        rest = {key: value for key, value in entry.items() if key != "results"}
        sample = results[:: len(results) // SIZED_RESULTS]
        return _encoded_size(rest) + round((_encoded_size(sample) - 2) * len(results) / len(sample))
    return _encoded_size(entry)


def _encoded_size(entry) -> int:
    import json

    try:
        return len(json.dumps(entry, default=float))
    except (TypeError, ValueError):
        return 0


def _quoted(text) -> str:
    """A label in a message: repr-escaped, at most 60 characters."""
    shown = repr(text[:60] + ("…" if len(text) > 60 else "")) if isinstance(text, str) else repr(text)
    return shown


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _optimizer(training: dict):
    lr = optim.schedule_from_config(training["lr"])
    if training["optimizer"] == "sgd":
        return optim.SGD(lr=lr, momentum=training["momentum"])
    return optim.AdamW(lr=lr)


_ACTIONS = (
    "evaluate",
    "backward",
    "zero_grad",
    "step",
    "train",
    "reset",
    "configure",
    "preset",
    "select",
    "trace",
    "stepper",
    "forget_zero_grad",
    "select_neuron",
    "set_parameter",
) + data_edits.ACTIONS
