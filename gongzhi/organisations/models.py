"""Stakeholders, the areas they serve, and their duty lists (权责清单)."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.organisations.choices import DutyRole, OrganisationKind


def _serves_grant_area(grant: object, verb: str) -> Q | None:
    """An organisation is visible to a grant if it serves any area inside the grant's
    subtree or any ancestor of the grant's area (a district department serving the
    whole district is visible to a community worker there)."""
    path = getattr(grant, "area_path", "")
    if not path:
        return None
    codes = path.rstrip("/").split("/")
    ancestors = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    served = OrganisationArea.objects.filter(organisation_id=OuterRef("pk")).filter(
        Q(area__path__startswith=path) | Q(area__path__in=ancestors)
    )
    return Q(Exists(served)) | Q(pk=getattr(grant, "organisation_id", None))


class Organisation(ScopedModel):
    """A government department, street office, residents' committee, property company …"""

    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Unified social credit code or an internal code")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    home_area = models.ForeignKey(
        "territory.Area", verbose_name=_("seat"), on_delete=models.PROTECT, related_name="seated_organisations"
    )
    home_area_path = models.CharField(_("seat path"), max_length=255, db_index=True, editable=False)
    areas = models.ManyToManyField(
        "territory.Area",
        verbose_name=_("areas served"),
        through="OrganisationArea",
        related_name="serving_organisations",
    )
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("public contact phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(area_path="home_area_path", organisation="pk", extra=_serves_grant_area)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("import_organisation", _("Can import organisations"))]

    def __str__(self) -> str:
        return self.name


class OrganisationArea(models.Model):
    """An area an organisation serves (its whole subtree)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="served_areas"
    )
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation_id", "area_id"]
        verbose_name = _("served area")
        verbose_name_plural = _("served areas")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "area"], name="organisations_served_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.area_id}"


class MatterCategory(ScopedModel):
    """A category of matters (事项分类), three levels deep; work orders and duty lists use it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    # Categories are shared reference data: any grant holding the permission opens every row,
    # an area-bound one too (access.scope.grant_q asks ``extra`` for models without a place).
    scope = ScopeSpec(extra=lambda grant, verb: Q())

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter category")
        verbose_name_plural = _("matter categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=3), name="organisations_category_level_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DutyAssignment(ScopedModel):
    """One line of a duty list: ``organisation`` handles ``category`` in the ``area`` subtree."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="duties"
    )
    category = models.ForeignKey(
        MatterCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="duties"
    )
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    duty_role = models.CharField(_("duty"), max_length=8, choices=DutyRole.choices, default=DutyRole.LEAD)
    basis = models.CharField(_("legal or policy basis"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope = ScopeSpec(area_path="area_path", organisation="organisation_id")

    class Meta:
        ordering = ["category_id", "area_path"]
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty list")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "category", "area"], name="organisations_duty_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.category} · {self.area_path}"
