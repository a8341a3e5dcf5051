"""The learner's own data in the app: edit mode in the decision-boundary view, the loss chart's log scale,
and CSV import (from the open dialog) -- the app actions; the data actions themselves are the workbench's
(tui/data_edits.py).

Edit mode (e, with the chart pane focused, or the palette): a click adds a point of the selected class, a
right click (or ctrl+click) removes the nearest point; for keyboard users the arrows move a cursor, a or Enter
adds there, x or Delete removes the point nearest to it, and 0-4 select the class (for a regression set the
target: 0 → -1, 1 → 0, 2 → +1).
"""

from __future__ import annotations

REGRESSION_TARGETS = (-1.0, 0.0, 1.0)


class DataEditCommands:
    """Mix into the App class (before `App`). The host has `workbench`, `_busy()`, `_refresh_boundary()`,
    `_after_data_changed()`."""

    editing_data = False
    edit_choice = 1  # the class (or the index into REGRESSION_TARGETS) a new point gets

    # ---- edit mode --------------------------------------------------------------------------------------

    def action_toggle_data_edit(self) -> None:
        from tui.widgets.boundary import DecisionBoundary
        from tui.widgets.chart_pane import ChartPane

        pane, view = self.query_one(ChartPane), self.query_one(DecisionBoundary)
        self.editing_data = not self.editing_data
        if self.editing_data and not pane.showing_boundary:
            self.action_toggle_boundary()
        view.editing = self.editing_data
        if self.editing_data:
            pane.focus()
            view.move_cursor(0, 0)
            self.notify(
                f"Edit data: click adds {self._edit_label()}, right-click removes the nearest point; "
                f"arrows + a / x from the keyboard, 0-4 pick the class, e leaves.",
                timeout=8,
            )
        else:
            view.cursor = None
            view.refresh()
        self._edit_titles()

    def _edit_titles(self) -> None:
        from tui.widgets.chart_pane import ChartPane

        pane = self.query_one(ChartPane)
        if self.editing_data and pane.showing_boundary:
            pane.border_title = f"Edit data · adding {self._edit_label()}"
            pane.border_subtitle = "click adds · right-click removes · arrows a x · 0-4 · e done"
        else:
            pane._titles()

    def _edit_label(self) -> str:
        if self.workbench.data.regression:
            return f"target {REGRESSION_TARGETS[min(self.edit_choice, 2)]:+g}"
        return f"class {self.edit_choice}"

    def action_edit_choice(self, choice: int) -> None:
        if not self.editing_data:
            return
        limit = 3 if self.workbench.data.regression else self.workbench.trainer.num_classes
        if choice >= limit:
            self.notify(
                f"This data has {limit} {'targets to pick' if limit == 3 else 'classes'}: 0 to {limit - 1}.",
                severity="warning",
            )
            return
        self.edit_choice = choice
        self._edit_titles()

    def action_edit_cursor(self, dx: int, dy: int) -> None:
        from tui.widgets.boundary import DecisionBoundary

        if self.editing_data:
            self.query_one(DecisionBoundary).move_cursor(dx, dy)

    def action_edit_add(self) -> None:
        from tui.widgets.boundary import DecisionBoundary

        if self.editing_data:
            self._add_point(self.query_one(DecisionBoundary).cursor_position())

    def action_edit_remove(self) -> None:
        from tui.widgets.boundary import DecisionBoundary

        if self.editing_data:
            self._remove_near(self.query_one(DecisionBoundary).cursor_position())

    def on_decision_boundary_edit_clicked(self, event) -> None:
        if event.remove:
            self._remove_near(event.position)
        else:
            self._add_point(event.position)

    def _add_point(self, position) -> None:
        if self._busy():
            return
        data = self.workbench.data
        label = REGRESSION_TARGETS[min(self.edit_choice, 2)] if data.regression else self.edit_choice
        if not data.regression and self.edit_choice >= self.workbench.trainer.num_classes:
            self.edit_choice = 0
            label = 0
        self._data_action(lambda: self.workbench.add_point([float(v) for v in position], label))

    def _remove_near(self, position) -> None:
        if self._busy():
            return
        self._data_action(lambda: self.workbench.remove_point(self.workbench.data.nearest(position)))

    def _data_action(self, action) -> None:
        try:
            action()
        except ValueError as err:
            self.notify(str(err), severity="warning", markup=False)
            return
        self._after_data_changed()

    # ---- the loss chart's scale -----------------------------------------------------------------------------

    def action_toggle_log(self) -> None:
        from tui.widgets.loss_chart import LossChart

        log = self.query_one(LossChart).toggle_log()
        self.notify("Loss on a log scale." if log else "Loss on a linear scale.", timeout=3)

    # ---- CSV -----------------------------------------------------------------------------------------------

    def import_rows(self, name: str, points: list, labels: list) -> bool:
        """Train on a file's rows from now on (the open dialog read them through micrograd's load_csv); False,
        with one sentence, when the model cannot take them (e.g. three classes for a two-class loss)."""
        if self._busy():
            return False
        try:
            self.workbench.import_data(name, points, labels)
        except ValueError as err:
            self.notify(f"{name} cannot be used: {err}", severity="error", timeout=10, markup=False)
            return False
        self.editing_data = False
        self.refresh_all()
        self.notify(
            f"{len(points):,} points from {name}; a new model from its seed.", title="Data imported", markup=False
        )
        return True
