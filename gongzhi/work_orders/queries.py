"""Reads of work orders: inbox filters and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

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
    """The filter of one staff inbox (each one maps onto an index on status + a column)."""
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
        return (Q(status__in=WITH_UNIT, reply_due__lte=now) | Q(status=Status.DISPATCHED, sign_due__lte=now)) & Q(
            on_hold=False
        )
    if name == "awaiting_follow_up":
        return Q(status=Status.REPLIED, followed_up_at__isnull=True)
    if name == "to_review":
        return Q(review_pending=True)
    raise ValueError(name)


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
