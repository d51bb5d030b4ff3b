"""Scheduled jobs of the notifications domain (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils import timezone

from gongzhi.core import context
from gongzhi.notifications import actions
from gongzhi.notifications.choices import Delivery
from gongzhi.notifications.models import Digest, Notification, QuietHours

logger = logging.getLogger(__name__)


@shared_task(name="gongzhi.notifications.tasks.send_daily_digests", acks_late=True)
def send_daily_digests(now: dt.datetime | None = None) -> int:
    """Run hourly: from ``GONGZHI_NOTIFICATION_DIGEST_HOUR`` (local time, default 8) on, send each
    user with notices waiting for the digest their digest of the day. Repeated or concurrent
    runs send at most one digest per user and day (``notif_digest_one_per_day``)."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < getattr(settings, "GONGZHI_NOTIFICATION_DIGEST_HOUR", 8):
        return 0
    today = timezone.localdate(now)
    waiting = set(
        Notification.objects.filter(delivery=Delivery.DIGEST).values_list("recipient_id", flat=True).distinct()
    )
    done = set(Digest.objects.filter(day=today, recipient_id__in=waiting).values_list("recipient_id", flat=True))
    sent = 0
    with context.acting_as(None, source="task:send_daily_digests"):
        for user in get_user_model().objects.filter(pk__in=waiting - done).order_by("pk"):
            try:
                if actions.send_digest(user, now=now) is not None:
                    sent += 1
            except IntegrityError:  # another worker sent it meanwhile
                logger.info("digest for user %s already sent today", user.pk)
    return sent


@shared_task(name="gongzhi.notifications.tasks.release_held_notifications", acks_late=True)
def release_held_notifications(now: dt.datetime | None = None) -> int:
    """Run every few minutes: send what waited for the end of each user's quiet hours."""
    now = now or timezone.now()
    held = set(Notification.objects.filter(delivery=Delivery.HELD).values_list("recipient_id", flat=True).distinct())
    still_quiet = {q.user_id for q in QuietHours.objects.filter(user_id__in=held) if q.covers(now)}
    released = 0
    with context.acting_as(None, source="task:release_held_notifications"):
        for user in get_user_model().objects.filter(pk__in=held - still_quiet).order_by("pk"):
            released += actions.release_held_notifications(user, now=now)
    return released
