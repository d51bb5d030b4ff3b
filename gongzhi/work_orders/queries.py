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


#: The statuses each open-state inbox holds (``to_review`` is a flag, not a status range).
INBOX_STATUSES: dict[str, tuple[str, ...]] = {
    "to_accept": (Status.SUBMITTED,),
    "to_dispatch": tuple(sorted(TO_DISPATCH)),
    "to_sign": (Status.DISPATCHED,),
    "in_progress": (Status.SIGNED, Status.IN_PROGRESS),
    "due_soon": tuple(sorted(WITH_UNIT)),
    "overdue": tuple(sorted(WITH_UNIT)),
    "awaiting_follow_up": (Status.REPLIED,),
}


def inbox_q(name: str, now: dt.datetime | None = None, *, status: str | None = None) -> Q:
    """The filter of one staff inbox. Each starts with a status condition, so it is one
    range of the partial covering index ``wo_open_inbox`` (status, id) that carries the
    scope and deadline columns: counts are index-only scans. ``to_review`` has its own
    partial index.

    With ``status`` (one of ``INBOX_STATUSES[name]``), only the part of the inbox in that
    status: one range of ``wo_inbox_urgency_order`` (status, urgency DESC, id), which the
    UI page reads in its order instead of sorting the whole inbox (see ``inbox_branches``)."""
    now = now or timezone.now()
    statuses = INBOX_STATUSES.get(name, ())
    if status is not None:
        if status not in statuses:
            raise ValueError(f"{status} is not a status of the {name} inbox")
        statuses = (status,)
    in_status = Q(status=statuses[0]) if len(statuses) == 1 else Q(status__in=statuses)
    if name in ("to_accept", "to_dispatch", "to_sign", "in_progress"):
        return in_status
    # Held orders' clocks stand still (their deadlines move on resume): never due or overdue.
    if name == "due_soon":
        return in_status & Q(reply_remind_at__lte=now, reply_due__gt=now, on_hold=False)
    if name == "overdue":
        # status first (DISPATCHED is one of WITH_UNIT) so one index range serves both deadlines
        return (in_status & Q(on_hold=False)) & (Q(reply_due__lte=now) | Q(status=Status.DISPATCHED, sign_due__lte=now))
    if name == "awaiting_follow_up":
        return in_status & Q(followed_up_at__isnull=True)
    if name == "to_review":
        return Q(review_pending=True)
    raise ValueError(name)


def inbox_branches(name: str) -> tuple[str, ...]:
    """The statuses to read one by one for an inbox page in the UI order (urgent first,
    then oldest): an inbox of several statuses is then the merge of one ordered index
    range per status. Empty for an inbox of one status or none (nothing to merge)."""
    statuses = INBOX_STATUSES.get(name, ())
    return statuses if len(statuses) > 1 else ()


def capped_counts(
    querysets: dict[str, QuerySet[WorkOrder]], cap: int = DEFAULT_COUNT_CAP, caps: dict[str, int] | None = None
) -> dict[str, CappedCount]:
    """``COUNT(*)`` of each queryset, stopping at ``cap`` rows (or its own cap in ``caps``),
    all in ONE query: ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1)), …`` (each an
    index-only scan of at most ``cap + 1`` entries for an inbox). A count that stopped shows
    as "10000+"."""
    if not querysets:
        return {}
    caps = {name: (caps or {}).get(name, cap) for name in querysets}
    parts: list[str] = []
    params: list[Any] = []
    for i, (name, queryset) in enumerate(querysets.items()):
        try:
            sql, p = queryset.order_by().values("pk")[: caps[name] + 1].query.sql_with_params()
        except EmptyResultSet:  # e.g. .none(): nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) c{i})")  # noqa: S608 (SQL compiled by the ORM, params apart)
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {
        name: CappedCount(min(n, caps[name]), capped=n > caps[name]) for name, n in zip(querysets, row, strict=True)
    }


class CappedCount(int):
    """An int that also says whether the count stopped at the cap; renders as "10000+"."""

    capped: bool

    def __new__(cls, value: int, *, capped: bool = False) -> CappedCount:
        obj = super().__new__(cls, value)
        obj.capped = capped
        return obj

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))

    def capped_at(self, cap: int) -> CappedCount:
        """The same count as it shows with a lower cap (a tab badge of a longer count)."""
        return CappedCount(min(int(self), cap), capped=self.capped or int(self) > cap)


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
