"""Training controls: a form of pending settings over the ones in effect, built from tui/settings.py.

What the form shows is what is in effect, or visibly pending: a typed value is parsed on every keystroke and
flagged in place when it cannot be read; Enter, leaving the field, or picking from a drop-down submits every
pending value together (a `ControlsChanged` the app passes to `Workbench.configure`). A refused submission
stays pending, flagged on its field with its sentence, and the next valid change to any field applies all of
it; when the refusal comes with a fix (3-class data -> cross_entropy and 3 outputs), ctrl+y applies it.
Escape puts the fields back to what is in effect. Nothing here touches the workbench: the app owns it.
"""

from __future__ import annotations

import copy

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input, Label, Select, Static

from tui.presets import PRESETS
from tui.settings import BY_KEY, SETTINGS, Setting, describe_changes

WIDE = ("loss", "lr")  # fields that span the row: their values are long
FIX_KEY = "ctrl+y"
# Two label-value pairs a row need this much of the pane (border, padding, scrollbar, two labels of 6, gutters
# and values of 11 and 10: "reference ▼", "64,64,64,1"), what 2fr of 100 columns gives; a narrower form (80-99
# columns) shows one pair a row, its values 24 wide.
TWO_PAIRS_WIDTH = 40
ROOMY_WIDTH = 48  # from here the form can spare a column of padding on its right again


class FieldInput(Input):
    """A form field that shows when its value is cut: out of focus it shows the value from its start (an Input
    stays scrolled to where its cursor was: `,64,1` for 64,64,64,1), ending in "…" when wider than the field; in
    focus it scrolls with the cursor, and the form's message shows it whole."""

    @property
    def is_cut(self) -> bool:
        return cell_len(self.value) > self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        if y != 0 or self.has_focus or not self.value:
            return super().render_line(y)
        width = self.scrollable_content_region.width
        text = Text(self.value, no_wrap=True, end="")
        text.truncate(width, overflow="ellipsis")
        strip = Strip(self.app.console.render(text, self.app.console_options.update_width(width)))
        return strip.extend_cell_length(width + 1).apply_style(self.rich_style)  # as Input pads its line


