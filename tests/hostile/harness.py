"""The hostile-input suite's harness: every case runs in its own subprocess, in its own empty folder, with a time
limit (a subprocess timeout) and a memory limit (RLIMIT_AS), and is judged the same way: the exit code expected,
a clean sentence (no traceback, no raw control character that a terminal would act on), the sentence expected,
and no side effect: the files the case started with are unchanged byte for byte, and only the files it was
meant to write are new. A module's cases run two at a time (the machine has 2 cores) in a module-scoped
fixture; each case is still its own test, so one crash never hides another.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 2 * 2**30  # bytes of address space a case may use
TIME_LIMIT = 30.0  # seconds; every case takes well under 3 s, so this only catches a hang
FIFO, FOLDER = object(), object()  # special entries a case's folder can start with
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")  # what a terminal would act on (\n and \t pass)


@dataclass
class Case:
    id: str
    argv: list[str]  # after `python`: ["-m", "tui", "check", "a.json"] or ["-m", "tests.hostile.drive", ...]
    code: int  # the exit code expected
    says: str  # a regular expression the output must match
    files: dict[str, object] = field(default_factory=dict)  # name -> bytes / str / FIFO / FOLDER
    new: tuple[str, ...] = ()  # files the case is meant to create
    timeout: float = TIME_LIMIT


@dataclass
class Outcome:
    code: int | None  # None: killed at the time limit
    out: str
    before: dict[str, bytes | str]
    after: dict[str, bytes | str]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    found: dict[str, bytes | str] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_symlink():
            found[entry.name] = "link -> " + os.readlink(entry.path)
        elif entry.is_file(follow_symlinks=False):
            found[entry.name] = Path(entry.path).read_bytes()
        else:
            found[entry.name] = "fifo" if not entry.is_dir() else "folder"
    return found


def _make(folder: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        path = folder / name
        if content is FIFO:
            os.mkfifo(path)
        elif content is FOLDER:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content), encoding="utf-8", errors="surrogatepass")


def run(case: Case, base: Path) -> Outcome:
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=base))
    _make(folder, case.files)
    argv = list(case.argv)
    for i, arg in enumerate(argv):  # the kernel limits one argument to 128 KB: a long one goes by file
        if len(arg) > 4096:
            (folder / f"arg{i}.txt").write_text(arg, encoding="utf-8", errors="surrogatepass")
            argv[i] = f"@arg{i}.txt"
    before = _snapshot(folder)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "HOME": str(folder),  # nothing of the user's is read or written
        "MICROGRAD_TUI_CONFIG": str(base / "no-such-folder" / "settings.json"),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONIOENCODING": "utf-8",
        "LANG": "C.UTF-8",
    }
    try:
        done = subprocess.run(
            [sys.executable, *argv],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=case.timeout,
            preexec_fn=_limit_memory,
        )
        code, raw = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as err:
        code, raw = None, (err.stdout or b"") + (err.stderr or b"")
    return Outcome(code, raw.decode("utf-8", "backslashreplace"), before, _snapshot(folder))


def run_all(cases: list[Case], base: Path) -> dict[str, Outcome]:
    def guarded(case: Case) -> Outcome:
        try:
            return run(case, base)
        except Exception as err:
            return Outcome(-1, f"the harness could not run this case: {err!r}", {}, {})

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip((case.id for case in cases), pool.map(guarded, cases)))


def judge(case: Case, outcome: Outcome) -> None:
    out = outcome.out
    assert outcome.code is not None, f"still running after {case.timeout} s (a hang): {out[-500:]}"
    assert "Traceback" not in out, out[-3000:]
    assert outcome.code == case.code, f"exit {outcome.code}, expected {case.code}: {out[-1500:]}"
    assert not TERMINAL_CONTROLS.search(out), f"raw control characters reach the terminal: {out[:500]!r}"
    assert re.search(case.says, out), f"expected /{case.says}/ in: {out[:1500]}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 4 and all(len(line) <= 800 for line in lines), f"not a clean sentence: {out[:2000]}"
    new = {name: content for name, content in outcome.after.items() if name not in outcome.before}
    assert set(new) == set(case.new), f"files made: {sorted(new)}, expected {sorted(case.new)}"
    for name, content in outcome.before.items():
        assert outcome.after.get(name) == content, f"{name} was changed or removed"
