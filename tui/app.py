"""MicrogradApp: the layout, the keys, the training worker, and routing results to the widgets.

Every action goes through the `Workbench` (tui/workbench.py); this module only decides what to redraw.
Training runs in one exclusive thread worker that calls `run.step()` and posts batched `TrainingProgress`
messages at most 10 times a second, fewer when drawing them costs the UI more than 5% of the time, and
gives way to the UI thread whenever its heartbeat is late (tui/training_pace.py: why, and by how much); the UI
never reads the live Values until `finish_training` wrote them back.
"""

from __future__ import annotations

import asyncio
import math
from time import perf_counter, thread_time

from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static, Tree
from textual.worker import Worker, WorkerState, get_current_worker

from micrograd.engine import Value
from micrograd.expression import EvaluationCancelled, ExpressionError, Program, evaluate
from micrograd.network_groups import loss_graph_groups, sample_graph_groups
from tui import budget, form
from tui.plain import shown
from tui.presets import PRESETS, preset_config
from tui.screens import help as help_screen
from tui.screens.commands import KEYS, MicrogradCommands
from tui.screens.data_edit import DataEditCommands
from tui.screens.export import ExportCommands
from tui.screens.last_resort import LastResort
from tui.screens.network import NetworkCommands
from tui.screens.preferences import PreferencesCommands
from tui.screens.session_files import SessionCommands
from tui.screens.stepping import StepperCommands
from tui.screens.trace import TraceCommands
from tui.settings import describe_changes
from tui.training_pace import Collections, Heartbeat, Pacer
from tui.widgets.boundary import DecisionBoundary
from tui.widgets.chart_pane import ChartPane
from tui.widgets.controls import TrainingControls
from tui.widgets.editor import ExpressionEditor
from tui.widgets.fitting_footer import FittingFooter
from tui.widgets.graph_pane import GraphPane
from tui.widgets.graph_picture import GraphPicture
from tui.widgets.graph_tree import GraphTree
from tui.widgets.loss_chart import LossChart
from tui.widgets.status import StatusLine
from tui.workbench import TrainingRun, Workbench

MIN_WIDTH, MIN_HEIGHT = 80, 24
PROGRESS_INTERVAL = 0.1  # seconds between progress messages: <= 10 chart redraws a second
PROGRESS_SHARE = 0.05  # ... and fewer when handling one takes the UI thread more than this share of the time
ASK_INSIDE_STEPS_OVER = 0.002  # seconds: a step the last one of which took longer is asked to stop inside it too
INPUT_HOLD = 0.1  # seconds a worker gives way to the UI after a key, click, scroll or paste (a held key: longer)
# The input a person waits on the answer to (mouse moves are not: they come in floods and answer nothing).
ANSWERED_INPUT = (
    events.Key,
    events.MouseDown,
    events.MouseUp,
    events.MouseScrollDown,
    events.MouseScrollUp,
    events.Paste,
)
MAX_GRID = 160  # decision-boundary grid points per side: one per character column is plenty
DEFAULT_TRAIN_STEPS = 100  # micrograd's demo length; the controls' "steps" field changes it
WHILE_OPENING = frozenset({"help", "quit", "focus_pane", "maximize_pane", "command_palette"})  # keys that answer
PANES = ("#editor-text", "#graph-tree, #graph-picture", "#controls-pane Input, #controls-pane Select", "#chart-pane")


class TrainingProgress(Message):
    """Results since the last message; a pending one is folded into the next, so none is ever lost."""

    def __init__(
        self,
        run: TrainingRun,
        results: list[dict],
        steps_per_second: float,
        diverged_at: int | None = None,
        parameters=None,
        network=None,
    ) -> None:
        super().__init__()
        self.run, self.results = run, results
        self.steps_per_second, self.diverged_at = steps_per_second, diverged_at
        self.parameters = parameters  # a copy, for a live trace of one sample; None when nobody traces
        self.network = network  # parameter, gradient and optimizer copies for the network view, when it shows

    def can_replace(self, message: Message) -> bool:
        # Textual asks the *older* message whether the newer one may supersede it: merge, then let it.
        if isinstance(message, TrainingProgress) and message.run is self.run and self.diverged_at is None:
            message.results = self.results + message.results
            return True
        return False


