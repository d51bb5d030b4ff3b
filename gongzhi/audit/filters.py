"""Search filters for change records, shared by the audit pages, the CSV export and the API."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.models import ChangeRecord

#: Dates in the search form are calendar days in China, whatever the server's zone.
AUDIT_TIMEZONE = ZoneInfo("Asia/Shanghai")


def object_type_choices() -> list[tuple[str, str]]:
    """``"app_label.model"`` for every Gongzhi model, from the app registry (no query)."""
    choices = []
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi."):
            continue
        meta = model._meta
        label = f"{apps.get_app_config(meta.app_label).verbose_name} · {meta.verbose_name}"
        choices.append((f"{meta.app_label}.{meta.model_name}", label))
    return sorted(choices, key=lambda c: c[0])


def start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=AUDIT_TIMEZONE)


class ChangeRecordFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class ChangeRecordFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username", label=_("Actor (user name)"), max_length=150)
    object_type = django_filters.ChoiceFilter(
        choices=object_type_choices, method="filter_object_type", label=_("Object type")
    )
    object_id = django_filters.CharFilter(field_name="target_id", label=_("Object id"), max_length=64)
    verb = django_filters.CharFilter(field_name="verb", label=_("Verb"), max_length=64)
    request_id = django_filters.CharFilter(field_name="request_id", label=_("Request id"), max_length=64)
    date_from = django_filters.DateFilter(
        method="filter_date_from", label=_("From (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label=_("To (date, inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ChangeRecord
        fields: list[str] = []
        form = ChangeRecordFilterForm

    def filter_object_type(self, queryset: QuerySet[ChangeRecord], name: str, value: str) -> QuerySet[ChangeRecord]:
        app_label, _dot, model = value.partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)  # cached per process
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(target_type=content_type)

    def filter_date_from(
        self, queryset: QuerySet[ChangeRecord], name: str, value: datetime.date
    ) -> QuerySet[ChangeRecord]:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_date_to(
        self, queryset: QuerySet[ChangeRecord], name: str, value: datetime.date
    ) -> QuerySet[ChangeRecord]:
        return queryset.filter(created_at__lt=start_of_day(value + datetime.timedelta(days=1)))


def cleaned_filters(filterset: ChangeRecordFilter) -> dict[str, str]:
    """The valid, non-empty filters as plain strings (for links and the export record)."""
    data = getattr(filterset.form, "cleaned_data", {}) or {}
    result = {}
    for name, value in data.items():
        if value in (None, ""):
            continue
        result[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return result
