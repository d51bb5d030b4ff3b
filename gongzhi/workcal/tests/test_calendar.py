import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core import calendar
from gongzhi.workcal import actions
from gongzhi.workcal.errors import CalendarErrorCode, WorkcalError
from gongzhi.workcal.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_seed_has_2026_national_day_and_make_up_saturday(db):
    assert not calendar.is_workday(dt.date(2026, 10, 1))
    assert not calendar.is_workday(dt.date(2026, 10, 7))
    assert calendar.is_workday(dt.date(2026, 10, 10))  # 调休: Saturday worked
    assert calendar.is_workday(dt.date(2026, 9, 20))  # 调休: Sunday worked
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).source == "official"


def test_seed_2027_is_provisional_from_the_lunar_table(db):
    spring_eve = CalendarDay.objects.get(date=dt.date(2027, 2, 5))
    assert (spring_eve.is_workday, spring_eve.name, spring_eve.source) == (False, "春节", "provisional")
    assert not calendar.is_workday(dt.date(2027, 2, 10))  # weekend days given back (补休)
    assert calendar.is_workday(dt.date(2027, 2, 11))
    assert not calendar.is_workday(dt.date(2027, 9, 15))  # 中秋
    assert not calendar.is_workday(dt.date(2027, 6, 9))  # 端午


def test_one_working_day_after_the_eve_of_national_day_is_after_the_holiday(db):
    assert calendar.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert calendar.add_working_days(at(2026, 9, 30, 15, 0), 1) == at(2026, 10, 8, 15, 0)


def test_make_up_saturday_counts_as_a_working_day(db):
    assert calendar.add_working_days(at(2026, 10, 9, 10, 0), 1) == at(2026, 10, 10, 10, 0)
    assert calendar.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
    assert calendar.working_time_between(at(2026, 10, 9, 17, 0), at(2026, 10, 12, 10, 0)) == 9.5 * H


def test_working_hours_skip_lunch_and_night(db):
    assert calendar.add_working_hours(at(2026, 11, 2, 11, 0), 2) == at(2026, 11, 2, 14, 30)
    assert calendar.add_working_hours(at(2026, 11, 2, 17, 0), 2) == at(2026, 11, 3, 10, 0)
    assert calendar.add_working_hours(at(2026, 11, 7, 23, 0), 1) == at(2026, 11, 9, 10, 0)  # Saturday night


def test_negative_days_go_back_over_the_holiday(db):
    assert calendar.add_working_days(dt.date(2026, 10, 8), -1) == dt.date(2026, 9, 30)


def test_subtract_is_the_overdue_cutoff(db):
    now = at(2026, 10, 8, 10, 0)
    cutoff = calendar.subtract_working_time(now, calendar.working_day_length())
    assert cutoff == at(2026, 9, 30, 10, 0)
    assert calendar.add_working_days(cutoff, 1) == now


def test_naive_datetimes_are_refused(db):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_hours(dt.datetime(2026, 11, 2, 10, 0), 1)  # noqa: DTZ001  (the point of the test)


def test_editing_a_day_changes_deadlines_after_commit(db, django_capture_on_commit_callbacks, world):
    assert calendar.add_working_days(dt.date(2026, 10, 30), 1) == dt.date(2026, 11, 2)
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_calendar_day(dt.date(2026, 11, 2), is_workday=False, name="台风停工", actor=world.system_admin)
    assert calendar.add_working_days(dt.date(2026, 10, 30), 1) == dt.date(2026, 11, 3)
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_calendar_day(dt.date(2026, 11, 2), actor=world.system_admin)
    assert calendar.add_working_days(dt.date(2026, 10, 30), 1) == dt.date(2026, 11, 2)


def test_removing_a_missing_day_is_a_domain_error(db, world):
    with pytest.raises(WorkcalError) as err:
        actions.remove_calendar_day(dt.date(2026, 11, 4), actor=world.system_admin)
    assert err.value.code == CalendarErrorCode.DAY_NOT_FOUND


# --- properties ------------------------------------------------------------------------------

# hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2027, 10, 31),  # noqa: DTZ001
    timezones=st.just(SH),
)
durations = st.integers(min_value=0, max_value=60 * 7 * 30).map(lambda m: dt.timedelta(minutes=m))
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(start=moments, a=durations, b=durations)
def test_adding_working_time_is_additive(db, start, a, b):
    assert calendar.add_working_time(calendar.add_working_time(start, a), b) == calendar.add_working_time(start, a + b)


@PROPERTY
@given(s1=moments, s2=moments, d=durations)
def test_adding_working_time_is_monotonic(db, s1, s2, d):
    early, late = sorted([s1, s2])
    assert calendar.add_working_time(early, d) <= calendar.add_working_time(late, d)
    assert calendar.add_working_time(early, d) <= calendar.add_working_time(early, d + dt.timedelta(minutes=1))


@PROPERTY
@given(start=moments, d=durations)
def test_working_time_between_inverts_adding(db, start, d):
    end = calendar.add_working_time(start, d)
    assert end >= start
    assert calendar.working_time_between(start, end) == d


@PROPERTY
@given(due=moments, now=moments, d=durations)
def test_cutoff_matches_adding(db, due, now, d):
    cutoff = calendar.subtract_working_time(now, d)
    assert (calendar.add_working_time(due, d) <= now) == (due <= cutoff)


# The deadline job's constant-time shift must agree with the day-by-day scan everywhere,
# including moments exactly on the edges of working periods, at night and on days off.
edges = st.builds(
    lambda day, clock: dt.datetime.combine(day, clock, tzinfo=SH),
    st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 10, 31)),
    st.sampled_from(
        [dt.time(h, m) for h, m in ((0, 0), (8, 59), (9, 0), (12, 0), (12, 30), (13, 30), (18, 0), (23, 59))]
    ),
)


@PROPERTY
@given(start=st.one_of(moments, edges), days=st.integers(min_value=1, max_value=6))
def test_working_day_shift_matches_adding_working_time(db, start, days):
    shift = calendar.WorkingDayShift(days)
    expected = calendar.add_working_time(start, calendar.working_day_length() * days)
    assert shift(start) == expected
    assert shift(start.astimezone(dt.UTC)) == expected  # any zone in, the same instant out


def test_working_day_shift_over_national_day_and_make_up_saturday(db):
    shift = calendar.WorkingDayShift(1)
    assert shift(at(2026, 9, 30, 15, 0)) == at(2026, 10, 8, 15, 0)
    assert shift(at(2026, 10, 9, 10, 0)) == at(2026, 10, 10, 10, 0)  # 调休 Saturday
    assert shift(at(2026, 10, 3, 11, 0)) == at(2026, 10, 8, 18, 0)  # a holiday counts as its eve's end
    with pytest.raises(ValueError, match="whole working days"):
        calendar.WorkingDayShift(0)
