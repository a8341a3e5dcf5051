"""How the training worker shares the interpreter with the UI thread (issue 15) -- no Textual here.

A thread running Python holds the GIL; the UI thread gets it back only when the worker's switch interval
(5 ms) runs out, every time it wants it (after each wait for input, each write to the terminal). So a busy
worker made every key slow (F1 took 0.7-1.1 s while training) and the UI's own work -- a chart redraw is ~10-30
ms of pure Python -- was taken from training time. Two rules fix the causes:

- `Heartbeat`: the UI thread beats every `period`; while the beat is late, the UI is busy (or waiting for the
  GIL), and the worker sleeps between two groups of its work until the UI has caught up. A key, a click or a
  paste also `hold`s the worker for a moment: its answer takes the event loop many short turns, none of which
  makes the beat late. Keys are answered at idle speed; training loses only the time the UI really needs.
- `Pacer`: progress (chart, status line) is posted at most every `interval` seconds, and less often when
  handling one costs the UI more than `share` of the time between two, so the UI's share of the interpreter
  stays small whatever the chart's size or the machine's speed.
- `Collections`: the garbage collector's full passes over the app's objects froze everything for 0.1-0.2 s.
"""

from __future__ import annotations

import gc
import threading
from time import perf_counter, sleep


class Heartbeat:
    """The UI thread calls `beat()` every `period` seconds; the worker calls `give_way()` often."""

    def __init__(self, period: float = 0.01, late: float = 0.025, patience: float = 0.25, *, clock=perf_counter):
        self.period = period
        self.late = late  # a beat this overdue means the UI thread has work (or waits for the GIL)
        self.patience = patience  # the longest one give_way() waits: training never stalls for good
        self._clock = clock
        self.last = clock()
        self._beaten = threading.Event()  # set by each beat: the worker sleeps on it without the GIL
        self._held_until = 0.0  # `hold()`: until then, the worker gives way whatever the beat
        self.waited = 0.0  # seconds the worker gave way, in all (the benchmark reports it)

    def beat(self) -> None:
        self.last = self._clock()
        self._beaten.set()

    def hold(self, seconds: float) -> None:
        """UI thread, when input arrives: the worker gives way for the next `seconds`, beat or no beat. Answering
        a key takes the event loop many turns, each of which waited for the GIL up to a switch interval (5 ms)
        while the worker ran: the beat was never late, yet a key took 2-3 times as long as on an idle app.
        (A fixed time, not "until the answer is drawn": Textual has no such moment to hook -- the key is handled
        in several tasks, and a callback after the next refresh ran before the new screen was even pushed.)"""
        self._held_until = max(self._held_until, self._clock() + seconds)

    def give_way(self) -> None:
        """Worker thread: while the UI holds it, sleep out the hold; when the UI's beat is late, wait (without the
        GIL) for the next one. At most `patience` either way. Waiting on an event rather than polling: each poll
        would need the GIL back from the UI."""
        start = self._clock()
        held = self._held_until - start
        if held > 0:
            sleep(min(held, self.patience))
            self.waited += self._clock() - start
            return
        if start - self.last <= self.late:
            return
        self._beaten.clear()
        if start - self.last > self.late:  # no beat came in between: wait for the next
            self._beaten.wait(self.patience)
        self.waited += self._clock() - start


class Pacer:
    """When the worker may post the next progress message."""

    def __init__(self, interval: float = 0.1, share: float = 0.1, *, clock=perf_counter):
        self.interval = interval  # at most 1/interval chart redraws a second
        self.share = share  # the UI's handling of progress may take at most this fraction of the time
        self._clock = clock
        self.last = clock()
        self.cost = 0.0  # seconds the UI took for the latest progress message (set by the UI thread)

    def due(self) -> bool:
        return self._clock() - self.last >= max(self.interval, self.cost / self.share)

    def posted(self) -> None:
        self.last = self._clock()


class Collections:
    """The garbage collector's schedule for the app, one instance per app.

    Full collections walk every tracked object, and a running app has ~100k of them (widgets, styles, the
    workbench): each took 0.12-0.16 s with the GIL held, every second or so of activity -- a key press that
    met one waited for it. `settle()` (once the app is up) moves what exists then out of the collector's way
    for good (`gc.freeze`): at most that set can outlive its use, once. While training, young collections are
    made rarer: the reference engine allocates a graph a step that holds no cycles, and collecting it every 700
    allocations was a third of its step time (each pause stays <= ~20 ms at 10,000).
    """

    YOUNG_WHILE_TRAINING = 10_000  # allocations between two young collections while training (Python: 700)

    def __init__(self) -> None:
        self._threshold: tuple[int, ...] | None = None
        self._settled = False

    def settle(self) -> None:
        gc.collect()
        gc.freeze()
        self._settled = True

    def release(self) -> None:
        """When the app ends: its objects may be collected again (tests run many apps in one process)."""
        if self._settled:
            gc.unfreeze()
            self._settled = False
        self.training_ended()

    def training_started(self) -> None:
        if self._threshold is None:
            self._threshold = gc.get_threshold()
            gc.set_threshold(self.YOUNG_WHILE_TRAINING, *self._threshold[1:])

    def training_ended(self) -> None:
        """Any thread (the worker calls it last, so quitting mid-run restores it too)."""
        if self._threshold is not None:
            gc.set_threshold(*self._threshold)
            self._threshold = None
