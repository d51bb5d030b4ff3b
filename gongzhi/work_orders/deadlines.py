"""Deadlines of an order, from the DeadlinePolicy table on the working-day calendar.

Defaults (issue 3): sign within 1 working day of dispatch (urgent: 2 hours); first
contact within 24 hours (urgent: 2 hours); reply within 3 (enquiry), 5 (help, report,
suggestion) or 15 (complaint) working days of dispatch: the clock starts at dispatch,
not at signing. Follow-up within 2 working days of the reply; a resident who does not
rate within 3 days is "unrated".

Reminder moment: when 20% of the allowed time or one working day remains, whichever
comes first; when the whole allowance is one working day or less, at 20% remaining.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from gongzhi.core import calendar
from gongzhi.work_orders.choices import WITH_UNIT, DurationUnit, OrderType, Status, Urgency
from gongzhi.work_orders.models import DeadlinePolicy, WorkOrder


@dataclass(frozen=True)
class Limit:
    value: int
    unit: DurationUnit

    def add_to(self, start: dt.datetime) -> dt.datetime:
        if self.unit == DurationUnit.WORKING_DAYS:
            return calendar.add_working_days(start, self.value)  # type: ignore[return-value]
        if self.unit == DurationUnit.WORKING_HOURS:
            return calendar.add_working_hours(start, self.value)
        return start + dt.timedelta(hours=self.value)


@dataclass(frozen=True)
class Limits:
    sign: Limit
    contact: Limit
    reply: Limit
    follow_up: Limit


REPLY_DAYS = {
    OrderType.ENQUIRY: 3,
    OrderType.HELP: 5,
    OrderType.SUGGESTION: 5,
    OrderType.REPORT: 5,
    OrderType.COMPLAINT: 15,
}
RATING_WINDOW = dt.timedelta(days=3)


def default_limits(order_type: str, urgency: str) -> Limits:
    urgent = urgency == Urgency.URGENT
    return Limits(
        sign=Limit(2, DurationUnit.HOURS) if urgent else Limit(1, DurationUnit.WORKING_DAYS),
        contact=Limit(2, DurationUnit.HOURS) if urgent else Limit(24, DurationUnit.HOURS),
        reply=Limit(REPLY_DAYS.get(order_type, 5), DurationUnit.WORKING_DAYS),  # type: ignore[call-overload]
        follow_up=Limit(2, DurationUnit.WORKING_DAYS),
    )


def _category_chain(order: WorkOrder) -> list[int | None]:
    """The order's category and its ancestors (nearest first), then None (any category)."""
    chain: list[int | None] = []
    category = order.category
    while category is not None and len(chain) < 5:
        chain.append(category.pk)
        category = category.parent
    return [*chain, None]


def limits_for(order: WorkOrder) -> Limits:
    chain = _category_chain(order)
    candidates = DeadlinePolicy.objects.filter(
        is_active=True,
        category_id__in=[c for c in chain if c is not None],
    ) | DeadlinePolicy.objects.filter(is_active=True, category__isnull=True)
    best: tuple[tuple[int, int, int], DeadlinePolicy] | None = None
    for policy in candidates.filter(order_type__in=["", order.order_type], urgency__in=["", order.urgency]):
        rank = (
            len(chain) - chain.index(policy.category_id),
            1 if policy.order_type else 0,
            1 if policy.urgency else 0,
        )
        if best is None or rank > best[0]:
            best = (rank, policy)
    if best is None:
        return default_limits(order.order_type, order.urgency)
    p = best[1]
    return Limits(
        sign=Limit(p.sign_value, DurationUnit(p.sign_unit)),
        contact=Limit(p.contact_value, DurationUnit(p.contact_unit)),
        reply=Limit(p.reply_value, DurationUnit(p.reply_unit)),
        follow_up=Limit(p.follow_up_value, DurationUnit(p.follow_up_unit)),
    )


def reminder_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """When to remind: 20% of the working time left, or one working day left if that is earlier."""
    allowed = calendar.working_time_between(start, due)
    share = getattr(settings, "GONGZHI_WORK_ORDER_REMIND_SHARE", 0.2)
    twenty_percent = calendar.subtract_working_time(due, allowed * share)
    day = calendar.working_day_length()
    if allowed <= day:
        return twenty_percent
    return min(twenty_percent, calendar.subtract_working_time(due, day))


def apply_dispatch_deadlines(order: WorkOrder, dispatched_at: dt.datetime) -> list[str]:
    """Set the handling deadlines from ``dispatched_at``; returns the fields changed."""
    limits = limits_for(order)
    order.sign_due = limits.sign.add_to(dispatched_at)
    order.sign_remind_at = reminder_at(dispatched_at, order.sign_due)
    order.contact_due = limits.contact.add_to(dispatched_at)
    order.reply_due = limits.reply.add_to(dispatched_at)
    order.reply_remind_at = reminder_at(dispatched_at, order.reply_due)
    return ["sign_due", "sign_remind_at", "contact_due", "reply_due", "reply_remind_at"]


def apply_reply_deadlines(order: WorkOrder, replied_at: dt.datetime) -> list[str]:
    order.follow_up_due = limits_for(order).follow_up.add_to(replied_at)
    order.rating_due = replied_at + RATING_WINDOW
    return ["follow_up_due", "rating_due"]


def extend_reply_deadline(order: WorkOrder, working_days: int, start: dt.datetime) -> list[str]:
    assert order.reply_due is not None
    order.reply_due = calendar.add_working_days(order.reply_due, working_days)
    order.reply_remind_at = reminder_at(start, order.reply_due)  # type: ignore[arg-type]
    return ["reply_due", "reply_remind_at"]


def open_deadline_fields(order: WorkOrder) -> list[str]:
    """The deadlines still running for the order's current step(s)."""
    status = order.status
    fields: list[str] = []
    if status == Status.DISPATCHED:
        fields += ["sign_due", "sign_remind_at"]
    if status in WITH_UNIT:
        if order.first_contact_at is None:
            fields.append("contact_due")
        fields += ["reply_due", "reply_remind_at"]
    if status == Status.REPLIED:
        if order.followed_up_at is None:
            fields.append("follow_up_due")
        if order.rated_at is None:
            fields.append("rating_due")
    return [f for f in fields if getattr(order, f) is not None]


def shift_open_deadlines(order: WorkOrder, held_from: dt.datetime, resumed_at: dt.datetime) -> tuple[list[str], int]:
    """A hold stopped the clock: move every open deadline by the working time the order
    spent on hold (nights, weekends and holidays inside the hold do not count, so a hold
    from Friday 17:00 to Monday 10:00 moves them by 2 working hours). Returns the fields
    changed and the paused working minutes."""
    paused = calendar.working_time_between(held_from, resumed_at)
    if paused <= dt.timedelta(0):
        return [], 0
    fields = open_deadline_fields(order)
    for field in fields:
        setattr(order, field, calendar.add_working_time(getattr(order, field), paused))
    return fields, int(paused.total_seconds() // 60)
