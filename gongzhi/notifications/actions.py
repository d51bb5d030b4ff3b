"""Writes of the notifications domain. Each is an @action writing exactly one change record.

Notices themselves are written by ``dispatch.notify`` inside other domains' actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from gongzhi.audit.decorators import action
from gongzhi.audit.recording import record_change
from gongzhi.notifications.choices import DIGEST_KIND, Delivery, Mode
from gongzhi.notifications.dispatch import send_after_commit
from gongzhi.notifications.errors import NotificationError, NotificationErrorCode
from gongzhi.notifications.models import Digest, Notification, Preference, QuietHours
from gongzhi.notifications.registry import get_group

#: Notices listed by title in a digest; the rest are counted.
DIGEST_LINES = 20


@action
def mark_notification_read(notification: Notification, *, actor: Any) -> Notification:
    """Mark one of the actor's own notices read (already read: unchanged, still recorded)."""
    notice = Notification.objects.select_for_update().get(pk=notification.pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    record_change(notice, verb="read", actor=actor, after={"read_at": notice.read_at.isoformat()})
    return notice


@action
def mark_all_notifications_read(user: Any, *, actor: Any) -> int:
    """Mark every unread in-app notice of ``user`` read; returns how many."""
    count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
    record_change(user, verb="read_all_notifications", actor=actor, after={"notifications_read": count})
    return count


@action
def update_notification_preferences(
    user: Any,
    *,
    actor: Any,
    groups: dict[str, dict[str, Any]],
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
) -> list[Preference]:
    """Set the choices for some kind groups (``{"work_orders": {"mode": "digest", "in_app": True,
    "sms": True, "email": False}}``; missing keys keep their value) and the quiet hours (both
    None: none)."""
    for key in groups:
        group = get_group(key)
        if group is None or not group.configurable:
            raise NotificationError(NotificationErrorCode.UNKNOWN_GROUP, field="groups")
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        raise NotificationError(NotificationErrorCode.QUIET_HOURS_INCOMPLETE, field="quiet_start")
    existing = {p.group: p for p in Preference.objects.select_for_update().filter(user_id=user.pk)}
    changed: dict[str, Any] = {}
    for key, values in sorted(groups.items()):
        pref = existing.get(key) or Preference(user_id=user.pk, group=key)
        for field in ("mode", "in_app", "sms", "email"):
            if field in values:
                value = Mode(values[field]).value if field == "mode" else bool(values[field])
                setattr(pref, field, value)
        pref.save()
        existing[key] = pref
        changed[key] = {"mode": pref.mode, "in_app": pref.in_app, "sms": pref.sms, "email": pref.email}
    if quiet_start is None:
        QuietHours.objects.filter(user_id=user.pk).delete()
    else:
        QuietHours.objects.update_or_create(user_id=user.pk, defaults={"start": quiet_start, "end": quiet_end})
    quiet = f"{quiet_start:%H:%M}-{quiet_end:%H:%M}" if quiet_start and quiet_end else None
    record_change(user, verb="notification_preferences", actor=actor, after={"groups": changed, "quiet_hours": quiet})
    return sorted(existing.values(), key=lambda p: p.group)


@action
def send_digest(user: Any, *, now: dt.datetime | None = None) -> Digest | None:
    """The daily digest of ``user``: one notice (through the channels the user chose for the
    groups in digest mode) listing the non-urgent notices still unread that waited for it since
    the last digest. At most one per local day (a unique constraint; a second call that day
    raises IntegrityError and changes nothing). Notices already read are marked as handled
    without being listed. Returns None when nothing was unread."""
    now = now or timezone.now()
    waiting = list(
        Notification.objects.select_for_update()
        .filter(recipient_id=user.pk, delivery=Delivery.DIGEST)
        .order_by("created_at", "pk")
    )
    unread = [n for n in waiting if n.read_at is None]
    digest = None
    if unread:
        digest = Digest.objects.create(
            recipient_id=user.pk, day=timezone.localdate(now), count=len(unread), created_at=now
        )
        channels = sorted({c for n in unread for c in n.channels})
        lines = [f"· {n.title}" for n in unread[:DIGEST_LINES]]
        if len(unread) > DIGEST_LINES:
            lines.append(gettext("… and %(count)d more") % {"count": len(unread) - DIGEST_LINES})
        title = ngettext("Daily digest: %(count)d notice", "Daily digest: %(count)d notices", len(unread)) % {
            "count": len(unread)
        }
        # The digest goes out now (the job runs after quiet hours) on the channels of the
        # notices it lists; it is not itself an unread item in the app.
        notice = Notification.objects.create(
            recipient_id=user.pk,
            kind=DIGEST_KIND,
            title=title[:200],
            body="\n".join(lines)[:2000],
            in_app=False,
            channels=channels,
            delivery=Delivery.IMMEDIATE,
            created_at=now,
        )
        send_after_commit([notice.pk])
    Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(delivery=Delivery.DIGESTED, digest=digest)
    record_change(
        digest if digest is not None else user,
        verb="send_digest",
        actor=None,
        after={"notices": len(unread), "handled": len(waiting)},
    )
    return digest


@action
def release_held_notifications(user: Any, *, now: dt.datetime | None = None) -> int:
    """Send the notices held during ``user``'s quiet hours, once they are over. Returns how many
    (0 while still inside quiet hours)."""
    now = now or timezone.now()
    quiet = QuietHours.objects.filter(user_id=user.pk).first()
    ids: list[int] = []
    if quiet is None or not quiet.covers(now):
        ids = list(
            Notification.objects.select_for_update()
            .filter(recipient_id=user.pk, delivery=Delivery.HELD)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(delivery=Delivery.RELEASED)
        send_after_commit(ids)
    record_change(user, verb="release_held_notifications", actor=None, after={"notifications_released": len(ids)})
    return len(ids)
