"""Scheduled job: recompute opinion maps whose votes have changed enough."""

from __future__ import annotations

from celery import shared_task

from gongzhi.core import context
from gongzhi.participation.opinion import actions, queries


@shared_task(name="gongzhi.participation.opinion.tasks.recompute_maps", acks_late=True)
def recompute_maps() -> int:
    """Recompute each open conversation's map once enough new votes have arrived. Idempotent:
    a conversation recomputed in the meantime has its counter reset and is skipped."""
    done = 0
    with context.acting_as(None, source="task:recompute_opinion_maps"):
        for conversation in queries.list_conversations_needing_map():
            actions.compute_map(conversation)
            done += 1
    return done
