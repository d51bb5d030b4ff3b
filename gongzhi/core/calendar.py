"""Working time on the holiday calendar: deadlines in working days and working hours.

A day is a working day by the weekday rule (Monday to Friday) unless the holiday
calendar says otherwise: statutory holidays are days off, and 调休 make-up days
(usually a Saturday or Sunday) are working days. Core knows the arithmetic; the
days themselves come from a *day source* that a domain app (``gongzhi.workcal``)
registers at start-up, as access does for scoping. Core imports no domain.

Working time is the measure ``W(t)`` of working seconds up to ``t`` (working hours
``settings.GONGZHI_WORKING_HOURS`` on working days, in ``GONGZHI_WORKING_TIMEZONE``).
``add_working_time(start, d)`` is the earliest ``t >= start`` with
``W(t) - W(start) == d``, so it is monotonic and additive:
``add(add(s, a), b) == add(s, a + b)``. ``add_working_days`` on a datetime adds
``n`` full working days' worth of working time: dispatched on Friday 15:00,
one working day later is Monday 15:00.

The day table is cached per process. An edit calls :func:`invalidate`, which drops
this process's copy at once and bumps a version in the shared cache so other
processes reload within ``GONGZHI_CALENDAR_RECHECK_SECONDS``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache as shared_cache

DaySource = Callable[[], dict[dt.date, bool]]

DEFAULT_WORKING_HOURS = (("09:00", "12:00"), ("13:30", "18:00"))
VERSION_KEY = "gongzhi:calendar:version"
#: A calendar with no working day for this long is a configuration error, not a loop.
MAX_SCAN_DAYS = 3660


class CalendarError(ValueError):
    """The calendar has no working time where some is needed."""


_source: DaySource | None = None
_lock = threading.Lock()
_days: dict[dt.date, bool] | None = None
_version: object = None
_checked_at = 0.0


def register_day_source(source: DaySource | None) -> None:
    """The app that stores the holiday calendar registers its loader here."""
    global _source
    _source = source
    _drop_local()


def _drop_local() -> None:
    global _days, _checked_at
    with _lock:
        _days = None
        _checked_at = 0.0


def invalidate() -> None:
    """Call after editing the calendar (on commit): reloads here now, elsewhere soon."""
    _drop_local()
    # A cache outage must not break an edit; other processes still recheck.
    with contextlib.suppress(Exception):
        shared_cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _shared_version() -> object:
    try:
        return shared_cache.get(VERSION_KEY)
    except Exception:  # no shared cache: rely on the local copy
        return _version


def overrides() -> dict[dt.date, bool]:
    """Days that differ from (or confirm) the weekday rule: date -> is working day."""
    global _days, _version, _checked_at
    now = time.monotonic()
    days = _days
    recheck = getattr(settings, "GONGZHI_CALENDAR_RECHECK_SECONDS", 30)
    if days is not None and now - _checked_at < recheck:
        return days
    version = _shared_version()
    with _lock:
        if _days is None or version != _version:
            _days = dict(_source()) if _source is not None else {}
            _version = version
        _checked_at = now
        return _days


def is_workday(day: dt.date) -> bool:
    special = overrides().get(day)
    if special is not None:
        return special
    return day.weekday() < 5


# --- working hours -----------------------------------------------------------------


def _parse(value: str | dt.time) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


@cache
def _hours_config(
    raw: tuple[tuple[str, str], ...], tz_name: str
) -> tuple[tuple[tuple[dt.time, dt.time], ...], ZoneInfo]:
    periods = tuple(sorted((_parse(a), _parse(b)) for a, b in raw))
    if not periods:
        raise CalendarError("GONGZHI_WORKING_HOURS is empty")
    previous_end = dt.time.min
    for start, end in periods:
        if not start < end or start < previous_end:
            raise CalendarError("GONGZHI_WORKING_HOURS periods must be increasing and not overlap")
        previous_end = end
    return periods, ZoneInfo(tz_name)


def working_hours() -> tuple[tuple[tuple[dt.time, dt.time], ...], ZoneInfo]:
    raw = getattr(settings, "GONGZHI_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    tz_name = getattr(settings, "GONGZHI_WORKING_TIMEZONE", "Asia/Shanghai")
    return _hours_config(tuple(tuple(p) for p in raw), tz_name)  # type: ignore[arg-type]


def working_day_length() -> dt.timedelta:
    periods, _tz = working_hours()
    base = dt.date(2000, 1, 3)
    return sum(
        (dt.datetime.combine(base, end) - dt.datetime.combine(base, start) for start, end in periods), dt.timedelta()
    )


def _periods_on(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    if not is_workday(day):
        return []
    periods, tz = working_hours()
    return [(dt.datetime.combine(day, a, tzinfo=tz), dt.datetime.combine(day, b, tzinfo=tz)) for a, b in periods]


def _require_aware(value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("working-time arithmetic needs timezone-aware datetimes")


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(working_hours()[1]).date()


def add_working_time(start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """The earliest moment at or after ``start`` by which ``delta`` of working time has passed."""
    _require_aware(start)
    if delta < dt.timedelta():
        return subtract_working_time(start, -delta)
    if delta == dt.timedelta():
        return start
    remaining = delta
    day = _local_date(start)
    for _ in range(MAX_SCAN_DAYS):
        for period_start, period_end in _periods_on(day):
            begin = max(period_start, start)
            if begin >= period_end:
                continue
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise CalendarError("no working time found in the calendar")


def subtract_working_time(end: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """The latest moment ``t`` with ``working_time_between(t, end) >= delta``.

    It answers "which deadlines are at least ``delta`` overdue now": for any ``due``,
    ``add_working_time(due, delta) <= now`` exactly when ``due <= subtract_working_time(now, delta)``.
    """
    _require_aware(end)
    if delta < dt.timedelta():
        return add_working_time(end, -delta)
    if delta == dt.timedelta():
        return end
    remaining = delta
    day = _local_date(end)
    for _ in range(MAX_SCAN_DAYS):
        for period_start, period_end in reversed(_periods_on(day)):
            finish = min(period_end, end)
            if finish <= period_start:
                continue
            available = finish - period_start
            if remaining <= available:
                return finish - remaining
            remaining -= available
        day -= dt.timedelta(days=1)
    raise CalendarError("no working time found in the calendar")


def working_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
    _require_aware(a)
    _require_aware(b)
    if b < a:
        return -working_time_between(b, a)
    total = dt.timedelta()
    first, last = _local_date(a), _local_date(b)
    for day in (first,) if first == last else (first, last):  # the end days: clip their periods
        for period_start, period_end in _periods_on(day):
            begin, finish = max(period_start, a), min(period_end, b)
            if finish > begin:
                total += finish - begin
    # Days strictly inside count whole: counted, not walked (an inbox row 300 days overdue
    # walked 300 days; 25 such rows were ~60 ms of an inbox page at 1,000,000 orders).
    return total + working_day_length() * _workdays_strictly_between(first, last)


def _weekdays_in(start: dt.date, days: int) -> int:
    """Mondays to Fridays among ``days`` consecutive days from ``start``."""
    weeks, rest = divmod(max(days, 0), 7)
    return weeks * 5 + sum((start.weekday() + i) % 7 < 5 for i in range(rest))


def _workdays_strictly_between(first: dt.date, last: dt.date) -> int:
    """Working days ``d`` with ``first < d < last``: the weekday rule, corrected by the
    calendar's overrides (holidays off, make-up days on) that fall in the range."""
    days = (last - first).days - 1
    if days <= 0:
        return 0
    count = _weekdays_in(first + dt.timedelta(days=1), days)
    for day, working in overrides().items():
        if first < day < last:
            count += int(working) - int(day.weekday() < 5)
    return count


