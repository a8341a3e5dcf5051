"""One BLAS thread around the library's own hot loops, whatever the environment says.

The compiled engine multiplies small matrices (a layer's weights by a batch), thousands of times a run.
OpenBLAS splits even these across its threads, and a thread that finds its core busy spins: a 100-step run
of 2-64-64-1 on 10k points took 1.2 s idle, 2.2 s beside one CPU-bound process and 9-17 s beside a few, and
1.4 s and 2.1 s with one thread (issue 15). One thread is as fast at these sizes, and steady on a busy
machine. So `one_blas_thread()` limits BLAS to one thread while the Trainer steps or a compiled program
runs, and gives the user's setting back afterwards: a library user gets the fast path without setting
OPENBLAS_NUM_THREADS, and their own NumPy work outside our loops keeps all its threads.

threadpoolctl (the scikit-learn project's tool) finds the BLAS libraries loaded in the process and calls
their own set-num-threads functions. Finding them takes a while (it reads the loaded libraries), so it is done
once, on first use; entering afterwards costs two C calls per library, and a nested or concurrent entry only a
counter (the limit is process-wide, so it is set by the first entry and given back by the last exit, from
whichever threads those are: the app trains in a worker thread).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_libraries: list[Any] | None = None  # threadpoolctl's controllers of the loaded BLAS libraries, found once
_depth = 0  # entries currently open, over all threads
_saved: list[tuple[Any, int]] = []  # (library, its thread count before the first entry)


def _blas_libraries() -> list[Any]:
    global _libraries
    if _libraries is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # a declared dependency; without it BLAS keeps its own setting
            _libraries = []
        else:
            _libraries = list(ThreadpoolController().select(user_api="blas").lib_controllers)
    return _libraries


def _set(library: Any, threads: int) -> None:
    """Set a library's thread count from this thread.

    threadpoolctl (3.8) lets only one thread, the first to set OpenBLAS's count, set it until that thread
    clears its claim; any other thread's call does nothing. Our entries and exits are serialised by `_lock`
    and may come from different threads (a worker, the UI thread), so each set claims and releases control.
    """
    release = getattr(type(library), "clear_controlling_thread", None)
    if release is not None:
        release(force=True)
    library.set_num_threads(threads)
    if release is not None:
        release()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the body with every loaded BLAS library limited to one thread; restore their counts after."""
    global _depth
    with _lock:
        if _depth == 0:
            _saved[:] = []
            for library in _blas_libraries():
                threads = library.get_num_threads()
                if threads is not None and threads != 1:
                    _saved.append((library, threads))
                    _set(library, 1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for library, threads in _saved:
                    _set(library, threads)
                _saved[:] = []


def blas_threads() -> list[int]:
    """The thread count of each loaded BLAS library now (for benchmarks and tests)."""
    return [library.get_num_threads() for library in _blas_libraries()]
