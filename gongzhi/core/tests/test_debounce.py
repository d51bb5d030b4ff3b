"""One queued run per burst (``gongzhi.core.debounce``): the marker is held while the run
works, and no write's work is ever left without a run to take it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache

from gongzhi.core.debounce import drain_holding_marker, queue_once

KEY = "test:debounce-queued"


class Task:
    """Counts ``delay()`` calls: a queued run that has not started."""

    def __init__(self) -> None:
        self.queued = 0
        self.countdowns: list[float] = []

    def delay(self) -> None:
        self.queued += 1

    def apply_async(self, *, countdown: float) -> None:
        self.countdowns.append(countdown)
        self.queued += 1


@pytest.fixture
def task() -> Task:
    cache.delete(KEY)
    yield Task()
    cache.delete(KEY)


def passes(*steps: tuple[int, bool], during: dict[int, Callable[[], None]] | None = None):
    """A ``drain`` returning ``steps`` one call after another; ``during[i]`` runs inside call i."""
    calls = iter(enumerate(steps))

    def drain() -> tuple[int, bool]:
        i, step = next(calls)
        if during and i in during:
            during[i]()
        return step

    return drain


def test_writes_during_the_run_queue_no_other_run_and_the_last_look_takes_their_work(task):
    # given a queued run (the marker is set by the write that queued it)
    queue_once(KEY, task, "probe")
    assert task.queued == 1
    # when writes commit while the run works, and the last look finds their work
    write = lambda: queue_once(KEY, task, "probe")  # noqa: E731
    done = drain_holding_marker(KEY, task, "probe", passes((200, False), (3, False), during={0: write}))
    # then they queued nothing more; their 3 items were done by the last look
    assert task.queued == 1
    assert done == 203
    # and the marker is gone: the next write queues a new run
    queue_once(KEY, task, "probe")
    assert task.queued == 2


def test_a_write_after_the_marker_went_queues_its_own_run(task):
    queue_once(KEY, task, "probe")
    write = lambda: queue_once(KEY, task, "probe")  # noqa: E731
    # a write commits during the last look (after the marker went), too late for it
    drain_holding_marker(KEY, task, "probe", passes((5, False), (0, False), during={1: write}))
    assert task.queued == 2


def test_a_pass_that_stops_at_its_bound_queues_the_rest(task):
    queue_once(KEY, task, "probe")
    done = drain_holding_marker(KEY, task, "probe", passes((10_000, True)))
    assert done == 10_000
    assert task.queued == 2  # the rest waits behind the other tasks, as a run of its own


def test_without_a_cache_every_write_queues_a_run(task, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    with monkeypatch.context() as m:
        m.setattr(cache, "add", down)
        m.setattr(cache, "delete", down)
        for _ in range(3):
            queue_once(KEY, task, "probe")
        assert task.queued == 3
        assert drain_holding_marker(KEY, task, "probe", passes((1, False), (0, False))) == 1


def test_a_delayed_run_is_queued_with_its_countdown_and_the_rest_at_once(task):
    # a write queues a run that starts later; writes meanwhile queue nothing
    for _ in range(5):
        queue_once(KEY, task, "probe", countdown=1.0)
    assert (task.queued, task.countdowns) == (1, [1.0])
    # a run stopping at its bound queues the rest without waiting
    drain_holding_marker(KEY, task, "probe", passes((10_000, True)))
    assert (task.queued, task.countdowns) == (2, [1.0])
