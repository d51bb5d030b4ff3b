from typing import Any

from django.contrib import admin

from gongzhi.workcal import actions
from gongzhi.workcal.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    def save_model(self, request: Any, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = actions.set_calendar_day(obj.date, is_workday=obj.is_workday, name=obj.name, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: CalendarDay) -> None:
        actions.remove_calendar_day(obj.date, actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for day in queryset:
            actions.remove_calendar_day(day.date, actor=request.user)
