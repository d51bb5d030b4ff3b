"""Nudging a worker to complete queued intakes (``IntakePending``), once per burst.

``submit_work_order`` queues its order in the database and, after commit, calls
:func:`request_completion`: a completion run is queued unless one is already queued and not
started, so a burst of a thousand submissions queues a handful of runs that each complete a
batch of orders, not a thousand tasks. The run clears the marker before reading the queue
(:func:`completion_started`), so an order committed after that queues a new run. The
marker's time-out bounds a lost task; the scheduled run (``GONGZHI_SCHEDULE``
"work-order-intake") completes anything left anyway. The pattern is shared with the ledger's
sealing request: :mod:`gongzhi.core.debounce`.
"""

from __future__ import annotations

from gongzhi.core.debounce import queue_once, run_started

COMPLETION_QUEUED_KEY = "work_orders:intake-queued"


def request_completion() -> None:
    """After a submission commits: ask a worker (in-process in embedded mode) to complete the
    queued intakes, unless a run is already queued."""
    from gongzhi.work_orders.tasks import complete_queued_intake

    queue_once(COMPLETION_QUEUED_KEY, complete_queued_intake, "an intake completion run")


def completion_started() -> None:
    """Called by a completion run before it reads the queue (see ``COMPLETION_QUEUED_KEY``)."""
    run_started(COMPLETION_QUEUED_KEY, "the intake completion run")
