"""Reads of the holiday calendar."""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError

from gongzhi.workcal.models import CalendarDay


def load_days() -> dict[dt.date, bool]:
    """The day source registered with :mod:`gongzhi.core.calendar`."""
    try:
        return dict(CalendarDay.objects.values_list("date", "is_workday"))
    except DatabaseError:  # before migrations have run (e.g. during ``migrate`` itself)
        return {}


def list_days(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year))
