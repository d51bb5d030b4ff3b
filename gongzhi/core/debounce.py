"""One queued run per burst: the after-commit nudge that many writes share.

A write that leaves work for a background run (ledger events to seal, intakes to complete)
calls :func:`queue_once` after commit. The run is queued unless a marker says a run is already
queued or running. The run (:func:`drain_holding_marker`) keeps the marker while it works, so a
burst of writes queues one run, not one per write, and that run takes their work in large
batches; when the queue looks empty it lets the marker go and looks once more, so work
committed after its last look always queues a new run. The marker's time-out bounds a lost
task (at worst one extra run per period), and each kind of work also has a scheduled run that
picks up anything left. Without a cache every call queues a run; a failure to queue never
fails the caller (the scheduled run does the work later)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: How long a queued-run marker lives if its run never starts.
MARKER_TTL_S = 5


def queue_once(key: str, task: Any, what: str, *, countdown: float = 0.0) -> None:
    """Queue ``task`` unless a run is already queued under ``key``; the run starts after
    ``countdown`` seconds (at once when tasks run in-process), and writes meanwhile queue
    nothing, so their work is taken by that run."""
    from django.core.cache import cache

    try:
        if not cache.add(key, 1, MARKER_TTL_S + countdown):
            return
    except Exception:  # no cache: queue a run every time
        logger.warning("cache unavailable; queuing %s without de-duplication", what, exc_info=True)
    try:
        if countdown > 0:
            task.apply_async(countdown=countdown)
        else:
            task.delay()
    except Exception:  # the scheduled run does it; a failed nudge must not fail the request
        run_started(key, what)
        logger.exception("could not queue %s; the scheduled run will do it", what)


def run_started(key: str, what: str) -> None:
    """The marker goes: the next write queues a new run (see :func:`drain_holding_marker`)."""
    from django.core.cache import cache

    try:
        cache.delete(key)
    except Exception:  # the marker times out by itself
        logger.warning("cache unavailable; the marker of %s will time out", what, exc_info=True)


def drain_holding_marker(key: str, task: Any, what: str, drain: Callable[[], tuple[int, bool]]) -> int:
    """The body of the run that ``queue_once(key, task, what)`` queues: call ``drain`` (one
    bounded pass over the queue, returning the items done and whether it stopped at its bound
    with work left) and return the items done.

    The marker stays while the pass works, so writes meanwhile queue no further run. Then the
    marker goes and the queue is read once more: a write that found the marker committed
    before the marker went, so this last look sees its work, and a later write finds no
    marker and queues a run of its own. A pass that stops at its bound queues the rest as a
    new run, behind the other tasks waiting for the worker."""
    done, left = drain()
    run_started(key, what)
    if not left:
        step, left = drain()  # the last look, after the marker went
        done += step
    if left:
        queue_once(key, task, what)  # at once: the rest is already waiting
    return done
