"""Edits of the holiday calendar. Each one reloads the working-day cache after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.core import calendar
from gongzhi.workcal.choices import DaySource
from gongzhi.workcal.errors import CalendarErrorCode, WorkcalError
from gongzhi.workcal.models import CalendarDay


@action
def set_calendar_day(day: dt.date, *, is_workday: bool, name: str = "", actor: Any) -> CalendarDay:
    """Declare ``day`` a holiday or a (make-up) working day; replaces a provisional entry."""
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = snapshot(existing)
    if existing is None:
        existing = CalendarDay.objects.create(date=day, is_workday=is_workday, name=name, source=DaySource.MANUAL)
    else:
        existing.is_workday, existing.name, existing.source = is_workday, name, DaySource.MANUAL
        existing.save(update_fields=["is_workday", "name", "source", "updated_at"])
    record_change(existing, verb="set_calendar_day", actor=actor, before=before)
    transaction.on_commit(calendar.invalidate)
    return existing


@action
def remove_calendar_day(day: dt.date, *, actor: Any) -> None:
    """Let ``day`` follow the weekday rule again."""
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    if existing is None:
        raise WorkcalError(CalendarErrorCode.DAY_NOT_FOUND)
    before = snapshot(existing)
    record_change(existing, verb="remove_calendar_day", actor=actor, before=before, after=None)
    existing.delete()
    transaction.on_commit(calendar.invalidate)
