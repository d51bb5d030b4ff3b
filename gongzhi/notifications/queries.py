"""Reads of the notifications domain, always scoped to the user's own rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.notifications.dispatch import Choice, choices_for
from gongzhi.notifications.models import Notification, QuietHours
from gongzhi.notifications.registry import KindGroup, groups


def list_notifications(user: Any, *, unread: bool = False) -> QuerySet[Notification]:
    """The user's in-app notices, newest first."""
    qs = Notification.objects.restrict(user, "view").filter(in_app=True)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def count_unread(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return list_notifications(user, unread=True).count()


def get_preferences(user: Any) -> tuple[list[tuple[KindGroup, Choice]], QuietHours | None]:
    """Every configurable group with the user's effective choice, and the quiet hours."""
    configurable = [g for g in groups() if g.configurable]
    chosen = choices_for([user.pk], [g.key for g in configurable])
    quiet = QuietHours.objects.restrict(user, "view").first()
    return [(g, chosen[(user.pk, g.key)]) for g in configurable], quiet
