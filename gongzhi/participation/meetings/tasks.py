"""Scheduled jobs of meetings (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from gongzhi.core import context
from gongzhi.participation.meetings import actions
from gongzhi.participation.meetings.choices import MeetingStatus
from gongzhi.participation.meetings.errors import MeetingError
from gongzhi.participation.meetings.models import Meeting


@shared_task(name="gongzhi.participation.meetings.tasks.remind_invitees", acks_late=True)
def remind_invitees(now: dt.datetime | None = None) -> int:
    """Remind the invitees of every planned meeting that starts within
    ``GONGZHI_MEETING_REMINDER_HOURS`` (default 24). Each meeting is reminded once: repeated or
    concurrent runs send nothing more (the claim in ``actions.remind_invitees`` is atomic)."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=getattr(settings, "GONGZHI_MEETING_REMINDER_HOURS", 24))
    due = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=horizon
    ).order_by("starts_at", "id")
    reminded = 0
    with context.acting_as(None, source="task:remind_invitees"):
        for meeting in due:
            try:
                reminded += actions.remind_invitees(meeting, now=now)
            except MeetingError:  # reminded by a concurrent run meanwhile
                continue
    return reminded