class TrainingFinished(Message):
    """Posted by the worker thread as its very last act: only now may the UI thread touch the trainer.

    (Worker.StateChanged is no signal for that: cancelling a thread worker marks it CANCELLED at once, while
    its thread is still inside a step.)
    """

    def __init__(self, run: TrainingRun) -> None:
        super().__init__()
        self.run = run


class EvaluationProgress(Message):
    """How far the evaluation worker is (a pending one is replaced by the next)."""

    def __init__(self, source: str, done: int, total: int) -> None:
        super().__init__()
        self.source, self.done, self.total = source, done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EvaluationProgress)


class EvaluationDone(Message):
    """The evaluation worker's last act: its Program, its ExpressionError, or None (cancelled, or it failed)."""

    def __init__(self, workbench: Workbench, source: str, result: Program | ExpressionError | None) -> None:
        super().__init__()
        self.workbench, self.source, self.result = workbench, source, result


class MicrogradApp(
    LastResort,  # first: its _handle_exception answers before App's (which exits)
    DataEditCommands,
    PreferencesCommands,
    NetworkCommands,
    ExportCommands,
    TraceCommands,
    StepperCommands,
    SessionCommands,
    App[None],
):
    """Save/open/replay (ctrl+s, ctrl+o, the timeline) come from the SessionCommands mixin (issue 6)."""

    CSS_PATH = "app.tcss"
    TITLE = "micrograd-tui"
    COMMANDS = App.COMMANDS | {MicrogradCommands}
    # Screen classes by size: below 80x24 the panes give way to a sentence (see app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-narrow"), (100, "-wide-enough")]
    VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-tall-enough"), (28, "-tall")]  # -tall-enough: 24-27
    BINDINGS = KEYS  # every key and every palette command live in tui/screens/commands.py

    def __init__(self, workbench: Workbench | None = None, *, train_steps: int | None = DEFAULT_TRAIN_STEPS):
        super().__init__()
        self.workbench = workbench if workbench is not None else Workbench()
        self.train_steps = train_steps
        self.graph_mode = "expression"  # or "training", or "sample" (the traced one): what the tree shows
        self._run: TrainingRun | None = None
        self._steps_per_second: float | None = None
        self._pacer = Pacer(PROGRESS_INTERVAL, PROGRESS_SHARE)  # a new pair for each run
        self._heartbeat = Heartbeat()
        self._evaluation_heartbeat = Heartbeat()
        self._collections = Collections()  # the garbage collector kept out of the way of keys and training
        self.pause_requested_at: int | None = None  # run.steps when pause was pressed (tests check "within a step")
        self.evaluating: str | None = None  # the source a worker thread is evaluating (F5 on a long program)
        self._evaluation_cancelled = False

    def notify(self, message, *, title="", severity="information", timeout=None, markup=False) -> None:
        """Every notice is plain text, whatever the caller asked (a widget's notify() passes markup=True): they
        quote session titles, file names and the user's input, and Textual would read ``[/]`` in them as
        markup (and fail) or ``[@click=app.quit]`` as an action (issue 11)."""
        super().notify(shown(message, lines=True), title=shown(title), severity=severity, timeout=timeout, markup=False)

    # ---- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(
            f"micrograd-tui needs a terminal of at least {MIN_WIDTH}x{MIN_HEIGHT}.\n"
            f"Make the window larger, or press ctrl+q to quit.",
            id="too-small",
        )
        with Grid(id="main"):
            yield ExpressionEditor(self.workbench.source, id="editor-pane", classes="pane")
            yield GraphPane(id="graph-pane", classes="pane")
            yield TrainingControls(id="controls-pane", classes="pane")
            yield ChartPane(id="chart-pane", classes="pane")
        yield StatusLine("", id="status", markup=False)
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#editor-pane").border_title = "Expression"
        self.query_one("#editor-pane").border_subtitle = "F5 evaluate"
        self.query_one("#controls-pane").border_title = "Training"
        self.query_one("#controls-pane").border_subtitle = "Enter applies"
        self.query_one("#controls-pane").can_focus = False
        self.refresh_all()
        self.query_one("#editor-text").focus()
        self.call_after_refresh(self._collections.settle)  # the first screen's objects: out of the collector's way

    def on_unmount(self) -> None:
        self._collections.release()

    async def on_event(self, event: events.Event) -> None:
        """A key or click while a worker runs: it gives way for INPUT_HOLD, time enough for the answer to be drawn
        at idle speed (F1's help screen: ~40 ms)."""
        if isinstance(event, ANSWERED_INPUT) and not event.is_forwarded:
            for heartbeat in self._working_heartbeats():
                heartbeat.hold(INPUT_HOLD)
        await super().on_event(event)

    def _working_heartbeats(self) -> list[Heartbeat]:
        """The heartbeats of the workers running now: training, an evaluation, a session being opened."""
        running = [self._heartbeat] if self._run is not None else []
        if self.evaluating is not None:
            running.append(self._evaluation_heartbeat)
        if self.opening is not None:
            running.append(self.opening.heartbeat)
        return running

    def get_driver_class(self):
        """Textual's choice, except that a Linux terminal gets Escape in ~25 ms (tui/terminal_driver.py)."""
        driver = super().get_driver_class()
        if driver.__name__ != "LinuxDriver":  # the web, Windows: as Textual chose
            return driver
        from tui.terminal_driver import PromptEscapeDriver  # imports termios: Unix only

        return PromptEscapeDriver

    def refresh_all(self) -> None:
        """Redraw every pane from the workbench (start, reset, configure, a loaded session)."""
        wb = self.workbench
        self._steps_per_second = None  # a figure of the last live run, not of the state shown now
        editor = self.query_one(ExpressionEditor)
        editor.set_text(wb.source)
        if wb.error is not None:
            editor.show_error(wb.error)
        else:
            editor.show_ok(self._output_summary())
        if wb.log and wb.log[-1].get("do") == "trace":  # e.g. a replay that just traced a sample: show it
            self.graph_mode = "sample"
        self.show_graph()
        self._load_controls()
        self.query_one(LossChart).set_history(wb.history, wb.marks)
        self._refresh_boundary()
        self._update_status()
        if wb.network is not None:  # a session that selected a neuron opens on the network view
            self.open_network(focus=False)

    # ---- what the panes show ------------------------------------------------------------------------------

    def show_graph(self, *, keep_changes: bool = False) -> None:
        pane = self.query_one(GraphPane)
        if self.graph_mode == "training":
            root, why = self._model_graph(self.workbench.training_graph)
            groups = loss_graph_groups(self.workbench.model, root, self.workbench.trainer.last_batch) if root else None
            title = "Graph: training loss ({nodes:,} nodes)"
            pane.show(root, title, keep_changes=keep_changes, groups=groups, empty=why)
        elif self.graph_mode == "neuron":  # the network view's neuron for the traced sample (g there)
            root, why = self._model_graph(lambda: self.stepper_root("neuron") or self.neuron_graph_root())
            pane.show(root, self.neuron_graph_title(), keep_changes=keep_changes, empty=why)
        elif self.graph_mode == "sample":  # a detached copy of the model: its backward leaves the trainer alone
            root, why = self._model_graph(lambda: self.stepper_root("sample") or self.workbench.sample_graph())
            groups = self._sample_groups(root) if root is not None else None
            pane.show(root, self._sample_title(), keep_changes=keep_changes, groups=groups, empty=why)
        else:
            pane.show(self.workbench.output, "Graph: expression")
            if self.workbench.selected is not None:  # e.g. a replayed selection: show that node
                pane.reveal(self.workbench.find(self.workbench.selected))
        self.show_stepper()  # the stepper's numbers, or none (another view, a new expression)

    def _model_graph(self, build, parameters=None) -> tuple[Value | None, str | None]:
        """A graph through the model (training loss, traced sample, neuron), or None and why not: after a
        diverged step the weights can be inf or NaN, and a copy of the model (sample, neuron) refuses those."""
        weights = parameters if parameters is not None else [p.data for p in self.workbench.model.parameters()]
        if not all(math.isfinite(w) for w in weights):
            return None, (
                "the model's weights are no longer finite numbers (training diverged), so this graph cannot be "
                "built: reset the model (ctrl+r) or lower the learning rate"
            )
        try:
            return build(), None
        except (ValueError, ArithmeticError) as err:
            return None, f"this graph cannot be built: {err}"

    def _sample_groups(self, root):
        """The traced sample's graph grouped by layer and neuron (it runs through a copy of the model whose
        parameters are labelled L1.n3.w0, L1.n3.b: that is how its neurons are found)."""
        return sample_graph_groups(root, self.workbench.model)

    def _sample_title(self) -> str:
        i = self.workbench.traced or 0
        return f"Graph: sample {i}, class {self.workbench.y[i]} ({{nodes:,}} nodes)"

    def _after_values_changed(self) -> None:
        """The Values changed (backward, zero, a step, training finished): relabel and re-inspect."""
        if self.graph_mode in ("training", "sample", "neuron"):
            self.show_graph(keep_changes=True)  # the loss graph was built from the old weights: build it again
        else:
            self.query_one(GraphPane).refresh_values()

    def _output_summary(self) -> str:
        out = self.workbench.output
        if out is None:
            return "evaluated: no Value yet"
        name = out.label or "output"
        return f"evaluated: {name} = {out.data:.6g}, grad {out.grad:.6g}"

    def _update_status(self, state: str | None = None) -> None:
        history = self.workbench.history
        last = history[-1] if history else None
        if state is None:
            state = "training…" if self._run is not None else "ready"
        if self.workbench.forgetting_zero_grad:
            state += " · zero_grad forgotten!"
        edited = self.workbench.log[-1] if self.workbench.log else {}
        if edited.get("do") == "set_parameter":  # a weight set by hand: the loss it leads to, before any step
            last = {"step": last["step"] if last else None, "loss": edited["loss"], "accuracy": edited["accuracy"]}
            state += " · weight set by hand"
        self.query_one(StatusLine).show(
            step=last["step"] if last else None,
            loss=last["loss"] if last else None,
            accuracy=last["accuracy"] if last else None,
            steps_per_second=self._steps_per_second,
            engine=self.workbench.config.training["engine"],
            state=state,
        )

    def _refresh_boundary(self) -> None:
        """Recompute the boundary picture, only when it is on screen and the model is idle."""
        view = self.query_one(DecisionBoundary)
        if not self.query_one(ChartPane).showing_boundary:
            return
        if self._run is not None:
            return  # the trainer belongs to the worker now; the picture updates when it pauses
        if self.workbench.inputs != 2:
            view.show_message(
                f"the decision boundary needs 2 input features; "
                f"{self.workbench.config.data['name']} has {self.workbench.inputs}"
            )
            return
        columns, rows = view.grid_size()
        grid = self.workbench.decision_grid(resolution=min(max(columns, rows), MAX_GRID))
        view.traced = self.workbench.traced  # drawn as ✚
        data = self.workbench.data
        # Trainer's grid has ys increasing with the row; the picture has the largest y at the top.
        view.show(
            grid.classes[::-1],
            (grid.xs[0], grid.xs[-1], grid.ys[0], grid.ys[-1]),
            data.X,
            data.y,
            held_out=data.held_out,
            values=grid.scores[::-1, :, 0] if data.regression else None,
        )

    # ---- actions --------------------------------------------------------------------------------------

    def _busy(self) -> bool:
        if self._run is not None:
            self.notify("Training is running: pause it first (F9).", severity="warning")
            return True
        return False

    def action_evaluate(self) -> None:
        if self._busy():
            return
        if self.evaluating is not None:
            self.notify("Still evaluating the program: wait, or press Esc to cancel it.", severity="warning")
            return
        source = self.query_one(ExpressionEditor).text
        if len(source) <= budget.INLINE_SOURCE_CHARS:  # even its worst case is instant
            self._show_evaluation(source, None)
            return
        self.evaluating, self._evaluation_cancelled = source, False
        self.query_one(ExpressionEditor).show_progress("evaluating… (Esc cancels)")
        self.refresh_bindings()
        # the worker gives way to the UI when its beat is late or a key came (tui/training_pace.py)
        heartbeat = self._evaluation_heartbeat = Heartbeat()
        self._evaluation_beat(source, heartbeat)
        self._evaluate(self.workbench, source, heartbeat)

    def _evaluation_beat(self, source: str, heartbeat: Heartbeat) -> None:
        if self.evaluating == source:
            heartbeat.beat()
            asyncio.get_running_loop().call_later(heartbeat.period, self._evaluation_beat, source, heartbeat)

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluation", name="evaluation")
    def _evaluate(self, workbench: Workbench, source: str, heartbeat: Heartbeat) -> None:
        """The editor's program, off the UI thread: it builds new Values only, which nothing else reads until
        EvaluationDone hands them to the workbench (on the UI thread)."""
        worker = get_current_worker()
        last_post = perf_counter()

        def check(done: int, total: int) -> None:
            nonlocal last_post
            if worker.is_cancelled:
                raise EvaluationCancelled
            heartbeat.give_way()  # a key pressed meanwhile is answered at once, not after the GIL's turns
            if perf_counter() - last_post >= budget.PROGRESS_INTERVAL:
                self.post_message(EvaluationProgress(source, done, total))
                last_post = perf_counter()

        result: Program | ExpressionError | None = None
        try:
            result = evaluate(source, max_backward_work=budget.EVALUATE_BACKWARD_WORK, check=check)
        except ExpressionError as err:
            result = err
        except EvaluationCancelled:
            pass
        finally:  # always, so the app never waits for a worker that failed (the worker's error has a notice)
            self.post_message(EvaluationDone(workbench, source, result))

    def on_evaluation_progress(self, message: EvaluationProgress) -> None:
        if message.source == self.evaluating and not self._evaluation_cancelled:
            self.query_one(ExpressionEditor).show_progress(
                f"evaluating… statement {message.done:,} of {message.total:,} (Esc cancels)"
            )

    def on_evaluation_done(self, message: EvaluationDone) -> None:
        if message.source != self.evaluating:
            return
        self.evaluating = None
        self.refresh_bindings()
        if message.workbench is not self.workbench:
            return  # a session was opened meanwhile: this program belongs to the one before
        if message.result is None:
            editor = self.query_one(ExpressionEditor)
            editor.show_ok("evaluation cancelled: the graph is the last one evaluated, the text is as you left it")
            return
        self._show_evaluation(message.source, message.result)

    def action_cancel_evaluation(self) -> None:
        for worker in self.workers:
            if worker.name == "evaluation":
                worker.cancel()  # the worker stops before its next statement and posts EvaluationDone
        self._evaluation_cancelled = True  # later progress reports are old news
        self.query_one(ExpressionEditor).show_progress("cancelling…")

    def _show_evaluation(self, source: str, result: Program | ExpressionError | None) -> None:
        """Record the evaluation (computed here when `result` is None) and show its graph or its error."""
        editor = self.query_one(ExpressionEditor)
        try:
            self.workbench.evaluate(source, result=result)
        except ExpressionError as err:
            editor.show_error(err)
            editor.text_area.focus()
            if self.graph_mode == "expression" and self.workbench.output is not None:
                self.query_one(GraphPane).mark_stale(True)
            return
        editor.show_ok(self._output_summary())
        self.graph_mode = "expression"
        self.show_graph()

    def _expression_action(self, action) -> None:
        try:
            action()
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return
        if self.graph_mode != "expression":
            self.graph_mode = "expression"
            self.show_graph()
        else:
            self._after_values_changed()
        self.query_one(ExpressionEditor).show_ok(self._output_summary())

    def action_backward(self) -> None:
        self._expression_action(self.workbench.backward)

    def action_zero_grad(self) -> None:
        self._expression_action(self.workbench.zero_grad)

    def action_step(self) -> None:
        if self._busy():
            return
        try:
            entry = self.workbench.step()
        except ValueError as err:  # e.g. a schedule whose rate is past a float: nothing changed
            self.notify(f"No step taken: {err}.", severity="error", timeout=10)
            return
        self._steps_per_second = None
        self.query_one(LossChart).extend(entry["results"])
        self._after_training()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Live bindings: F9 reads Train or Pause; what cannot run during training is dimmed."""
        training = self._run is not None
        replaying = self.opening is not None or self.replay_moving  # a worker owns the replayed workbench
        if action == "cancel_replay":  # Esc: only while a session opens or the replay moves, on the main screen
            return replaying and len(self.screen_stack) == 1
        if replaying and action not in WHILE_OPENING:
            return None  # the workbench is the replay worker's until it is done: dimmed until then
        if action == "train_pause" and len(self.screen_stack) > 1:  # space: a dialog's (help's) key, not training's
            return False
        if action == "train":
            return not training
        if action == "pause":
            return training
        if action == "trace_step":  # + and - only mean something in the sample view
            return self.graph_mode == "sample" and not training
        if action in ("evaluate", "step", "reset", "toggle_graph", "export", "trace") and training:
            return None
        if action == "cancel_evaluation":  # Esc: only while evaluating, and only on the main screen
            return self.evaluating is not None and len(self.screen_stack) == 1
        return True

    def action_train(self) -> None:
        self.action_train_pause()

    def action_pause(self) -> None:
        self.action_train_pause()

    def action_train_pause(self) -> None:
        if self._run is not None:
            self.pause_requested_at = self._run.steps
            for worker in self.workers:
                if worker.name == "training":
                    worker.cancel()
            self._update_status("pausing…")
            return
        if self.evaluating is not None:
            self.notify("Evaluating the program: wait, or press Esc to cancel it, then train.", severity="warning")
            return
        self._run = self.workbench.start_training()
        # The loss graph's parameters are the model's Values, which the worker now updates (reference engine).
        # A traced sample is drawn from parameter copies the worker posts instead, so it stays live.
        self.query_one(GraphPane).freeze(self.graph_mode == "training")
        self.pause_requested_at = None
        self._update_status()
        self._refresh_training_bindings()
        self._pacer, self._heartbeat = Pacer(PROGRESS_INTERVAL, PROGRESS_SHARE), Heartbeat()
        self._collections.training_started()
        self._beat(self._run)
        self._train(self._run, self.train_steps)

    def _refresh_training_bindings(self) -> None:
        """F9 reads Train or Pause: tell every screen's footer, not only the current screen's (a run may end while
        help or a dialog is on top; `refresh_bindings()` alone tells only that one)."""
        for screen in self.screen_stack:
            screen.refresh_bindings()

    def _beat(self, run: TrainingRun) -> None:
        """The UI thread's heartbeat while `run` trains: a bare event-loop callback (a Textual timer would cost
        more), so it is late exactly when the loop is busy or waits for the GIL."""
        if run is self._run:
            self._heartbeat.beat()
            asyncio.get_running_loop().call_later(self._heartbeat.period, self._beat, run)

    def action_reset(self) -> None:
        if self._busy():
            return
        self.workbench.reset()
        self._steps_per_second = None
        self.query_one(LossChart).set_history([])
        self._after_training()
        self.notify("Model reset: the same starting weights (model seed), chart cleared.")

    def action_toggle_graph(self) -> None:
        if self._busy():
            return
        # expression -> training loss -> the traced sample (once one was traced: ctrl+t) -> expression
        views = ("expression", "training") + (("sample",) if self.workbench.traced is not None else ())
        self.graph_mode = views[(views.index(self.graph_mode) + 1) % len(views) if self.graph_mode in views else 0]
        self.show_graph()

    def action_toggle_boundary(self) -> None:
        self.close_network()
        self.query_one(ChartPane).toggle()
        self._edit_titles()
        self.call_after_refresh(self._refresh_boundary)  # after layout, so the grid matches the pane's size

    def action_focus_pane(self, direction: int) -> None:
        panes = [
            next((w for w in self.query(selector) if w.display), None) or self.query(selector).first()
            for selector in PANES
        ]
        focused = self.focused
        current = next(
            (
                i
                for i, pane in enumerate(panes)
                if focused is not None
                and (
                    focused is pane
                    or pane in focused.ancestors
                    or (i == 2 and self.query_one(TrainingControls) in focused.ancestors)
                )
            ),
            -1,
        )
        panes[(current + direction) % len(panes)].focus()

    ESCAPE_TO_MINIMIZE = False  # Escape leaves the stepper; F11 restores a maximized pane

    def action_maximize_pane(self) -> None:
        """F11: the focused pane fills the screen; again, the four panes come back."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
            return
        focused = self.focused
        pane = next((w for w in ([focused] + list(focused.ancestors) if focused else []) if w.has_class("pane")), None)
        if pane is None:
            pane = self.query_one(GraphPane)
        screen.maximized = pane  # a pane is a container, which Screen.maximize() would refuse

    def action_graph_view(self) -> None:
        pane = self.query_one(GraphPane)
        pane.action_toggle_view()
        (pane.picture if pane.view == "picture" else pane.tree).focus()

    def action_help(self) -> None:
        help_screen.show(self)

    async def action_quit(self) -> None:
        """Quit; a training run is cancelled first (its thread checks every step, so it ends within one)."""
        if self._run is not None:
            for worker in self.workers:
                worker.cancel()
        await super().action_quit()  # SessionCommands asks about unsaved changes, then App quits

    # ---- settings -------------------------------------------------------------------------------------

    def on_training_controls_controls_changed(self, event: TrainingControls.ControlsChanged) -> None:
        controls = self.query_one(TrainingControls)
        if "" in event.changes:  # the app's own setting: how many steps Train runs
            self.train_steps = event.changes[""]["steps"]
            controls.show_message(
                f"Train (F9) runs {self.train_steps} steps." if self.train_steps else "Train (F9) runs until paused."
            )
            return
        outcome = form.submit(self.workbench, event.changes, event.alone)
        if outcome.applied is not None:
            self._load_controls(keep_pending=outcome.refusal is not None)
            if outcome.rebuilt:
                controls.show_message(f"{outcome.words}: a new model from its seed (the chart restarts).")
                self.query_one(LossChart).set_history([])
                self._steps_per_second = None
                self._after_training()
            else:
                controls.show_message(
                    f"{outcome.words}: applied to the current model"
                    + (" from the next step." if self._run is not None else ".")
                )
                self.query_one(LossChart).set_marks(self.workbench.marks)
                self._update_status()
        err = outcome.refusal
        if err is not None:  # one sentence naming the field, maybe with the fix ctrl+y applies
            done = f"{outcome.words} applied; " if outcome.applied else ""
            controls.refused(done + (err.problem if err.fix else str(err)), err.key, err.fix)

    def on_training_controls_preset_chosen(self, event: TrainingControls.PresetChosen) -> None:
        self.action_preset(event.name)

    def action_preset(self, name: str) -> None:
        if self._busy():
            self._load_controls()
            return
        try:
            self.workbench.preset(name)
        except ValueError as err:
            self.notify(str(err), severity="warning")
            return
        self.graph_mode = "expression" if self.graph_mode == "training" else self.graph_mode
        self.refresh_all()
        self.query_one(TrainingControls).show_message(f"preset {name}: {PRESETS[name]['title']}.")

    def action_apply_form_fix(self) -> None:
        self.query_one(TrainingControls).action_apply_fix()

    def _load_controls(self, keep_pending: bool = False) -> None:
        config = self.workbench.config.to_dict()
        preset = next((name for name in PRESETS if preset_config(name) == config), None)
        self.query_one(TrainingControls).load(config, self.train_steps, preset, keep_pending=keep_pending)

    # ---- the graph pane -----------------------------------------------------------------------------------

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        self._select_graph_node(self.query_one(GraphTree).selected_value())

    def on_graph_picture_chosen(self, event: GraphPicture.Chosen) -> None:
        self._select_graph_node(event.value)

    def _select_graph_node(self, value) -> None:
        """Enter on a node, in the tree or the picture: recorded (expression graph) and gradient-checked."""
        pane = self.query_one(GraphPane)
        if self.graph_mode == "expression" and value is not None:
            self.workbench.select(pane.names[value])
        pane.inspect(force_check=True)

    # ---- training ---------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="training", name="training")
    def _train(self, run: TrainingRun, steps: int | None) -> None:
        worker = get_current_worker()
        pacer, heartbeat = self._pacer, self._heartbeat
        started = perf_counter()
        posted = 0
        try:

            def cancelled() -> bool:
                heartbeat.give_way()  # asked often inside a long step too: the UI never waits for a whole step
                return worker.is_cancelled

            last_step = math.inf  # the first step asks: it may be long
            while not worker.is_cancelled and (steps is None or run.steps < steps):
                heartbeat.give_way()
                # A long step asks too (between groups, samples, chunks); a short one is not worth asking inside:
                # the demo's 0.2 ms step asked 16 times, 4% of its time.
                begun = perf_counter()
                result = run.step(cancelled if last_step > ASK_INSIDE_STEPS_OVER else None)
                last_step = perf_counter() - begun
                if result is None:
                    break
                if not result.finite:
                    rate = run.steps / max(perf_counter() - started, 1e-9)
                    self.post_message(TrainingProgress(run, run.results[posted:], rate, diverged_at=result.step))
                    posted = run.steps
                    break
                if pacer.due():
                    live = run.parameters() if self.graph_mode in ("sample", "neuron") else None
                    snapshot = run.snapshot() if self.network_live else None
                    rate = run.steps / (perf_counter() - started)
                    self.post_message(
                        TrainingProgress(run, run.results[posted:], rate, parameters=live, network=snapshot)
                    )
                    posted = run.steps
                    pacer.posted()
            if run.steps > posted:
                rate = run.steps / max(perf_counter() - started, 1e-9)
                self.post_message(TrainingProgress(run, run.results[posted:], rate))
        finally:
            self._collections.training_ended()
            self.post_message(TrainingFinished(run))

    def on_training_progress(self, message: TrainingProgress) -> None:
        if message.run is not self._run:
            return  # late news from a run already finished
        pacer, cpu = self._pacer, thread_time()

        def painted() -> None:  # the UI thread's time for this message, drawing included: the pacer's cost
            pacer.cost = thread_time() - cpu

        self.call_after_refresh(painted)
        self._steps_per_second = message.steps_per_second
        with self.batch_update():
            live = message.parameters
            if live is not None and self.graph_mode == "sample":
                root, why = self._model_graph(lambda: self.workbench.sample_graph(parameters=live), live)
                self.query_one(GraphPane).show(root, self._sample_title(), keep_changes=True, empty=why)
            if live is not None and self.graph_mode == "neuron":
                root, why = self._model_graph(lambda: self.neuron_graph_root(live), live)
                self.query_one(GraphPane).show(root, self.neuron_graph_title(), keep_changes=True, empty=why)
            if message.network is not None:
                self.refresh_network(message.network)
            chart = self.query_one(LossChart)
            if len(message.run.changes) != chart.run_marks:  # a live change took effect: mark its step
                chart.set_marks(self.workbench.marks + self._run_marks(message.run), run_marks=len(message.run.changes))
            chart.extend(message.results)
            last = message.results[-1] if message.results else None
            if last is not None:
                # In the next frame, not this one: Textual redraws the box around everything changed in a frame,
                # and the chart with the full-width status line spans the training form too (~2x the chart's cost).
                self.call_after_refresh(self._show_progress, message.run, last)
        if message.diverged_at is not None:
            self.notify(
                f"The loss became non-finite at step {message.diverged_at}; training paused. "
                f"Try a smaller learning rate.",
                severity="error",
                timeout=10,
            )

    def _show_progress(self, run: TrainingRun, last: dict) -> None:
        if run is self._run:  # not once the run has ended (its end shows the final state)
            self.query_one(StatusLine).show(
                step=last["step"],
                loss=last["loss"],
                accuracy=last["accuracy"],
                steps_per_second=self._steps_per_second,
                engine=self.workbench.config.training["engine"],
                state="training…",
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors land: a notification, and the app keeps running."""
        if event.state == WorkerState.ERROR:
            name = (event.worker.name or "a background task").capitalize()
            self.notify(
                f"{name} stopped: {event.worker.error}.",
                severity="error",
                timeout=10,
            )

    def on_training_finished(self, message: TrainingFinished) -> None:
        if message.run is not self._run:
            return
        self._run = None
        self._refresh_training_bindings()
        self.workbench.finish_training(message.run)
        # the record, whatever messages said (rebuilt only if they missed something: 10k steps take ~50 ms)
        chart, history = self.query_one(LossChart), self.workbench.history
        if chart.steps == [r["step"] for r in history]:
            chart.set_marks(self.workbench.marks)
        else:
            chart.set_history(history, self.workbench.marks)
        self._after_training()

    @staticmethod
    def _run_marks(run: TrainingRun) -> list[dict]:
        """Marks of the live changes a running run applied so far (the workbench logs them when it ends)."""
        results = run.results
        return [
            {
                "step": results[at]["step"] if at < len(results) else (results[-1]["step"] + 1 if results else 0),
                "text": describe_changes(changes),
            }
            for at, changes in list(run.changes)
        ]

    def _after_data_changed(self) -> None:
        """A point added or removed: the same model trains on, the chart keeps its history and marks the step."""
        self.query_one(LossChart).set_history(self.workbench.history, self.workbench.marks)
        self._after_training()
        self._edit_titles()

    def _after_training(self) -> None:
        self.query_one(GraphPane).freeze(False)
        if self.graph_mode in ("training", "sample", "neuron"):
            self.show_graph(keep_changes=True)
        self._refresh_boundary()
        self.refresh_network()
        self._update_status()