class WorkingDayShift:
    """``add_working_time(t, working_day_length() * days)`` for many moments ``t``, in
    constant time per call: the deadline job computes it for every due order (up to a
    million in a catch-up), where the day-by-day scan costs 30-90 µs a call.

    Adding whole working days keeps a moment's position in its working day: a moment
    ``p`` of working time into a working day lands ``p`` into the working day ``days``
    later (the earliest such moment, so the end of the morning rather than the start of
    the afternoon); before the first period it counts as the end of the previous working
    day, after the last period (or on a day off) as the end of that (previous) working
    day. Only the "n-th working day after" a date is looked up in the day table, once per
    date. Exact (tested against ``add_working_time``) wherever the working-hours zone has
    no clock change inside working hours, as with Asia/Shanghai; build one per batch, as
    it does not follow calendar edits made after it was built.
    """

    def __init__(self, days: int) -> None:
        if days < 1:
            raise ValueError("WorkingDayShift adds one or more whole working days")
        self.days = days
        periods, self.tz = working_hours()
        base = dt.date(2000, 1, 3)
        self._periods = [
            (
                start,
                _microseconds(start),
                dt.datetime.combine(base, end) - dt.datetime.combine(base, start),
                _microseconds(end),
            )
            for start, end in periods
        ]
        self._last_end = periods[-1][1]
        self._nth: dict[tuple[dt.date, int], dt.date] = {}
        self._workday: dict[dt.date, bool] = {}

    def _is_workday(self, day: dt.date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = is_workday(day)
        return known

    def _after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself for 0)."""
        if n == 0:
            return day
        key = (day, n)
        found = self._nth.get(key)
        if found is None:
            found = self._nth[key] = add_working_days(day, n)  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def _end_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self._last_end, tzinfo=self.tz)

    def __call__(self, start: dt.datetime) -> dt.datetime:
        _require_aware(start)
        local = start.astimezone(self.tz)
        day = local.date()
        if not self._is_workday(day):  # counts as the end of the previous working day
            return self._end_of(self._after(next_workday(day), self.days - 1))
        clock = _microseconds(local.time())
        position = 0  # working microseconds of the day before ``start``
        for _start, begin, _length, end in self._periods:
            if clock <= begin:
                break
            position += min(clock, end) - begin
        if position == 0:
            return self._end_of(self._after(day, self.days - 1))
        target = self._after(day, self.days)
        remaining = dt.timedelta(microseconds=position)
        for period_start, _begin, length, _end in self._periods:
            if remaining <= length:
                return dt.datetime.combine(target, period_start, tzinfo=self.tz) + remaining
            remaining -= length
        return self._end_of(target)


def _microseconds(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    return add_working_time(start, dt.timedelta(hours=hours))


def add_working_days(start: dt.datetime | dt.date, days: int) -> dt.datetime | dt.date:
    """On a date: the ``days``-th working day after it (before it when negative; 0 → itself).
    On a datetime: ``days`` full working days of working time later (same time of day
    when ``start`` is inside working hours)."""
    if isinstance(start, dt.datetime):
        return add_working_time(start, working_day_length() * days)
    step = 1 if days >= 0 else -1
    left, day = abs(days), start
    scanned = 0
    while left:
        day += dt.timedelta(days=step)
        scanned += 1
        if scanned > MAX_SCAN_DAYS:
            raise CalendarError("no working day found in the calendar")
        if is_workday(day):
            left -= 1
    return day


def next_workday(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the next one."""
    return day if is_workday(day) else add_working_days(day, 1)  # type: ignore[return-value]
