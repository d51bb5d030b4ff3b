"""Nudging a worker to complete queued intakes (``IntakePending``), once per burst.

``submit_work_order`` queues its order in the database and, after commit, calls
:func:`request_completion`: a completion run is queued unless one is already queued or
running, so a burst of a thousand submissions queues a handful of runs that each complete
batches of orders, not a thousand tasks. The run keeps the marker while it works and lets it
go before its last look at the queue (:func:`run_completion`), so an order committed after
that queues a new run. The marker's time-out bounds a lost task; the scheduled run
(``GONGZHI_SCHEDULE`` "work-order-intake") completes anything left anyway. The pattern is
shared with the ledger's sealing request: :mod:`gongzhi.core.debounce`.
"""

from __future__ import annotations

from collections.abc import Callable

from gongzhi.core.debounce import drain_holding_marker, queue_once, run_started

COMPLETION_QUEUED_KEY = "work_orders:intake-queued"


def request_completion() -> None:
    """After a submission commits: ask a worker (in-process in embedded mode) to complete the
    queued intakes, unless a run is already queued or running."""
    from django.conf import settings

    from gongzhi.work_orders.tasks import complete_queued_intake

    queue_once(
        COMPLETION_QUEUED_KEY,
        complete_queued_intake,
        "an intake completion run",
        countdown=settings.GONGZHI_INTAKE_COMPLETION_DELAY_S,
    )


def run_completion(drain: Callable[[], tuple[int, bool]]) -> int:
    """The completion run's body around ``drain`` (one bounded pass over the queue), holding
    the marker while it works (:func:`gongzhi.core.debounce.drain_holding_marker`)."""
    from gongzhi.work_orders.tasks import complete_queued_intake

    return drain_holding_marker(COMPLETION_QUEUED_KEY, complete_queued_intake, "the intake completion run", drain)


def completion_started() -> None:
    """Let the marker go: the next submission queues a new run (see ``COMPLETION_QUEUED_KEY``)."""
    run_started(COMPLETION_QUEUED_KEY, "the intake completion run")
