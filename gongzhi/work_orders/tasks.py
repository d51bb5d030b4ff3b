"""Scheduled jobs of the work-order domain (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core import context
from gongzhi.work_orders import actions


@shared_task(name="gongzhi.work_orders.tasks.escalate_deadlines", acks_late=True)
def escalate_deadlines() -> dict[str, int]:
    """Reminders, supervision and public listings that have come due. Safe to run
    concurrently and repeatedly: each escalation is raised once."""
    with context.acting_as(None, source="task:escalate_deadlines"):
        run = actions.escalate_due_work_orders()
    return dict(run.counts)


@shared_task(name="gongzhi.work_orders.tasks.complete_intake", acks_late=True)
def complete_intake_task(order_id: int) -> None:
    """The after-commit half of a submission (repeat flag, receipt notice, intake hooks)."""
    with context.acting_as(None, source="task:complete_intake"):
        actions.complete_intake(order_id)
