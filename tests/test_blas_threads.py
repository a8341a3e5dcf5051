"""micrograd limits BLAS to one thread inside its own loops and gives the setting back afterwards."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from micrograd.blas_threads import blas_threads, one_blas_thread
from micrograd.datasets import moons
from micrograd.nn import MLP
from micrograd.train import Trainer

pytest.importorskip("threadpoolctl")
threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture
def two_blas_threads():
    """The BLAS libraries set to two threads for the test (the machine may have set anything)."""
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        if not blas_threads() or 2 not in blas_threads():
            pytest.skip("no BLAS library whose threads can be set")
        yield


def test_one_thread_inside_and_the_setting_back_after(two_blas_threads):
    before = blas_threads()
    with one_blas_thread():
        assert set(blas_threads()) == {1}
        with one_blas_thread():  # nested: still one, and the inner exit gives nothing back yet
            assert set(blas_threads()) == {1}
        assert set(blas_threads()) == {1}
    assert blas_threads() == before


def test_the_setting_comes_back_after_an_error(two_blas_threads):
    before = blas_threads()
    with pytest.raises(RuntimeError), one_blas_thread():
        raise RuntimeError("boom")
    assert blas_threads() == before


def test_a_thread_leaving_does_not_lift_the_limit_while_another_is_inside(two_blas_threads):
    before = blas_threads()
    inside, leave = threading.Event(), threading.Event()

    def other():
        with one_blas_thread():
            inside.set()
            leave.wait(5)

    worker = threading.Thread(target=other)
    worker.start()
    inside.wait(5)
    with one_blas_thread():
        pass  # this thread's entry and exit, while the worker is still inside
    assert set(blas_threads()) == {1}
    leave.set()
    worker.join()
    assert blas_threads() == before


def test_trainer_steps_on_one_thread(two_blas_threads):
    X, y = moons(50, 0.1, seed=1)
    seen = []
    trainer = Trainer(MLP(2, [8, 1]), X, y)
    trainer.run(2, on_step=lambda result: seen.append(blas_threads()))
    assert all(set(threads) == {1} for threads in seen)
    assert blas_threads() != [1] * len(blas_threads())  # given back after the run
    assert np.isfinite(trainer.step().loss)


def test_a_worker_thread_gets_one_thread_after_the_main_thread_used_the_limit(two_blas_threads):
    # threadpoolctl lets one thread at a time control OpenBLAS; the app trains in a worker thread, after the UI
    # thread may have run a compiled program itself.
    with one_blas_thread():
        pass
    seen = []

    def worker():
        with one_blas_thread():
            seen.append(blas_threads())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen and set(seen[0]) == {1}
    with one_blas_thread():  # and the main thread again, after the worker
        assert set(blas_threads()) == {1}
