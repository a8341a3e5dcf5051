"""The training form's submissions against the workbench: what applies, what stays refused. No Textual here.

The form sends every pending value together. When the whole set is refused but the field just edited is fine
on its own (data `yinyang` refused, then loss `mse` picked), that field applies by itself and the refused
values stay pending with their sentence: the next valid change to any field applies, and nothing the form
shows is silently out of effect.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.config import SettingError
from tui.settings import describe_changes


@dataclass
class Outcome:
    applied: dict | None = None  # the changes now in effect (None: nothing applied)
    rebuilt: bool = False  # a new model was built from its seed
    refusal: SettingError | None = None  # what is still refused (the pending values that stay)

    @property
    def words(self) -> str:
        return describe_changes(self.applied) if self.applied else ""


def submit(workbench, changes: dict, alone: dict | None = None) -> Outcome:
    """Apply `changes` (all pending values) or, if refused, `alone` (the field just edited) by itself."""
    outcome = Outcome()
    for attempt in (changes, alone):
        if not attempt:
            continue
        rebuilds = workbench.rebuilds(attempt)
        try:
            workbench.configure(attempt)
        except SettingError as err:
            outcome.refusal = outcome.refusal or err
            continue
        except (ValueError, TypeError, ArithmeticError) as err:  # nothing the form sends ends in a traceback
            outcome.refusal = outcome.refusal or SettingError(f"that setting could not be applied: {err}")
            continue
        outcome.applied, outcome.rebuilt = attempt, rebuilds
        break
    if outcome.applied is alone and alone is not None:  # the rest stays pending: say why, as things are now
        rest = {
            section: {k: v for k, v in values.items() if k not in alone.get(section, {})}
            for section, values in changes.items()
        }
        rest = {section: values for section, values in rest.items() if values}
        outcome.refusal = None
        if rest:
            try:
                workbench.config.merged(rest)
            except SettingError as err:
                outcome.refusal = err
    elif outcome.applied is not None:
        outcome.refusal = None
    return outcome
