"""Reads of work orders: inbox filters and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.core.pagination import DEFAULT_COUNT_CAP
from gongzhi.work_orders.choices import TO_DISPATCH, WITH_UNIT, Status
from gongzhi.work_orders.models import WorkOrder

INBOXES = (
    "to_accept",
    "to_dispatch",
    "to_sign",
    "in_progress",
    "due_soon",
    "overdue",
    "awaiting_follow_up",
    "to_review",
)


def inbox_q(name: str, now: dt.datetime | None = None) -> Q:
    """The filter of one staff inbox. Each starts with a status condition, so it is one
    range of the partial covering index ``wo_open_inbox`` (status, id) that carries the
    scope and deadline columns: counts are index-only scans. ``to_review`` has its own
    partial index."""
    now = now or timezone.now()
    if name == "to_accept":
        return Q(status=Status.SUBMITTED)
    if name == "to_dispatch":
        return Q(status__in=TO_DISPATCH)
    if name == "to_sign":
        return Q(status=Status.DISPATCHED)
    if name == "in_progress":
        return Q(status__in=[Status.SIGNED, Status.IN_PROGRESS])
    # Held orders' clocks stand still (their deadlines move on resume): never due or overdue.
    if name == "due_soon":
        return Q(status__in=WITH_UNIT, reply_remind_at__lte=now, reply_due__gt=now, on_hold=False)
    if name == "overdue":
        # status first (DISPATCHED is one of WITH_UNIT) so one index range serves both deadlines
        return Q(status__in=WITH_UNIT, on_hold=False) & (
            Q(reply_due__lte=now) | Q(status=Status.DISPATCHED, sign_due__lte=now)
        )
    if name == "awaiting_follow_up":
        return Q(status=Status.REPLIED, followed_up_at__isnull=True)
    if name == "to_review":
        return Q(review_pending=True)
    raise ValueError(name)


def capped_counts(querysets: dict[str, QuerySet[WorkOrder]], cap: int = DEFAULT_COUNT_CAP) -> dict[str, CappedCount]:
    """``COUNT(*)`` of each queryset, stopping at ``cap`` rows, all in ONE query:
    ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1)), …`` (each an index-only scan of at
    most ``cap + 1`` entries for an inbox). A count that stopped shows as "10000+"."""
    if not querysets:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for i, queryset in enumerate(querysets.values()):
        try:
            sql, p = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. .none(): nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) c{i})")  # noqa: S608 (SQL compiled by the ORM, params apart)
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: CappedCount(min(n, cap), capped=n > cap) for name, n in zip(querysets, row, strict=True)}


class CappedCount(int):
    """An int that also says whether the count stopped at the cap; renders as "10000+"."""

    capped: bool

    def __new__(cls, value: int, *, capped: bool = False) -> CappedCount:
        obj = super().__new__(cls, value)
        obj.capped = capped
        return obj

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))


def list_work_orders(user: Any, verb: str = "view") -> QuerySet[WorkOrder]:
    return WorkOrder.objects.restrict(user, verb).select_related("area", "category", "lead_organisation")


EXPORT_FIELDS = [
    "id",
    "order_type",
    "category__name",
    "urgency",
    "channel",
    "status",
    "title",
    "area__name",
    "area_path",
    "lead_organisation__name",
    "supervision_level",
    "on_hold",
    "extension_status",
    "extension_count",
    "return_count",
    "transfer_count",
    "reopen_count",
    "submitted_at",
    "accepted_at",
    "rejected_at",
    "dispatched_at",
    "sign_due",
    "signed_at",
    "returned_at",
    "contact_due",
    "first_contact_at",
    "started_at",
    "reply_due",
    "replied_at",
    "follow_up_due",
    "followed_up_at",
    "rating_due",
    "rated_at",
    "closed_at",
    "reopened_at",
    "merged_at",
]
