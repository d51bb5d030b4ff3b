"""Nudging a worker to complete queued intakes (``IntakePending``), once per burst.

``submit_work_order`` queues its order in the database and, after commit, calls
:func:`request_completion`: a completion run is queued unless one is already queued and not
started, so a burst of a thousand submissions queues a handful of runs that each complete a
batch of orders, not a thousand tasks. The run clears the marker before reading the queue
(:func:`completion_started`), so an order committed after that queues a new run. The
marker's time-out bounds a lost task; the scheduled run (``GONGZHI_SCHEDULE``
"work-order-intake") completes anything left anyway. The same pattern as the ledger's
sealing request (``gongzhi.ledger.sequencer``).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

COMPLETION_QUEUED_KEY = "work_orders:intake-queued"
COMPLETION_QUEUED_TTL_S = 5


def request_completion() -> None:
    """After a submission commits: ask a worker (in-process in embedded mode) to complete the
    queued intakes, unless a run is already queued."""
    from django.core.cache import cache

    from gongzhi.work_orders.tasks import complete_queued_intake

    try:
        if not cache.add(COMPLETION_QUEUED_KEY, 1, COMPLETION_QUEUED_TTL_S):
            return
    except Exception:  # no cache: queue a run every time
        logger.warning("cache unavailable; queuing an intake run without de-duplication", exc_info=True)
    try:
        complete_queued_intake.delay()
    except Exception:  # the scheduled run completes it; a failed nudge must not fail the request
        completion_started()
        logger.exception("could not queue intake completion; the scheduled run will complete it")


def completion_started() -> None:
    """Called by a completion run before it reads the queue (see ``COMPLETION_QUEUED_KEY``)."""
    from django.core.cache import cache

    try:
        cache.delete(COMPLETION_QUEUED_KEY)
    except Exception:  # the key times out by itself
        logger.warning("cache unavailable; the intake run marker will time out", exc_info=True)
