"""Calendar days that differ from the Monday-to-Friday rule: holidays and 调休 make-up workdays."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.workcal.choices import DaySource


class CalendarDay(ScopedModel):
    """One day of the holiday calendar (节假日/调休上班日). Days not listed follow the weekday rule."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=DaySource.choices, default=DaySource.MANUAL)

    # The calendar is shared reference data: anyone holding the permission sees all of it.
    scope = ScopeSpec(extra=lambda grant, verb: Q())

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.date:%Y-%m-%d} {self.name} ({kind})"
