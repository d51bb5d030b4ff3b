"""Seed the holiday calendar: 2026 from the State Council notice (chinese_calendar,
with 调休 make-up workdays), 2027 provisional from the statutory rules."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.workcal.seed import seed_days

    CalendarDay = apps.get_model("workcal", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, is_workday=is_workday, name=name, source=source)
            for day, is_workday, name, source in seed_days()
            if day not in existing
        ]
    )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workcal", "CalendarDay")
    CalendarDay.objects.filter(date__year__in=[2026, 2027], source__in=["official", "provisional"]).delete()


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
