"""``notify``: rows in the caller's transaction, preferences, quiet hours, after-commit channels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from gongzhi.notifications.choices import Delivery
from gongzhi.notifications.dispatch import notify
from gongzhi.notifications.models import Notification, Preference, QuietHours
from gongzhi.notifications.tests.factories import HOSTILE_TITLE, notice
from gongzhi.work_orders.tests import factories as wo_factories

SH = ZoneInfo("Asia/Shanghai")


def prefer(user, group="testing", **values):
    Preference.objects.update_or_create(user=user, group=group, defaults=values)


def test_rows_are_written_in_the_callers_transaction_and_roll_back_with_it(world):
    class Boom(Exception):
        pass

    def failing_action():
        with transaction.atomic():
            notify([world.resident_c1], kind="testing.ping", title="x")
            assert Notification.objects.filter(recipient=world.resident_c1).count() == 1
            raise Boom

    with pytest.raises(Boom):
        failing_action()
    assert not Notification.objects.filter(recipient=world.resident_c1).exists()


def test_users_and_ids_are_accepted_and_duplicates_dropped(world):
    rows = notify(
        [world.resident_c1, world.resident_c1.pk, world.resident_c3], kind="testing.ping", title="x", body="y"
    )
    assert sorted(r.recipient_id for r in rows) == sorted([world.resident_c1.pk, world.resident_c3.pk])
    assert all(r.pk for r in rows)
    assert notify([], kind="testing.ping", title="x") == []


def test_hostile_text_is_stored_verbatim_but_cut_to_the_field_sizes(world):
    row = notice(world.resident_c1, title=HOSTILE_TITLE, body="体" * 5000, url="/x/" + "a" * 900)
    row.refresh_from_db()
    assert row.title == HOSTILE_TITLE[:200]
    assert len(row.body) == 2000
    assert len(row.url) == 500


def test_source_is_stored_as_a_generic_reference(world):
    order = wo_factories.submitted(world)
    row = notice(world.resident_c1, source=order)
    assert (row.source_type.model, row.source_id) == ("workorder", order.pk)


def test_defaults_are_in_app_only(world, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = notice(world.resident_c1)
    assert (row.in_app, row.channels, row.delivery) == (True, [], Delivery.NONE)
    assert outbox == []


def test_immediate_channels_are_sent_only_after_commit(world, outbox, django_capture_on_commit_callbacks):
    prefer(world.resident_c1, sms=True, email=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = notice(world.resident_c1)
    assert row.delivery == Delivery.IMMEDIATE
    assert row.channels == ["sms", "email"]
    assert outbox == []
    for callback in callbacks:
        callback()
    assert [n.pk for n in outbox] == [row.pk, row.pk]  # once per channel


def test_off_writes_nothing_but_urgent_always_arrives(world, outbox, django_capture_on_commit_callbacks):
    prefer(world.resident_c1, mode="off", in_app=False, sms=True)
    assert notify([world.resident_c1], kind="testing.ping", title="x") == []
    with django_capture_on_commit_callbacks(execute=True):
        row = notice(world.resident_c1, urgent=True)
    assert row.in_app is True  # urgent notices always show in the app
    assert row.delivery == Delivery.IMMEDIATE
    assert [n.pk for n in outbox] == [row.pk]


def test_other_groups_keep_the_defaults(world):
    prefer(world.resident_c1, mode="off")
    order = wo_factories.submitted(world)
    assert notify([world.resident_c1], kind="work_orders.status", title="x", source=order)


def test_digest_mode_waits_for_the_digest(world, outbox, django_capture_on_commit_callbacks):
    prefer(world.resident_c1, mode="digest", email=True)
    with django_capture_on_commit_callbacks(execute=True):
        row = notice(world.resident_c1)
    assert row.delivery == Delivery.DIGEST
    assert row.in_app
    assert outbox == []


def test_in_app_off_keeps_the_row_out_of_the_list(world, client_for):
    prefer(world.resident_c1, in_app=False, sms=True)
    row = notice(world.resident_c1)
    assert row.in_app is False
    assert client_for("resident_c1").get("/api/notifications/unread-count/").json() == {"unread": 0}


@pytest.mark.parametrize(
    ("start", "end", "local", "held"),
    [
        ((22, 0), (7, 0), (23, 30), True),
        ((22, 0), (7, 0), (6, 59), True),
        ((22, 0), (7, 0), (7, 0), False),
        ((12, 0), (14, 0), (13, 0), True),
        ((12, 0), (14, 0), (21, 0), False),
    ],
)
def test_quiet_hours_hold_non_urgent_channels(world, outbox, start, end, local, held):
    prefer(world.resident_c1, sms=True)
    QuietHours.objects.create(user=world.resident_c1, start=dt.time(*start), end=dt.time(*end))
    from gongzhi.notifications.dispatch import Draft, notify_many

    now = dt.datetime(2026, 11, 27, *local, tzinfo=SH)
    [row] = notify_many([Draft(world.resident_c1.pk, "testing.ping", "x")], now=now)
    assert row.delivery == (Delivery.HELD if held else Delivery.IMMEDIATE)
    [urgent] = notify_many([Draft(world.resident_c1.pk, "testing.ping", "x", urgent=True)], now=now)
    assert urgent.delivery == Delivery.IMMEDIATE


class Broken:
    def send(self, notifications):
        raise RuntimeError("provider down")


def test_a_failing_backend_does_not_stop_the_others(world, settings, outbox, django_capture_on_commit_callbacks):
    settings.GONGZHI_NOTIFICATION_CHANNELS = {
        "sms": ["gongzhi.notifications.tests.test_dispatch.Broken", "gongzhi.notifications.channels.MemoryChannel"]
    }
    prefer(world.resident_c1, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        row = notice(world.resident_c1)
    assert [n.pk for n in outbox] == [row.pk]


def test_sms_and_email_channels_reach_users_with_a_phone_or_address(world, settings, mailoutbox):
    from gongzhi.accounts.sms import MemorySmsBackend
    from gongzhi.notifications.channels import EmailChannel, SmsChannel

    MemorySmsBackend.outbox.clear()
    user = world.resident_c1
    user.email = "resident@example.org"
    user.save(update_fields=["email"])
    rows = [notice(user, title="水管维修"), notice(world.no_grant, title="无号码")]
    rows = list(Notification.objects.filter(pk__in=[r.pk for r in rows]).select_related("recipient").order_by("pk"))
    SmsChannel().send(rows)
    EmailChannel().send(rows)
    assert MemorySmsBackend.outbox == [("13800000001", "水管维修")]
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    assert mailoutbox[0].subject == "水管维修"
