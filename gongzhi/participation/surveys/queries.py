"""Reads of surveys."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.participation.surveys.choices import SurveyStatus
from gongzhi.participation.surveys.models import Survey


def list_surveys(user: Any) -> QuerySet[Survey]:
    """Surveys the user may see: drafts only where they may change them."""
    visible = Survey.objects.restrict(user, "view")
    editable = Survey.objects.restrict(user, "change").values("pk")
    return visible.filter(~Q(status=SurveyStatus.DRAFT) | Q(pk__in=editable)).select_related("area")


def public_surveys() -> QuerySet[Survey]:
    """Closed surveys with public results: readable without signing in."""
    return Survey.objects.filter(status=SurveyStatus.CLOSED, results_public=True).select_related("area")
