"""Notices about work orders, through the generic notifications app.

``notify`` writes the in-app rows in the action's transaction (``gongzhi.notifications``
applies each recipient's preferences and sends SMS / e-mail after commit). Kinds are
``work_orders.<NotificationKind>``, all in the ``work_orders`` preference group. Supervision,
public listing and anything about an urgent order are urgent (they ignore digests, "off" and
quiet hours).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.access.models import RoleGrant
from gongzhi.notifications import dispatch
from gongzhi.notifications.models import Notification
from gongzhi.notifications.registry import register_group
from gongzhi.work_orders.choices import NotificationKind, Urgency
from gongzhi.work_orders.models import Subscription, WorkOrder

GROUP = "work_orders"
URGENT_KINDS = frozenset({NotificationKind.SUPERVISION, NotificationKind.PUBLIC_LISTING})


def kind_key(kind: NotificationKind | str) -> str:
    return f"{GROUP}.{NotificationKind(kind).value}"


def register() -> None:
    """Called from WorkOrdersConfig.ready: the preference group and its kinds' labels."""
    register_group(GROUP, _("Requests"), kinds={kind_key(k): k.label for k in NotificationKind})


def resident_recipients(order: WorkOrder) -> set[int]:
    """The submitter and everyone subscribed (e.g. submitters of merged duplicates)."""
    ids = set(Subscription.objects.filter(order_id=order.pk).values_list("user_id", flat=True))
    if order.submitter_id:
        ids.add(order.submitter_id)
    return ids


def unit_recipients(organisation_ids: Iterable[int]) -> set[int]:
    """Active staff of the given units."""
    return set(
        RoleGrant.objects.filter(organisation_id__in=list(organisation_ids), revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )


def unit_recipients_by_unit(organisation_ids: Iterable[int]) -> dict[int, set[int]]:
    """Active staff of each of the given units (one query)."""
    staff: dict[int, set[int]] = {}
    grants = RoleGrant.objects.filter(organisation_id__in=list(organisation_ids), revoked_at__isnull=True)
    for unit, user in grants.values_list("organisation_id", "user_id"):
        staff.setdefault(unit, set()).add(user)
    return staff


def order_url(order_id: int) -> str:
    return reverse("work_orders:detail", args=[order_id])


def notify(user_ids: Iterable[int], *, order: WorkOrder | None, kind: NotificationKind, message: str) -> None:
    """Notify ``user_ids`` about ``order`` (rows are rolled back with the action)."""
    urgent = kind in URGENT_KINDS or (order is not None and order.urgency == Urgency.URGENT)
    dispatch.notify(
        user_ids,
        kind=kind_key(kind),
        title=message,
        url=order_url(order.pk) if order is not None else "",
        source=order,
        urgent=urgent,
    )


def notification_sent(user_id: int, *, order: WorkOrder, kind: NotificationKind, message: str) -> bool:
    """This exact notice about ``order`` was already written for the user (a task re-run)."""
    return Notification.objects.filter(
        recipient_id=user_id,
        kind=kind_key(kind),
        title=message[:200],
        source_type=ContentType.objects.get_for_model(order),
        source_id=order.pk,
    ).exists()


def notices_sent(order_ids: Iterable[int], *, kind: NotificationKind) -> set[tuple[int, int, str]]:
    """(recipient, order, title) of the ``kind`` notices already written about these orders,
    in one query (a batch re-run skips them, like ``notification_sent`` for one)."""
    return set(
        Notification.objects.filter(
            kind=kind_key(kind),
            source_type=ContentType.objects.get_for_model(WorkOrder),
            source_id__in=list(order_ids),
        ).values_list("recipient_id", "source_id", "title")
    )


_URL_MARK = 987654321


def notify_many(rows: list[dict[str, Any]]) -> None:
    """Bulk variant for the deadline job and intake: dicts with recipient_id, order_id, kind,
    message, optionally urgent (an urgent order's notice, as ``notify`` decides).
    The detail URL is reversed once per call, not once per notice (the job writes tens of
    thousands: ``reverse`` was a quarter of the job's notice time, measured)."""
    type_id = ContentType.objects.get_for_model(WorkOrder).pk
    template = order_url(_URL_MARK)
    dispatch.notify_many(
        [
            dispatch.Draft(
                recipient_id=row["recipient_id"],
                kind=kind_key(row["kind"]),
                title=row["message"],
                url=template.replace(str(_URL_MARK), str(row["order_id"]), 1),
                source_type_id=type_id,
                source_id=row["order_id"],
                urgent=row["kind"] in URGENT_KINDS or row.get("urgent", False),
            )
            for row in rows
        ]
    )


@cache
def _order_url_parts() -> tuple[str, str]:
    """The detail URL around the order id (the URLconf does not change while running)."""
    prefix, suffix = order_url(_URL_MARK).split(str(_URL_MARK), 1)
    return prefix, suffix


def notify_escalations_sql(
    escalations_sql: str, params: list[Any], *, recipients: Iterable[int], kinds: Iterable[NotificationKind]
) -> int:
    """Set-based notices for the deadline job (PostgreSQL): ``escalations_sql`` yields
    ``(recipient_id, order_id, kind, title)`` with ``kind`` a ``NotificationKind`` value;
    the link, source and urgency are added in SQL and the notifications app applies each
    recipient's preferences (``dispatch.notify_sql``)."""
    type_id = ContentType.objects.get_for_model(WorkOrder).pk
    prefix, suffix = _order_url_parts()
    columns = "s.recipient_id, %s || s.kind, s.title, %s || s.order_id::text || %s, %s::integer, s.order_id"
    rows = f"({escalations_sql}) AS s(recipient_id, order_id, kind, title)"
    source = f"SELECT {columns}, s.kind = ANY(%s) FROM {rows}"  # noqa: S608 (fixed SQL of the job, values as parameters)
    return dispatch.notify_sql(
        source,
        [f"{GROUP}.", prefix, suffix, type_id, [k.value for k in URGENT_KINDS], *params],
        recipients=recipients,
        kinds={kind_key(k) for k in kinds},
    )
