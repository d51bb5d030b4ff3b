"""working_time_between over long spans (months overdue) counts whole days in between
without building their periods; it must equal the day-by-day sum."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import calendar

SH = ZoneInfo("Asia/Shanghai")


def _day_by_day(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    total = dt.timedelta()
    day = a.astimezone(SH).date()
    while day <= b.astimezone(SH).date():
        for start, end in calendar._periods_on(day):
            begin, finish = max(start, a), min(end, b)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (dt.datetime(2026, 1, 5, 10, 17, tzinfo=SH), dt.datetime(2026, 11, 28, 10, 0, tzinfo=SH)),
        (dt.datetime(2026, 9, 30, 23, 0, tzinfo=SH), dt.datetime(2026, 10, 12, 9, 30, tzinfo=SH)),  # National Day
        (dt.datetime(2026, 2, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 3, 4, 5, tzinfo=dt.UTC)),  # Spring Festival
        (dt.datetime(2026, 11, 27, 17, 0, tzinfo=SH), dt.datetime(2026, 11, 28, 9, 0, tzinfo=SH)),  # adjacent days
        (dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), dt.datetime(2026, 11, 2, 18, 0, tzinfo=SH)),  # one day
    ],
)
def test_long_spans_equal_the_day_by_day_sum(db, a, b):
    assert calendar.working_time_between(a, b) == _day_by_day(a, b)
    assert calendar.working_time_between(b, a) == -_day_by_day(a, b)


def test_random_spans_equal_the_day_by_day_sum(db):
    import random

    rng = random.Random(20261128)
    base = dt.datetime(2025, 12, 1, tzinfo=SH)  # the seeded calendar: 2026 and its holidays
    for _ in range(300):
        a = base + dt.timedelta(minutes=rng.randrange(0, 400 * 24 * 60))
        b = a + dt.timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        assert calendar.working_time_between(a, b) == _day_by_day(a, b), (a, b)
