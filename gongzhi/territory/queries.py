"""Reads about the territory tree. Callers pass querysets already restricted to the user
when the result is shown to a user (``Area.objects.restrict(user, "view")``)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building


def list_subtree(area: Area, *, queryset: QuerySet[Area] | None = None, include_self: bool = True) -> QuerySet[Area]:
    """The area and everything under it: one range scan on the path index."""
    qs = (queryset if queryset is not None else Area.objects.all()).filter(path__startswith=area.path)
    return qs if include_self else qs.exclude(pk=area.pk)


def list_children(area: Area, *, queryset: QuerySet[Area] | None = None) -> QuerySet[Area]:
    return (queryset if queryset is not None else Area.objects.all()).filter(parent=area)


def get_ancestors(area: Area, *, include_self: bool = False) -> list[Area]:
    """Ancestors root first, in one query (their paths are prefixes of this one)."""
    wanted = area.ancestor_paths()
    if not include_self:
        wanted = wanted[:-1]
    return list(Area.objects.filter(path__in=wanted).order_by("level")) if wanted else []


def get_area_by_code(code: str) -> Area | None:
    return Area.objects.filter(code__iexact=code).first()


def count_by_level(area: Area | None = None, *, queryset: QuerySet[Area] | None = None) -> dict[int, int]:
    """Active areas per level, under ``area`` if given; levels with none are 0."""
    qs = queryset if queryset is not None else Area.objects.all()
    if area is not None:
        qs = qs.filter(path__startswith=area.path)
    rows = qs.filter(is_active=True).values("level").annotate(n=Count("id")).order_by("level")
    counts = {int(level): 0 for level in AreaLevel.values}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def count_buildings_under(area: Area) -> int:
    return Building.objects.filter(area_path__startswith=area.path).count()


def list_grids_under(area: Area) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=area.path, level=AreaLevel.GRID, is_active=True)
