"""Actions: mark read, mark all read, preferences, digest, release after quiet hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from gongzhi.audit.models import ChangeRecord
from gongzhi.notifications import actions, tasks
from gongzhi.notifications.choices import DIGEST_KIND, Delivery
from gongzhi.notifications.dispatch import Draft, notify_many
from gongzhi.notifications.errors import NotificationError, NotificationErrorCode
from gongzhi.notifications.models import Digest, Notification, Preference, QuietHours
from gongzhi.notifications.tests.factories import notice

SH = ZoneInfo("Asia/Shanghai")


def records(verb):
    return ChangeRecord.objects.filter(verb=verb).count()


def test_mark_read_sets_the_time_once(world):
    row = notice(world.resident_c1)
    first = actions.mark_notification_read(row, actor=world.resident_c1)
    assert first.read_at is not None
    again = actions.mark_notification_read(row, actor=world.resident_c1)
    assert again.read_at == first.read_at
    assert records("read") == 2


def test_mark_all_read_touches_only_the_users_rows(world):
    mine = [notice(world.resident_c1) for _ in range(3)]
    other = notice(world.resident_c3)
    assert actions.mark_all_notifications_read(world.resident_c1, actor=world.resident_c1) == 3
    assert not Notification.objects.filter(pk__in=[r.pk for r in mine], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert actions.mark_all_notifications_read(world.resident_c1, actor=world.resident_c1) == 0
    assert records("read_all_notifications") == 2


def test_preferences_are_created_updated_and_partial(world):
    user = world.resident_c1
    actions.update_notification_preferences(user, actor=user, groups={"testing": {"mode": "digest", "sms": True}})
    pref = Preference.objects.get(user=user, group="testing")
    assert (pref.mode, pref.in_app, pref.sms, pref.email) == ("digest", True, True, False)
    actions.update_notification_preferences(
        user, actor=user, groups={"testing": {"email": True}}, quiet_start=dt.time(22), quiet_end=dt.time(7)
    )
    pref.refresh_from_db()
    assert (pref.mode, pref.sms, pref.email) == ("digest", True, True)
    assert QuietHours.objects.get(user=user).start == dt.time(22)
    actions.update_notification_preferences(user, actor=user, groups={})
    assert not QuietHours.objects.filter(user=user).exists()
    assert records("notification_preferences") == 3


@pytest.mark.parametrize(
    ("groups", "start", "end", "code"),
    [
        ({"nope": {"mode": "off"}}, None, None, NotificationErrorCode.UNKNOWN_GROUP),
        ({"notifications": {"mode": "off"}}, None, None, NotificationErrorCode.UNKNOWN_GROUP),
        ({}, dt.time(22), None, NotificationErrorCode.QUIET_HOURS_INCOMPLETE),
        ({}, dt.time(22), dt.time(22), NotificationErrorCode.QUIET_HOURS_INCOMPLETE),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(world, groups, start, end, code):
    before = ChangeRecord.objects.count()
    with pytest.raises(NotificationError) as exc:
        actions.update_notification_preferences(
            world.resident_c1, actor=world.resident_c1, groups=groups, quiet_start=start, quiet_end=end
        )
    assert exc.value.code == code
    assert ChangeRecord.objects.count() == before
    assert not Preference.objects.filter(user=world.resident_c1).exists()


def _digest_world(world):
    user = world.resident_c1
    Preference.objects.create(user=user, group="testing", mode="digest", sms=True)
    t0 = dt.datetime(2026, 11, 27, 10, tzinfo=SH)
    rows = notify_many([Draft(user.pk, "testing.ping", f"第{i}条") for i in range(3)], now=t0)
    urgent = notify_many([Draft(user.pk, "testing.ping", "紧急", urgent=True)], now=t0)
    actions.mark_notification_read(rows[0], actor=user)
    return user, rows, urgent


def test_digest_lists_the_unread_non_urgent_notices_and_is_once_a_day(
    world, outbox, django_capture_on_commit_callbacks
):
    user, rows, _urgent = _digest_world(world)
    now = dt.datetime(2026, 11, 28, 8, 5, tzinfo=SH)
    with django_capture_on_commit_callbacks(execute=True):
        digest = actions.send_digest(user, now=now)
    assert digest is not None
    assert digest.count == 2
    assert digest.day == dt.date(2026, 11, 28)
    message = Notification.objects.get(kind=DIGEST_KIND, recipient=user)
    assert "第1条" in message.body
    assert "第2条" in message.body
    assert "第0条" not in message.body
    assert "紧急" not in message.body
    assert message.channels == ["sms"]
    assert message.in_app is False
    assert [n.pk for n in outbox if n.kind == DIGEST_KIND] == [message.pk]
    assert set(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("delivery", flat=True)) == {
        Delivery.DIGESTED
    }
    # The same day again: nothing new waits; a new notice waits for tomorrow's digest.
    assert actions.send_digest(user, now=now) is None
    notify_many([Draft(user.pk, "testing.ping", "新")], now=now)
    with pytest.raises(IntegrityError):
        actions.send_digest(user, now=now + dt.timedelta(hours=1))
    assert Digest.objects.filter(recipient=user).count() == 1
    assert Notification.objects.filter(recipient=user, delivery=Delivery.DIGEST).count() == 1


def test_digest_job_waits_for_the_hour_and_is_idempotent(world, settings):
    settings.GONGZHI_NOTIFICATION_DIGEST_HOUR = 8
    user, _rows, _urgent = _digest_world(world)
    now = dt.datetime(2026, 11, 28, 7, 30, tzinfo=SH)
    assert tasks.send_daily_digests(now=now) == 0
    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=SH)
    assert tasks.send_daily_digests(now=now) == 1
    assert tasks.send_daily_digests(now=now) == 0
    assert Digest.objects.filter(recipient=user).count() == 1
    assert records("send_digest") == 1


def test_held_notices_are_released_after_quiet_hours(world, outbox, django_capture_on_commit_callbacks):
    user = world.resident_c1
    Preference.objects.create(user=user, group="testing", sms=True)
    QuietHours.objects.create(user=user, start=dt.time(22), end=dt.time(7))
    night = dt.datetime(2026, 11, 27, 23, tzinfo=SH)
    [row] = notify_many([Draft(user.pk, "testing.ping", "夜间")], now=night)
    assert row.delivery == Delivery.HELD
    now = night + dt.timedelta(hours=1)
    assert tasks.release_held_notifications(now=now) == 0
    now = dt.datetime(2026, 11, 28, 7, 1, tzinfo=SH)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_held_notifications(now=now) == 1
    assert [n.pk for n in outbox] == [row.pk]
    row.refresh_from_db()
    assert row.delivery == Delivery.RELEASED
    assert tasks.release_held_notifications(now=now) == 0
