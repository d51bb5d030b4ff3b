"""Filters for the organisation list endpoints."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.territory.models import Area


def visible_area(request: Any, pk: Any) -> Area | None:
    return Area.objects.restrict(getattr(request, "user", None), "view").filter(pk=pk).first()


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    serves = django_filters.NumberFilter(method="filter_serves", label="serves (area id; its ancestors count)")
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="name or code contains")

    class Meta:
        model = Organisation
        fields = ["kind", "serves", "is_active", "q"]

    def filter_serves(self, queryset: QuerySet[Organisation], name: str, value: Any) -> QuerySet[Organisation]:
        area = visible_area(self.request, value)
        if area is None:
            return queryset.none()
        return queryset.filter(pk__in=Organisation.objects.filter(served_areas__area__path__in=area.ancestor_paths()))

    def filter_q(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()[:100]
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


class MatterCategoryFilter(django_filters.FilterSet):
    level = django_filters.NumberFilter()
    parent = django_filters.NumberFilter(field_name="parent_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = MatterCategory
        fields = ["level", "parent", "is_active"]


class DutyAssignmentFilter(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    category = django_filters.NumberFilter(field_name="category_id")
    area = django_filters.NumberFilter(field_name="area_id")
    duty_role = django_filters.ChoiceFilter(choices=DutyRole.choices)
    under = django_filters.NumberFilter(method="filter_under", label="under (area id)")

    class Meta:
        model = DutyAssignment
        fields = ["organisation", "category", "area", "duty_role", "under"]

    def filter_under(self, queryset: QuerySet[DutyAssignment], name: str, value: Any) -> QuerySet[DutyAssignment]:
        area = visible_area(self.request, value)
        return queryset.filter(area_path__startswith=area.path) if area else queryset.none()
