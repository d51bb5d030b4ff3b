"""On hold really pauses the clock: deadlines move by the working time spent on hold."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import calendar
from gongzhi.work_orders import actions, queries
from gongzhi.work_orders.choices import EventKind
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

SH = ZoneInfo("Asia/Shanghai")
DEADLINES = ["sign_due", "sign_remind_at", "contact_due", "reply_due", "reply_remind_at"]


def at(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def _hold_and_resume(world, monkeypatch, held, resumed, order):
    at(monkeypatch, held)
    order = actions.set_on_hold(order, actor=world.community_worker_c1, on_hold=True, reason="等待产权核实")
    assert order.held_at == held
    at(monkeypatch, resumed)
    return actions.set_on_hold(WorkOrder.objects.get(pk=order.pk), actor=world.community_worker_c1, on_hold=False)


def test_a_hold_over_a_weekend_moves_the_deadlines_by_two_working_hours(world, monkeypatch):
    friday_10 = dt.datetime(2026, 11, 27, 10, tzinfo=SH)
    at(monkeypatch, friday_10)
    order = factories.dispatched(world)
    before = {f: getattr(order, f) for f in DEADLINES}
    assert before["sign_due"] == dt.datetime(2026, 11, 30, 10, tzinfo=SH)  # one working day: Monday 10:00
    # Friday 17:00 → Monday 10:00: Friday 17-18 and Monday 9-10 are working time, the weekend is not.
    order = _hold_and_resume(
        world, monkeypatch, dt.datetime(2026, 11, 27, 17, tzinfo=SH), dt.datetime(2026, 11, 30, 10, tzinfo=SH), order
    )
    assert order.held_at is None
    assert order.sign_due == dt.datetime(2026, 11, 30, 12, tzinfo=SH)
    for field in DEADLINES:
        assert getattr(order, field) == calendar.add_working_time(before[field], dt.timedelta(hours=2)), field
    event = order.events.filter(kind=EventKind.RESUME).get()
    assert event.data["paused_working_minutes"] == 120
    order.refresh_from_db()
    assert order.sign_due == dt.datetime(2026, 11, 30, 12, tzinfo=SH)


def test_a_hold_over_the_national_day_holiday_skips_the_holiday(world, monkeypatch):
    assert not any(calendar.is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_workday(dt.date(2026, 9, 30))
    assert calendar.is_workday(dt.date(2026, 10, 8))
    at(monkeypatch, dt.datetime(2026, 9, 29, 10, tzinfo=SH))
    order = factories.signed(world)
    reply_due = order.reply_due
    order = _hold_and_resume(
        world,
        monkeypatch,
        dt.datetime(2026, 9, 30, 16, 30, tzinfo=SH),
        dt.datetime(2026, 10, 8, 9, 30, tzinfo=SH),
        order,
    )
    # 16:30-18:00 on 30 September and 09:00-09:30 on 8 October: two working hours.
    assert order.events.filter(kind=EventKind.RESUME).get().data["paused_working_minutes"] == 120
    assert order.reply_due == calendar.add_working_time(reply_due, dt.timedelta(hours=2))
    assert calendar.working_time_between(reply_due, order.reply_due) == dt.timedelta(hours=2)


def test_only_open_deadlines_move(world, monkeypatch):
    at(monkeypatch, dt.datetime(2026, 11, 23, 10, tzinfo=SH))
    order = factories.signed(world)
    order = actions.record_first_contact(order, actor=world.department_handler, note="电话联系")
    fixed = {f: getattr(order, f) for f in ("sign_due", "sign_remind_at", "contact_due")}
    reply_due = order.reply_due
    order = _hold_and_resume(
        world, monkeypatch, dt.datetime(2026, 11, 24, 10, tzinfo=SH), dt.datetime(2026, 11, 25, 10, tzinfo=SH), order
    )
    assert {f: getattr(order, f) for f in fixed} == fixed  # signed and contacted: those clocks are done
    assert order.reply_due == calendar.add_working_time(reply_due, calendar.working_day_length())


def test_a_hold_outside_working_hours_moves_nothing(world, monkeypatch):
    at(monkeypatch, dt.datetime(2026, 11, 27, 10, tzinfo=SH))
    order = factories.dispatched(world)
    before = {f: getattr(order, f) for f in DEADLINES}
    order = _hold_and_resume(
        world, monkeypatch, dt.datetime(2026, 11, 28, 10, tzinfo=SH), dt.datetime(2026, 11, 29, 20, tzinfo=SH), order
    )
    assert {f: getattr(order, f) for f in DEADLINES} == before
    assert order.events.filter(kind=EventKind.RESUME).get().data["paused_working_minutes"] == 0


@pytest.mark.parametrize("inbox", ["overdue", "due_soon"])
def test_held_orders_are_neither_due_soon_nor_overdue(world, monkeypatch, inbox):
    at(monkeypatch, dt.datetime(2026, 11, 2, 10, tzinfo=SH))
    order = factories.signed(world)
    actions.set_on_hold(order, actor=world.community_worker_c1, on_hold=True, reason="等待")
    late = order.reply_due + dt.timedelta(days=1) if inbox == "overdue" else order.reply_remind_at
    q = queries.inbox_q(inbox, late)
    assert not WorkOrder.objects.filter(q, pk=order.pk).exists()
    WorkOrder.objects.filter(pk=order.pk).update(on_hold=False)
    assert WorkOrder.objects.filter(q, pk=order.pk).exists()
