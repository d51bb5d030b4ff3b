"""Notices about work orders, sent after the action's transaction commits.

In-app notifications are rows of :class:`Notification`. Extra channels (SMS, e-mail)
are backends named in ``settings.GONGZHI_WORK_ORDER_NOTIFICATION_BACKENDS``: classes
with ``send(notifications: list[Notification]) -> None``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.access.models import RoleGrant
from gongzhi.work_orders.choices import NotificationKind
from gongzhi.work_orders.models import Notification, Subscription, WorkOrder

logger = logging.getLogger(__name__)


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


def _deliver(rows: list[Notification]) -> None:
    if not rows:
        return
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    for path in getattr(settings, "GONGZHI_WORK_ORDER_NOTIFICATION_BACKENDS", []):
        try:
            import_string(path)().send(created)
        except Exception:  # one failing channel must not stop the others
            logger.exception("notification backend %s failed", path)


def notify(user_ids: Iterable[int], *, order: WorkOrder | None, kind: NotificationKind, message: str) -> None:
    """Queue notices to ``user_ids``; they are written only if the transaction commits."""
    rows = [
        Notification(recipient_id=uid, order_id=order.pk if order else None, kind=kind, message=message[:300])
        for uid in sorted(set(user_ids))
    ]
    transaction.on_commit(lambda: _deliver(rows))


def notify_many(rows: list[dict[str, Any]]) -> None:
    """Bulk variant for the deadline job: dicts with recipient_id, order_id, kind, message."""
    objects = [Notification(**row) for row in rows]
    transaction.on_commit(lambda: _deliver(objects))
