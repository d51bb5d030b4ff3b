"""Scheduled jobs of the residents domain (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core import context
from gongzhi.residents import actions


@shared_task(name="gongzhi.residents.tasks.apply_retention", acks_late=True)
def apply_retention() -> dict[str, int]:
    """Delete or anonymise what is past its retention period. Idempotent: a repeated or
    concurrent run finds nothing left; legal holds are respected."""
    with context.acting_as(None, source="task:apply_retention"):
        run = actions.apply_retention()
    return dict(run.counts)
