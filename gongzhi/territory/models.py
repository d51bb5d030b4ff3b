"""The territory tree (city → district → street → community → grid) and the built
environment under grids (building → unit → room).

Every area has a materialised ``path`` made of its ancestors' codes, e.g.
``"4403/440305/440305001/440305001001/440305001001G01/"``; "everything under this
street" is ``path__startswith=street.path``, one indexed range scan.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.territory.choices import AreaLevel, BuildingUse, CommunityType

PATH_SEPARATOR = "/"
code_validator = RegexValidator(r"^[A-Za-z0-9-]{1,32}$", _("Use 1–32 letters, digits or hyphens."))  # noqa: RUF001


class Area(ScopedModel):
    """A node of the territory tree. Communities carry a type that evaluation weights use."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    community_type = models.CharField(_("community type"), max_length=32, choices=CommunityType.choices, blank=True)
    centre_lat = models.DecimalField(_("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    centre_lng = models.DecimalField(_("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    population = models.PositiveIntegerField(_("registered population"), null=True, blank=True)
    address = models.CharField(_("office address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(area_path="path")

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        permissions = [("import_area", _("Can import areas"))]
        constraints = [
            # Subtree lookups use LIKE, which SQLite compares case-insensitively, so
            # codes must differ by more than case for one prefix to mean one subtree.
            models.UniqueConstraint(Lower("code"), name="territory_area_code_ci_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="territory_area_level_range"),
            models.CheckConstraint(
                condition=Q(level=AreaLevel.COMMUNITY) | Q(community_type=""),
                name="territory_area_type_only_community",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def path_for(parent_path: str, code: str) -> str:
        return f"{parent_path}{code}{PATH_SEPARATOR}"

    def ancestor_paths(self) -> list[str]:
        """Paths of this area and all its ancestors, root first."""
        codes = self.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(codes[: i + 1]) + PATH_SEPARATOR for i in range(len(codes))]


class Building(ScopedModel):
    """A building in a grid. ``area_path`` copies the grid's path for one-hop scoping."""

    grid = models.ForeignKey(Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="buildings")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    use = models.CharField(_("use"), max_length=16, choices=BuildingUse.choices, default=BuildingUse.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    has_lift = models.BooleanField(_("has a lift"), default=False)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["area_path", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="territory_building_unique_name")]

    def __str__(self) -> str:
        return self.name


class Unit(ScopedModel):
    """A stairwell/entrance (单元) of a building."""

    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="units")
    number = models.CharField(_("number"), max_length=16)

    scope = ScopeSpec(area_path="building__area_path")

    class Meta:
        ordering = ["building_id", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="territory_unit_unique_number")]

    def __str__(self) -> str:
        return f"{self.building}{self.number}单元"


class Room(ScopedModel):
    """A dwelling or premises (室). ``floor_area`` weights owners' votes (Civil Code art. 278)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("number"), max_length=16)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)

    scope = ScopeSpec(area_path="unit__building__area_path")

    class Meta:
        ordering = ["unit_id", "number"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="territory_room_unique_number"),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="territory_room_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}{self.number}室"
