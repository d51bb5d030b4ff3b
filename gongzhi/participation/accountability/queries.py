"""Reads of tracked results: the public list, one result with its history, overdue ones."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gongzhi.participation.accountability.choices import CLOSED
from gongzhi.participation.accountability.models import Evidence, Milestone, Result, ResultUpdate


def public_results() -> QuerySet[Result]:
    """Every result: they are public information (信息公开) and hold no personal data."""
    return Result.objects.select_related("area", "responsible_unit")


def with_history(qs: QuerySet[Result]) -> QuerySet[Result]:
    return qs.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id")),
        Prefetch("updates", queryset=ResultUpdate.objects.order_by("-created_at", "-id")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
    )


def overdue_q() -> Q:
    return Q(deadline__lt=timezone.localdate()) & ~Q(status__in=CLOSED)


def list_overdue_results(user: Any) -> QuerySet[Result]:
    """Overdue results in the supervisor's scope, the most overdue first."""
    return (
        Result.objects.restrict(user, "supervise")
        .filter(overdue_q())
        .select_related("area", "responsible_unit")
        .order_by("deadline", "id")
    )


def list_reportable_results(user: Any) -> QuerySet[Result]:
    """Results this staff member may report progress on (their area, or their unit's)."""
    return Result.objects.restrict(user, "change").select_related("area", "responsible_unit")


def list_followed_results(user: Any) -> QuerySet[Result]:
    return public_results().filter(follows__user=user)


def get_result_for_source(source: Any) -> Result | None:
    from django.contrib.contenttypes.models import ContentType

    return Result.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk).first()
