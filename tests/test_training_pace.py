"""The training worker's manners toward the UI thread (tui/training_pace.py): when progress is posted, and when
the worker gives way. Fake clocks, no wall-clock assertions."""

from __future__ import annotations

import threading

from tui.training_pace import Heartbeat, Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pacer_posts_at_most_once_per_interval():
    clock = Clock()
    pacer = Pacer(interval=0.1, share=0.1, clock=clock)
    clock.now = 0.05
    assert not pacer.due()
    clock.now = 0.1
    assert pacer.due()
    pacer.posted()
    clock.now = 0.19
    assert not pacer.due()
    clock.now = 0.2
    assert pacer.due()


def test_pacer_posts_less_often_when_the_ui_takes_long_to_draw_one():
    clock = Clock()
    pacer = Pacer(interval=0.1, share=0.1, clock=clock)
    pacer.cost = 0.03  # 30 ms to draw: at most every 0.3 s, so drawing takes <= 10% of the time
    clock.now = 0.29
    assert not pacer.due()
    clock.now = 0.3
    assert pacer.due()
    pacer.cost = 0.001  # cheap again: back to the interval
    pacer.posted()
    clock.now = 0.4
    assert pacer.due()


def test_give_way_returns_at_once_while_the_beat_is_on_time():
    clock = Clock()
    heart = Heartbeat(period=0.01, late=0.025, clock=clock)
    clock.now = 0.02
    heart.give_way()
    assert heart.waited == 0.0


def test_give_way_waits_no_longer_than_its_patience_when_no_beat_comes():
    clock = Clock()
    heart = Heartbeat(period=0.01, late=0.025, patience=0.01, clock=clock)
    clock.now = 1.0  # the UI has not beaten for a second
    heart.give_way()  # returns after its patience (Event.wait's own timeout), the fake clock unchanged
    assert heart.waited == 0.0 and heart.last == 0.0


def test_give_way_ends_with_the_next_beat():
    heart = Heartbeat(period=0.01, late=0.0, patience=60.0)  # a late beat; patience long enough to notice
    heart.last -= 1.0
    done = threading.Event()

    def worker() -> None:
        heart.give_way()
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    while not done.is_set():  # beat until the worker noticed (it may start waiting after the first beat)
        heart.beat()
        done.wait(0.01)
    thread.join()
    assert heart.waited < heart.patience  # it was the beat that ended the wait, not the patience


def test_collections_restore_the_threshold_and_unfreeze():
    import gc

    from tui.training_pace import Collections

    before = gc.get_threshold()
    collections = Collections()
    collections.training_started()
    collections.training_started()  # twice: the first threshold is the one restored
    assert gc.get_threshold()[0] == Collections.YOUNG_WHILE_TRAINING
    collections.training_ended()
    assert gc.get_threshold() == before
    collections.settle()
    try:
        assert gc.get_freeze_count() > 0
    finally:
        collections.release()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_a_hold_makes_the_worker_give_way_though_the_beat_is_on_time():
    heart = Heartbeat(period=0.01, late=60.0, patience=0.05)  # the beat is never late here
    heart.give_way()
    assert heart.waited == 0.0  # not held: on at once
    heart.hold(60.0)
    heart.give_way()  # held: sleeps out its patience (the hold is longer)
    assert heart.waited > 0.0


def test_a_hold_ends_by_itself():
    clock = Clock()
    heart = Heartbeat(period=0.01, late=0.025, clock=clock)
    heart.hold(0.1)
    heart.hold(0.05)  # a shorter hold on top does not cut the first short
    assert heart._held_until == 0.1
    clock.now = 0.1
    heart.beat()  # on time
    heart.give_way()  # the hold is over: returns at once
    assert heart.waited == 0.0
