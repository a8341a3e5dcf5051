"""Hostile session files through `micrograd-tui check FILE` (every one) and `micrograd-tui FILE` (every one that
must be refused before the app starts): the exit code (0 OK, 1 mismatch, 2 invalid, 3 too large), one escaped
sentence, no traceback, the file unchanged and nothing written."""

from __future__ import annotations

import pytest

from tests.hostile.harness import Case, judge, run_all
from tests.hostile.sessions import SESSIONS

CHECK = [
    Case(f"check: {name}", ["-m", "tui", "check", "s.json"], code, says, {"s.json": data})
    for name, data, code, says in SESSIONS
]
OPEN = [
    Case(
        f"open: {name}",
        ["-m", "tui", "s.json"],
        2,
        r"^micrograd-tui: .*" + (says if not says.startswith("TOO") else "would take about"),
        {"s.json": data},
    )
    for index, (name, data, code, says) in enumerate(SESSIONS)
    if (code in (2, 3) and index % 4 == 0) or code == 3  # a quarter of them: the same loader as `check`
]
CASES = CHECK + OPEN


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_all(CASES, tmp_path_factory.mktemp("hostile-sessions"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_session_file(case, outcomes):
    judge(case, outcomes[case.id])
