"""Core periodic tasks."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="gongzhi.core.tasks.heartbeat")
def heartbeat() -> str:
    """Records that the scheduler is alive; /readyz reports its age."""
    now = timezone.now().isoformat()
    cache.set("gongzhi:scheduler:heartbeat", now, timeout=None)
    return now
