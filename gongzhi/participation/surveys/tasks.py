"""Scheduled jobs of surveys (registered in settings.GONGZHI_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from gongzhi.core import context
from gongzhi.participation.surveys import actions
from gongzhi.participation.surveys.choices import SurveyStatus
from gongzhi.participation.surveys.errors import SurveyError
from gongzhi.participation.surveys.models import Survey


@shared_task(name="gongzhi.participation.surveys.tasks.close_due_surveys", acks_late=True)
def close_due_surveys() -> int:
    """Close (and count) every open survey whose closing time has passed. Safe to repeat:
    a survey closed meanwhile is skipped."""
    closed = 0
    due = Survey.objects.filter(status=SurveyStatus.OPEN, closes_at__lte=timezone.now()).order_by("id")
    with context.acting_as(None, source="task:close_due_surveys"):
        for survey in due:
            try:
                actions.close_survey(survey, actor=None)
            except SurveyError:
                continue
            closed += 1
    return closed