class TrainingControls(VerticalScroll):
    """The settings form; `load(config_dict, steps)` shows what is in effect, `ControlsChanged` asks to apply."""

    BINDINGS = [
        Binding(
            FIX_KEY,
            "apply_fix",
            "Apply fix",
            id="apply-fix",
            show=False,  # the message names the key
            tooltip="Apply the change the message offers",
        ),
        Binding(
            "escape",
            "revert",
            "Revert",
            id="revert-form",
            show=False,
            tooltip="Put every pending field back to the value in effect",
        ),
    ]

    class ControlsChanged(Message):
        def __init__(self, changes: dict, alone: dict | None = None) -> None:
            super().__init__()
            self.changes = changes  # {"training": {"lr": {...}}, ...}, or {"": {"steps": N}} for the app's own
            self.alone = alone  # the field just edited by itself, to apply if the whole set is refused

    class PresetChosen(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._applied: dict[str, object] = {}  # key -> the value in effect
        self._pending: dict[str, object] = {}  # key -> a read value that differs from the one in effect
        self._unreadable: dict[str, str] = {}  # key -> why its text cannot be read
        self._fix: dict | None = None  # the changes the last refusal offered
        self._loading = False
        self._preset_shown: str | None = None
        # The value each drop-down was last given here: its Select.Changed arrives later and is not a pick.
        self._shown: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        with Grid(id="controls-grid"):
            yield Label("preset", classes="control-label")
            yield Select(
                [(f"{name}", name) for name in PRESETS],
                prompt="custom",
                allow_blank=True,
                compact=True,
                id="control-preset",
                classes="wide",
            )
            for s in SETTINGS:
                yield Label(s.label, classes="control-label")
                if s.choices:
                    widget = Select([(c, c) for c in s.choices], allow_blank=False, compact=True, id=f"control-{s.key}")
                else:
                    widget = FieldInput(compact=True, id=f"control-{s.key}", select_on_focus=False)
                if s.key in WIDE:
                    widget.add_class("wide")
                yield widget
        yield Static("", id="controls-message", markup=False)

    # ---- what the app calls -----------------------------------------------------------------------------

    def load(self, config: dict, steps: int | None, preset: str | None = None, keep_pending: bool = False) -> None:
        """Show the settings in effect (after start, reset, configure, a preset or a session load);
        `keep_pending` keeps the pending values that still differ (a field that applied alone)."""
        self._loading = True
        try:
            if not keep_pending:
                self._pending.clear()
                self._unreadable.clear()
            self._fix = None
            for s in SETTINGS:
                value = steps if s.section == "" else config[s.section][s.name]
                self._applied[s.key] = copy.deepcopy(value)
                if s.key in self._pending and self._pending[s.key] == value:
                    del self._pending[s.key]
                if s.key not in self._pending and s.key not in self._unreadable:
                    self._show(s, value)
            # Select.Changed arrives after this returns: remember what was shown, so it is not taken for a pick.
            self._preset_shown = preset if preset in PRESETS else None
            self.query_one("#control-preset", Select).value = preset if preset in PRESETS else Select.NULL
        finally:
            self._loading = False
        self._refresh_marks()
        self.show_message("")

    def show_message(self, message: str, error: bool = False) -> None:
        self.query_one("#controls-message", Static).update(message)
        self.set_class(error, "-error")
        # The sentence is docked over the form's last rows and may have grown over the focused field (scrolled
        # into sight before it was written): scroll it above the sentence once the sentence is laid out.
        self.call_after_refresh(self._focused_in_sight)

    def _focused_in_sight(self) -> None:
        focused = self.app.focused if self.is_attached else None
        if focused is not None and self in focused.ancestors:
            self.scroll_to_widget(focused, animate=False)

    def refused(self, message: str, key: str | None = None, fix: dict | None = None) -> None:
        """The workbench refused the pending changes: keep them, flag the field, offer the fix if any."""
        self._fix = fix
        if key is None or key not in BY_KEY:
            key = next(iter(self._pending), None)
        if key is not None:
            self.query_one(f"#control-{key}").add_class("-invalid")
        if fix:
            message += f". {FIX_KEY}: {describe_changes(fix)}"
        self.show_message(message, error=True)

    # backwards-compatible name for the app's older call
    def rejected(self, key: str | None, message: str) -> None:
        self.refused(message, key)

    def field_for(self, section: str, name: str) -> str | None:
        """The control key showing config field section.name (to flag a workbench error in place)."""
        return next((s.key for s in SETTINGS if s.section == section and s.name == name), None)

    @property
    def pending(self) -> dict:
        """The pending values as nested config changes (the app's own `steps` aside)."""
        changes: dict = {}
        for key, value in self._pending.items():
            s = BY_KEY[key]
            if s.section:
                changes.setdefault(s.section, {})[s.name] = copy.deepcopy(value)
        return changes

    def action_apply_fix(self) -> None:
        if not self._fix:
            self.show_message(
                "Nothing to fix: the form is in effect."
                if not self._pending
                else "No fix to offer: edit the flagged field, or Escape to undo."
            )
            return
        for section, values in self._fix.items():
            for name, value in values.items():
                s = next(s for s in SETTINGS if s.section == section and s.name == name)
                self._unreadable.pop(s.key, None)
                self._set_pending(s, value)
                self._show(s, value)
        self._fix = None
        self._submit()

    def action_revert(self) -> None:
        if not self._pending and not self._unreadable:
            return
        self._loading = True
        try:
            for s in SETTINGS:
                self._show(s, self._applied[s.key])
        finally:
            self._loading = False
        self._pending.clear()
        self._unreadable.clear()
        self._fix = None
        self._refresh_marks()
        self.show_message("Back to the settings in effect.")

    # ---- events -----------------------------------------------------------------------------------------

    def _setting(self, widget_id: str | None) -> Setting | None:
        return BY_KEY.get(widget_id[len("control-") :]) if widget_id and widget_id.startswith("control-") else None

    def on_descendant_focus(self, event) -> None:
        s = self._setting(getattr(event.widget, "id", None))
        if s is None or self._loading or self.has_class("-error") or self._pending:
            return
        effect = (
            "applies to the current model, also while training"
            if s.live
            else "changing it builds a new model from its seed (the chart restarts)"
        )
        whole = f"{s.label} = {self._cut_value(event.widget)}. " if self._cut_value(event.widget) else ""
        self.show_message(f"{whole}{s.label}: {s.help}; {effect}.")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(self.outer_size.width < TWO_PAIRS_WIDTH, "-one-pair")
        self.set_class(self.outer_size.width >= ROOMY_WIDTH, "-roomy")

    @staticmethod
    def _cut_value(widget) -> str | None:
        """The whole text of a field too narrow to show it, to say in the message when it has focus."""
        if isinstance(widget, FieldInput):
            return widget.value if widget.is_cut else None
        if isinstance(widget, Select) and widget.value is not Select.NULL:
            label = widget.query_one("SelectCurrent #label")
            return str(widget.value) if cell_len(str(widget.value)) > label.size.width else None
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        s = self._setting(event.input.id)
        if s is None or self._loading:
            return
        try:
            value = s.parse(event.value)
            s.check(value, s.label)  # this field alone; how it fits the others is Config's check, on submit
        except ValueError as err:
            self._unreadable[s.key] = str(err) if str(err).startswith(f"{s.label}:") else f"{s.label}: {err}"
            self._set_pending(s, None, drop=True)
            event.input.add_class("-invalid")
            self.show_message(self._unreadable[s.key], error=True)
            return
        self._unreadable.pop(s.key, None)
        event.input.remove_class("-invalid")
        self._set_pending(s, value)
        if s.key in self._pending:
            effect = "" if s.live else " (a new model, from its seed)"
            self.show_message(f"Enter applies {s.label} = {s.words(value)}{effect}; Escape undoes.")
        else:
            self.show_message("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        s = self._setting(event.input.id)
        if s is not None:
            self._submit(s.key)

    def on_descendant_blur(self, event) -> None:
        s = self._setting(getattr(event.widget, "id", None))
        if isinstance(event.widget, Input) and s is not None and s.key in self._pending:
            self._submit(s.key)

    def on_select_changed(self, event: Select.Changed) -> None:
        if self._loading:
            return
        if event.select.id == "control-preset":
            if event.value in PRESETS and event.value != self._preset_shown:
                self._preset_shown = str(event.value)
                self.post_message(self.PresetChosen(str(event.value)))
            return
        s = self._setting(event.select.id)
        # Before the first load() a Select reports its initial value: that is not the user's change.
        if s is None or s.key not in self._applied or self._shown.get(s.key, object()) == event.value:
            return
        self._shown[s.key] = event.value
        self._set_pending(s, event.value)
        self._submit(s.key)

    # ---- internals --------------------------------------------------------------------------------------

    def _show(self, s: Setting, value) -> None:
        widget = self.query_one(f"#control-{s.key}")
        if s.choices:
            self._shown[s.key] = value
            widget.value = value
        else:
            widget.value = s.format(value)
        widget.remove_class("-invalid")

    def _set_pending(self, s: Setting, value, drop: bool = False) -> None:
        if drop or value == self._applied.get(s.key):
            self._pending.pop(s.key, None)
        else:
            self._pending[s.key] = value
        self._refresh_marks()

    def _refresh_marks(self) -> None:
        for s in SETTINGS:
            self.query_one(f"#control-{s.key}").set_class(s.key in self._pending, "-pending")
            if s.key not in self._pending and s.key not in self._unreadable:
                self.query_one(f"#control-{s.key}").remove_class("-invalid")

    def _submit(self, edited: str | None = None) -> None:
        """Ask to apply every pending value (or say which field cannot be read yet)."""
        if self._unreadable:
            self.show_message(next(iter(self._unreadable.values())), error=True)
            return
        if "steps" in self._pending:  # the app's own setting: never refused by the workbench
            steps = self._pending.pop("steps")
            self._applied["steps"] = steps
            self.post_message(self.ControlsChanged({"": {"steps": steps}}))
            self._refresh_marks()
        changes = self.pending
        if changes:
            s = BY_KEY.get(edited or "")
            alone = None
            if s is not None and s.section and edited in self._pending and len(self._pending) > 1:
                alone = {s.section: {s.name: copy.deepcopy(self._pending[edited])}}
            self.post_message(self.ControlsChanged(changes, alone))
