import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from gongzhi.audit.models import ChangeRecord
from gongzhi.core import calendar
from gongzhi.notifications.models import Notification
from gongzhi.work_orders import actions, tasks
from gongzhi.work_orders.choices import OrderType, SupervisionLevel
from gongzhi.work_orders.models import Escalation, WorkOrder
from gongzhi.work_orders.tests import factories

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH)


def _dispatch_at(world, monkeypatch, when, **extra):
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)
    return factories.dispatched(world, **extra)


def _levels(order):
    return sorted(Escalation.objects.filter(order=order).values_list("stage", "level"))


def test_nothing_due_nothing_raised(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.COMPLAINT)
    run = actions.escalate_due_work_orders(now=MONDAY_10 + dt.timedelta(hours=1))
    assert _levels(order) == []
    assert sum(run.counts.values()) == 0


def test_sign_reminder_then_supervision(world, monkeypatch, django_capture_on_commit_callbacks):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.COMPLAINT)
    # 1 working day to sign: reminded when 20% (1.5 working hours) remain.
    assert order.sign_remind_at == dt.datetime(2026, 11, 2, 17, 30, tzinfo=SH)
    with django_capture_on_commit_callbacks(execute=True):
        actions.escalate_due_work_orders(now=order.sign_remind_at)
    assert _levels(order) == [("sign", SupervisionLevel.REMINDER)]
    assert (
        Notification.objects.filter(
            recipient=world.department_handler, source_id=order.pk, kind="work_orders.reminder"
        ).count()
        == 1
    )
    day_after = calendar.add_working_days(order.sign_due, 1)
    actions.escalate_due_work_orders(now=day_after)
    assert ("sign", SupervisionLevel.SUPERVISION) in _levels(order)
    order.refresh_from_db()
    assert order.supervision_level == SupervisionLevel.SUPERVISION


def test_reply_ladder_reaches_public_listing_after_five_working_days(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.ENQUIRY)
    order = actions.sign_work_order(order, actor=world.department_handler)
    four_days_late = calendar.add_working_days(order.reply_due, 4)
    actions.escalate_due_work_orders(now=four_days_late)
    assert ("reply", SupervisionLevel.PUBLIC_LISTING) not in _levels(order)
    actions.escalate_due_work_orders(now=calendar.add_working_days(order.reply_due, 5))
    assert ("reply", SupervisionLevel.PUBLIC_LISTING) in _levels(order)
    order.refresh_from_db()
    assert order.supervision_level == SupervisionLevel.PUBLIC_LISTING
    assert order.events.filter(kind="escalate").count() == len(_levels(order))


def test_running_twice_raises_each_escalation_once(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    late = calendar.add_working_days(order.reply_due, 6)
    first = actions.escalate_due_work_orders(now=late)
    records = ChangeRecord.objects.count()
    second = actions.escalate_due_work_orders(now=late)
    assert sum(first.counts.values()) == 5  # sign: reminder + supervision; reply: all three
    assert sum(second.counts.values()) == 0
    assert Escalation.objects.filter(order=order).count() == 5
    assert ChangeRecord.objects.count() - records == 1  # the second run still records that it ran


def test_held_and_replied_orders_are_skipped(world, monkeypatch):
    held = _dispatch_at(world, monkeypatch, MONDAY_10)
    actions.set_on_hold(held, actor=world.community_worker_c1, on_hold=True, reason="等待鉴定")
    replied = factories.replied(world)
    actions.escalate_due_work_orders(now=calendar.add_working_days(MONDAY_10, 30))
    assert _levels(held) == []
    assert ("reply", SupervisionLevel.SUPERVISION) not in _levels(replied)


def test_reopened_order_is_escalated_again_in_its_new_round(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    actions.escalate_due_work_orders(now=order.sign_remind_at)
    order = actions.transfer_work_order(
        order, to=world.orgs["property_c1"], actor=world.community_worker_c1, reason="x"
    )
    order = actions.return_work_order(order, actor=world.property_staff_c1, reason="非物业职责")
    order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    actions.escalate_due_work_orders(now=order.sign_remind_at)
    rounds = sorted(Escalation.objects.filter(order=order, stage="sign", level=1).values_list("round", flat=True))
    assert rounds == [1, 2]


def test_the_task_is_scheduled_and_runs(world):
    assert settings.GONGZHI_SCHEDULE["work-order-deadlines"][0] == "gongzhi.work_orders.tasks.escalate_deadlines"
    counts = tasks.escalate_deadlines.apply().get()
    assert isinstance(counts, dict)
    assert set(counts) == {
        "sign:reminder",
        "sign:supervision",
        "reply:reminder",
        "reply:supervision",
        "reply:public_listing",
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_raise_one_escalation_each(monkeypatch):
    from gongzhi.testing.world import build_world

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(6)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    shared_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            actions.escalate_due_work_orders(now=late, batch_size=2)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            if not shared_memory:
                connection.close()

    if shared_memory:  # one in-memory SQLite connection cannot be shared by threads: interleave runs
        work()
        work()
    else:
        workers = [threading.Thread(target=work) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert errors == []
    assert Escalation.objects.count() == 6 * 5
    per_order = set(WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("supervision_level", flat=True))
    assert per_order == {SupervisionLevel.PUBLIC_LISTING}
    assert (
        Notification.objects.filter(kind="work_orders.public_listing", recipient=world.department_handler).count() == 6
    )


def test_job_notices_link_to_their_order(world, monkeypatch):
    monday_10 = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: monday_10)
    orders = [factories.dispatched(world) for _ in range(2)]
    actions.escalate_due_work_orders(now=monday_10 + dt.timedelta(days=30))
    for order in orders:
        urls = set(Notification.objects.filter(source_id=order.pk).exclude(url="").values_list("url", flat=True))
        assert urls == {f"/work-orders/{order.pk}/"}
