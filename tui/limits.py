"""The one set of limits the workbench and the session format share — no Textual here.

Whatever the workbench accepts must be saveable, and whatever the save format accepts must be something the
workbench could have recorded: both sides read their bounds from here (tui/settings.py's validators and
tui/workbench.py on one side, tui/session_schema.py on the other), and tests/test_limits.py walks every action
kind at these limits and just past them, saving and loading each session.
"""

from __future__ import annotations

from micrograd import datasets, expression

# ---- text --------------------------------------------------------------------------------------------------
MAX_SOURCE = expression.MAX_SOURCE_BYTES  # characters of an expression (a longer one is refused, not recorded)
MAX_LABEL = 1_000  # characters of a selected node's label (a longer one is recorded by its #id)
MAX_ERROR = 10_000  # characters of a recorded evaluate error (longer ones are cut, ending in "…")
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_NAME = 255  # a data file's name, as imported (one path component)
MAX_CHOICE = 64  # a dataset, loss, optimizer, activation or engine name

# ---- data --------------------------------------------------------------------------------------------------
MAX_SAMPLES = 10_000
MAX_NOISE = 10.0
MAX_TEST_PERCENT = 90
MAX_SEED = 2**32 - 1  # NumPy's RandomState range
MAX_POINTS = datasets.MAX_CSV_ROWS  # an imported file's rows
MAX_COORDINATES = datasets.MAX_CSV_COLUMNS - 1  # numbers per point
MAX_CLASS = datasets.MAX_CLASS
MAX_TARGET = 1e6  # a hand-placed point's label or regression target, and a hand-set weight

# ---- model -------------------------------------------------------------------------------------------------
MAX_LAYERS = 8
MAX_LAYER_WIDTH = 512
MAX_INPUTS = 64
MAX_FEATURES = 16

# ---- training ----------------------------------------------------------------------------------------------
MAX_LR = 1e6  # any rate, start or end of a schedule: finite, and far above any that trains (10 diverges)
MAX_DECAY_FACTOR = 1e3  # step_decay's factor
MAX_SCHEDULE_STEPS = 10**9  # a schedule's `steps` and `every`
MAX_L2 = 10.0
MAX_BATCH = MAX_SAMPLES

# ---- a session ---------------------------------------------------------------------------------------------
MAX_TRAIN_STEPS = 100_000  # one train action's steps (a longer run is logged as several)
MAX_SESSION_STEPS = 100_000  # training steps in one session's log: ~35 MB of results, and minutes to replay
MAX_ACTIONS = 100_000
MAX_SESSION_BYTES = 64 * 2**20  # a session file
ROOM_BYTES = 24 * 2**20  # past this much log, new actions are refused: the largest one (a full train action,
# ~35 MB with its history) still fits under MAX_SESSION_BYTES


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and "…" (a recorded message the format can hold)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
