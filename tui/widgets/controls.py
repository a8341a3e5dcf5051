"""Training controls: data, model and training settings, each checked as it is typed.

A field is parsed on every keystroke and flagged in place when it cannot be read; it is applied (posted as a
`ControlsChanged` message the app passes to `Workbench.configure`) on Enter, on leaving the field, or at once
for the drop-downs. Nothing here touches the workbench: the app owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from micrograd import datasets, losses, nn, optim
from tui.config import ENGINES


def _int_text(text: str) -> int:
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a whole number") from None


def _float_text(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def parse_layers(text: str) -> list[int]:
    """"16,16,1" -> [16, 16, 1]."""
    parts = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    if not parts:
        raise ValueError("give the layer sizes, like 16,16,1")
    return [_int_text(part) for part in parts]


def format_layers(layers: list[int]) -> str:
    return ",".join(str(n) for n in layers)


def parse_batch(text: str) -> int | None:
    """"all" (or empty) means full batch."""
    return None if text.strip().lower() in ("", "all", "full") else _int_text(text)


def format_batch(batch: int | None) -> str:
    return "all" if batch is None else str(batch)


def parse_lr(text: str) -> dict:
    """"0.05" | "constant 0.05" | "linear 1.0 0.1 100" | "cosine 0.1 0.001 200" | "step_decay 0.1 0.5 100"."""
    words = text.split()
    if not words:
        raise ValueError("give a rate like 0.05, or a schedule like linear 1.0 0.1 100")
    if len(words) == 1:
        return {"schedule": "constant", "lr": _float_text(words[0])}
    kind, numbers = words[0], words[1:]
    if kind not in optim.SCHEDULES:
        raise ValueError(f"unknown schedule {kind!r}: choose {', '.join(optim.SCHEDULES)}")
    fields = optim.SCHEDULES[kind].fields
    if len(numbers) > len(fields):
        raise ValueError(f"{kind} takes {len(fields)} numbers: {' '.join(fields)}")
    config = {"schedule": kind}
    for name, word in zip(fields, numbers):
        config[name] = _int_text(word) if name in ("steps", "every") else _float_text(word)
    optim.schedule_from_config(config)  # the library's own check, with its sentence
    return config


def format_lr(config: dict) -> str:
    kind = config.get("schedule")
    fields = optim.SCHEDULES[kind].fields if kind in optim.SCHEDULES else ()
    return " ".join([kind] + [str(config[name]) for name in fields if name in config])


def parse_steps(text: str) -> int | None:
    """How many steps Train runs: a number, or "∞"/"0"/empty for until paused."""
    if text.strip().lower() in ("", "0", "inf", "∞", "forever"):
        return None
    steps = _int_text(text)
    if steps < 0:
        raise ValueError("steps cannot be negative")
    return steps


@dataclass(frozen=True)
class Field:
    key: str  # widget id suffix
    label: str
    section: str  # config section, or "" for an app setting
    name: str  # setting name
    parse: Callable[[str], object] | None = None  # Input fields
    format: Callable[[object], str] = str
    choices: tuple[str, ...] = ()  # Select fields


# Grid order, two fields a row: drop-downs on the left (wider column), short numbers on the right.
FIELDS = (
    Field("dataset", "data", "data", "name", choices=tuple(datasets.DATASETS)),
    Field("samples", "n", "data", "samples", _int_text),
    Field("noise", "noise", "data", "noise", _float_text),
    Field("seed", "seed", "data", "seed", _int_text),
    Field("activation", "act", "model", "activation", choices=nn.ACTIVATIONS),
    Field("layers", "layers", "model", "layers", parse_layers, format_layers),
    Field("loss", "loss", "training", "loss", choices=tuple(losses.LOSSES)),
    Field("optimizer", "optim", "training", "optimizer", choices=tuple(optim.OPTIMIZERS)),
    Field("batch", "batch", "training", "batch_size", parse_batch, format_batch),
    Field("lr", "lr", "training", "lr", parse_lr, format_lr),
    Field("engine", "engine", "training", "engine", choices=ENGINES),
    Field("steps", "steps", "", "steps", parse_steps, lambda n: "∞" if n is None else str(n)),
)
WIDE = ("loss", "lr")  # fields that span the row: their values are long


class TrainingControls(VerticalScroll):
    """The settings form; `load(config_dict, steps)` fills it, `ControlsChanged` reports an edit."""

    class ControlsChanged(Message):
        def __init__(self, changes: dict) -> None:
            super().__init__()
            self.changes = changes  # {"training": {"lr": {...}}}, or {"": {"steps": N}} for the app's own

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._applied: dict[str, str] = {}  # key -> the text last applied, so leaving a field re-applies nothing
        self._loading = False

    def compose(self) -> ComposeResult:
        with Grid(id="controls-grid"):
            for f in FIELDS:
                yield Label(f.label, classes="control-label")
                if f.choices:
                    widget = Select([(c, c) for c in f.choices], allow_blank=False, compact=True,
                                    id=f"control-{f.key}")
                else:
                    widget = Input(compact=True, id=f"control-{f.key}", select_on_focus=False)
                if f.key in WIDE:
                    widget.add_class("wide")
                yield widget
        yield Static("", id="controls-message", markup=False)

    def load(self, config: dict, steps: int | None) -> None:
        """Show a config (after start, reset, configure or a session load)."""
        self._loading = True
        try:
            for f in FIELDS:
                value = steps if f.section == "" else config[f.section][f.name]
                widget = self.query_one(f"#control-{f.key}")
                if f.choices:
                    widget.value = value
                    self._applied[f.key] = str(value)
                else:
                    text = f.format(value)
                    widget.value = text
                    widget.remove_class("-invalid")
                    self._applied[f.key] = text
        finally:
            self._loading = False
        self.show_message("")

    def show_message(self, message: str, error: bool = False) -> None:
        self.query_one("#controls-message", Static).update(message)
        self.set_class(error, "-error")

    def flag(self, key: str, message: str) -> None:
        """Mark a field invalid in place with the reason (used for errors the workbench finds too)."""
        self.query_one(f"#control-{key}").add_class("-invalid")
        self.show_message(message, error=True)

    # ---- events -----------------------------------------------------------------------------------------

    def _field(self, widget_id: str | None) -> Field | None:
        for f in FIELDS:
            if widget_id == f"control-{f.key}":
                return f
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        f = self._field(event.input.id)
        if f is None or self._loading:
            return
        if self._applied.get(f.key) == event.value:  # load() itself, or typed back to the applied value
            event.input.remove_class("-invalid")
            return
        try:
            f.parse(event.value)
        except ValueError as err:
            self.flag(f.key, f"{f.label}: {err}")
        else:
            event.input.remove_class("-invalid")
            self.show_message("Enter applies the change.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._apply_input(event.input)

    def on_descendant_blur(self, event) -> None:
        if isinstance(event.widget, Input):
            self._apply_input(event.widget)

    def on_select_changed(self, event: Select.Changed) -> None:
        f = self._field(event.select.id)
        # Before the first load() a Select reports its initial value: that is not the user's change.
        if f is None or self._loading or f.key not in self._applied or self._applied[f.key] == str(event.value):
            return
        self._applied[f.key] = str(event.value)
        self.post_message(self.ControlsChanged({f.section: {f.name: event.value}}))

    def _apply_input(self, widget: Input) -> None:
        f = self._field(widget.id)
        if f is None or self._loading or self._applied.get(f.key) == widget.value:
            return
        try:
            value = f.parse(widget.value)
        except ValueError as err:
            self.flag(f.key, f"{f.label}: {err}")
            return
        self._applied[f.key] = widget.value
        self.post_message(self.ControlsChanged({f.section: {f.name: value}}))

    def rejected(self, key: str, message: str) -> None:
        """The workbench refused the value: flag it, keep the text, and let Enter try again."""
        self._applied.pop(key, None)
        self.flag(key, message)

    def field_for(self, section: str, name: str) -> str | None:
        """The control key showing config field section.name (to flag a workbench error in place)."""
        for f in FIELDS:
            if f.section == section and f.name == name:
                return f.key
        return None
