"""The status line: where training is (step, loss, accuracy, speed, engine) and what the app is doing."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    def show(
        self,
        *,
        step: int | None,
        loss: float | None,
        accuracy: float | None,
        steps_per_second: float | None,
        engine: str,
        state: str,
    ) -> None:
        parts = [f"step {step}" if step is not None else "step -"]
        parts.append(f"loss {loss:.5g}" if loss is not None else "loss -")
        if accuracy is None or accuracy == accuracy:  # NaN: a regression set has no accuracy
            parts.append(f"acc {accuracy:.1%}" if accuracy is not None else "acc -")
        if steps_per_second:
            parts.append(f"{steps_per_second:,.0f} steps/s")
        parts.append(engine)
        parts.append(state)
        # One row of fixed height: new words never need the whole screen laid out (and repainted) again.
        self.update(" · ".join(parts), layout=False)
