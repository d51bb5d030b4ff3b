"""Filters for the territory list endpoints."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from gongzhi.territory.choices import AreaLevel, BuildingUse, CommunityType
from gongzhi.territory.models import Area, Building, Room, Unit


def visible_area(request: Any, pk: Any) -> Area | None:
    """The area with this id if the user may see it (an invisible one filters to nothing)."""
    user = getattr(request, "user", None)
    return Area.objects.restrict(user, "view").filter(pk=pk).first()


class AreaFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(choices=AreaLevel.choices, coerce=int)
    parent = django_filters.NumberFilter(field_name="parent_id")
    under = django_filters.NumberFilter(method="filter_under", label="under (area id, its whole subtree)")
    community_type = django_filters.ChoiceFilter(choices=CommunityType.choices)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="name or code contains")

    class Meta:
        model = Area
        fields = ["level", "parent", "under", "community_type", "is_active", "q"]

    def filter_under(self, queryset: QuerySet[Area], name: str, value: Any) -> QuerySet[Area]:
        area = visible_area(self.request, value)
        return queryset.filter(path__startswith=area.path) if area else queryset.none()

    def filter_q(self, queryset: QuerySet[Area], name: str, value: str) -> QuerySet[Area]:
        value = value.strip()[:100]
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


class BuildingFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="grid_id")
    under = django_filters.NumberFilter(method="filter_under", label="under (area id)")
    use = django_filters.ChoiceFilter(choices=BuildingUse.choices)
    q = django_filters.CharFilter(method="filter_q", label="name or address contains")

    class Meta:
        model = Building
        fields = ["grid", "under", "use", "q"]

    def filter_under(self, queryset: QuerySet[Building], name: str, value: Any) -> QuerySet[Building]:
        area = visible_area(self.request, value)
        return queryset.filter(area_path__startswith=area.path) if area else queryset.none()

    def filter_q(self, queryset: QuerySet[Building], name: str, value: str) -> QuerySet[Building]:
        value = value.strip()[:100]
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset


class UnitFilter(django_filters.FilterSet):
    building = django_filters.NumberFilter(field_name="building_id")

    class Meta:
        model = Unit
        fields = ["building"]


class RoomFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(field_name="unit_id")
    building = django_filters.NumberFilter(field_name="unit__building_id")

    class Meta:
        model = Room
        fields = ["unit", "building"]
