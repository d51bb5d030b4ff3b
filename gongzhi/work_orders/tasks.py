"""Scheduled jobs of the work-order domain (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from gongzhi.core import context
from gongzhi.work_orders import actions, escalation, intake

#: A backlog at least this large (a catch-up after an outage, or the first run after a bulk
#: import) is shared out: the scheduled run queues GONGZHI_DEADLINE_CATCHUP_WORKERS - 1 helper
#: runs for the same moment, and the runs take disjoint batches (SKIP LOCKED). A normal
#: five-minute run (hundreds of orders) stays one task.
CATCHUP_BACKLOG = 20_000


@shared_task(name="gongzhi.work_orders.tasks.escalate_deadlines", acks_late=True)
def escalate_deadlines(as_of: str | None = None, *, helper: bool = False) -> dict[str, int]:
    """Reminders, supervision and public listings that have come due. Safe to run
    concurrently and repeatedly: each escalation is raised once.

    ``as_of`` (ISO time) is given to helper runs so that every run of a catch-up applies the
    deadlines at the same moment."""
    now = dt.datetime.fromisoformat(as_of) if as_of else timezone.now()
    workers = int(getattr(settings, "GONGZHI_DEADLINE_CATCHUP_WORKERS", 2))
    if not helper and workers > 1 and escalation.backlog_at_least(now, CATCHUP_BACKLOG):
        for _ in range(workers - 1):
            escalate_deadlines.apply_async(args=(now.isoformat(),), kwargs={"helper": True})
    with context.acting_as(None, source="task:escalate_deadlines"):
        run = actions.escalate_due_work_orders(now=now)
    return dict(run.counts)


#: Batches one completion run takes at most (a longer backlog: the next run continues).
MAX_INTAKE_BATCHES_PER_RUN = 50


@shared_task(name="gongzhi.work_orders.tasks.complete_queued_intake", acks_late=True)
def complete_queued_intake() -> int:
    """Complete the queued intakes, batch by batch (repeat flags, receipts, intake hooks);
    queued by submissions (once per burst, ``intake.request_completion``) and scheduled as a
    sweep. Returns how many orders it completed. Safe to run concurrently (SKIP LOCKED)."""

    def drain() -> tuple[int, bool]:
        done = 0
        with context.acting_as(None, source="task:complete_intake"):
            for _ in range(MAX_INTAKE_BATCHES_PER_RUN):
                ids = actions.complete_queued_intake()
                if len(ids) < actions.INTAKE_BATCH:
                    return done + len(ids), False
                done += len(ids)
        return done, True

    return intake.run_completion(drain)


@shared_task(name="gongzhi.work_orders.tasks.complete_intake", acks_late=True)
def complete_intake_task(order_id: int) -> None:
    """One order's after-commit half of a submission: what releases before the intake queue
    sent (a message still queued at an upgrade). New submissions use the queue."""
    with context.acting_as(None, source="task:complete_intake"):
        actions.complete_intake([order_id])
