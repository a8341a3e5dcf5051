"""The shipped samples replay on any CPU, not only on the one that recorded them.

NumPy's wheels use OpenBLAS, which picks a matrix kernel for the CPU it runs on (Sandybridge, Haswell,
SkylakeX, ...). Each kernel sums in its own order, so a matrix product can differ in the last bit from one
machine to the next. A training run that amplifies such a bit (a hinge loss flipping a kink, AdamW dividing by
a tiny second moment) ends somewhere else after a few hundred steps: the spiral sample, recorded on an AVX2
machine, replayed 2% apart on an AVX-512 one, and `check` called the shipped sample a MISMATCH. Here each
sample is checked under every kernel this CPU can run (OPENBLAS_CORETYPE picks one), so a sample whose record
depends on the kernel fails on any machine, not only on a user's.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tui import samples

ROOT = Path(__file__).resolve().parents[1]


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def _kernels() -> list[str]:
    """The OpenBLAS x86-64 kernels this CPU can run, oldest first (each needs the instructions named)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    flags = _cpu_flags()
    wanted = [("Prescott", "sse3"), ("Sandybridge", "avx"), ("Haswell", "avx2"), ("SkylakeX", "avx512f")]
    return [name for name, flag in wanted if flag in flags or (flag == "sse3" and "pni" in flags)]


KERNELS = _kernels()


@pytest.mark.skipif(not KERNELS, reason="OpenBLAS kernels are chosen by name only on x86-64 Linux")
@pytest.mark.parametrize("kernel", KERNELS)
def test_every_sample_replays_under_each_blas_kernel(kernel):
    env = {**os.environ, "OPENBLAS_CORETYPE": kernel, "PYTHONPATH": str(ROOT)}
    paths = [str(p) for p in sorted(samples.folder().glob("*.json"))]
    done = subprocess.run(
        [sys.executable, "-m", "tui", "check", *paths], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"under OpenBLAS's {kernel} kernel:\n{done.stdout}{done.stderr}"
    assert done.stdout.count("\nOK  ") + done.stdout.startswith("OK  ") == len(paths), done.stdout
