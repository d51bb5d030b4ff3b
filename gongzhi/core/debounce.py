"""One queued run per burst: the after-commit nudge that many writes share.

A write that leaves work for a background run (ledger events to seal, intakes to complete)
calls :func:`queue_once` after commit. The run is queued unless a marker says one is already
queued and has not started; the run clears the marker (:func:`run_started`) before it reads
its queue, so work committed after that queues a new run. The marker's time-out bounds a lost
task (at worst one extra run per period), and each kind of work also has a scheduled run that
picks up anything left. Without a cache every call queues a run; a failure to queue never
fails the caller (the scheduled run does the work later)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

#: How long a queued-run marker lives if its run never starts.
MARKER_TTL_S = 5


def queue_once(key: str, task: Any, what: str) -> None:
    """Queue ``task`` (``task.delay()``) unless a run is already queued under ``key``."""
    from django.core.cache import cache

    try:
        if not cache.add(key, 1, MARKER_TTL_S):
            return
    except Exception:  # no cache: queue a run every time
        logger.warning("cache unavailable; queuing %s without de-duplication", what, exc_info=True)
    try:
        task.delay()
    except Exception:  # the scheduled run does it; a failed nudge must not fail the request
        run_started(key, what)
        logger.exception("could not queue %s; the scheduled run will do it", what)


def run_started(key: str, what: str) -> None:
    """Called by the run before it reads its queue: the next write queues a new run."""
    from django.core.cache import cache

    try:
        cache.delete(key)
    except Exception:  # the marker times out by itself
        logger.warning("cache unavailable; the marker of %s will time out", what, exc_info=True)
