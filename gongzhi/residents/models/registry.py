"""Households, residents, their memberships, tags, health and care files, and visits ("一户一案").

Every model copies the grid's materialised ``area_path`` so that scoping
(``restrict(user, verb)``) is one indexed prefix filter without joins. ID numbers,
phones and health/care text are encrypted at rest (:mod:`gongzhi.privacy.fields`);
ID numbers and phones also carry a blind index for exact lookups.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.privacy.fields import BlindIndexField, EncryptedField
from gongzhi.privacy.masking import mask_name
from gongzhi.residents.choices import ContactPreference, Gender, Relation, ResidenceType, TagKind, VisitKind

CHILD_CONSENT_AGE = 14  # PIPL art. 31: under 14, a guardian consents


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Household(ScopedModel):
    """A household (户): at a room of a building, or at an address for unregistered places."""

    # Indexed together with the address in Meta (imports find households by grid and address).
    grid = models.ForeignKey(
        "territory.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="households", db_index=False
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    room = models.ForeignKey(
        "territory.Room",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    number = models.CharField(_("household number"), max_length=32, blank=True, help_text=_("户号 in the register"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    import_batch = models.ForeignKey(
        "residents.ImportBatch",
        verbose_name=_("created by import set"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["area_path", "address", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.CheckConstraint(
                condition=Q(room__isnull=False) | ~Q(address=""), name="residents_household_has_place"
            ),
        ]
        indexes = [models.Index(fields=["grid", "address"], name="residents_household_grid_addr")]

    def __str__(self) -> str:
        return self.address or f"#{self.pk}"


class Resident(ScopedModel):
    """A person on the register. The account (``user``) is set once they sign up themselves."""

    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = EncryptedField(_("ID number"), purpose="identity")
    # Indexed by the partial unique constraint in Meta (exact lookups; a lookup by value
    # implies ``<> ''``, so the planner uses it): no second btree to maintain per row.
    id_number_index = BlindIndexField(_("ID number index"), source="id_number", kind="id_number", db_index=False)
    phone = EncryptedField(_("phone"), purpose="contact")
    phone_index = BlindIndexField(_("phone index"), source="phone", kind="phone", db_index=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=32, blank=True)
    occupation = models.CharField(_("occupation"), max_length=64, blank=True)
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    contact_preference = models.CharField(
        _("contact preference"), max_length=8, choices=ContactPreference.choices, default=ContactPreference.PHONE
    )
    grid = models.ForeignKey(
        "territory.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="residents"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident_record",
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    legal_hold = models.BooleanField(_("legal hold"), default=False, help_text=_("Retention jobs leave it alone."))

    scope = ScopeSpec(area_path="area_path", owner="user_id")
    audit_redacted_fields = frozenset({"name", "date_of_birth", "id_number", "id_number_index", "phone", "phone_index"})
    revealable_fields = {"id_number": "id_number", "phone": "phone", "name": "name"}

    class Meta:
        ordering = ["area_path", "name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="residents_resident_unique_id_number"
            ),
        ]
        indexes = [
            models.Index(fields=["phone_index"], name="residents_resident_phone_ix"),
            # fuzzy import matching: same name and date of birth
            models.Index(fields=["date_of_birth", "name"], name="residents_resident_dob_name"),
        ]

    def __str__(self) -> str:
        return self.masked_label()

    def masked_label(self) -> str:
        return mask_name(self.name)

    def age(self, day: datetime.date | None = None) -> int | None:
        return age_on(self.date_of_birth, day or timezone.localdate())

    @property
    def needs_guardian_consent(self) -> bool:
        age = self.age()
        return age is not None and age < CHILD_CONSENT_AGE


class HouseholdMembership(ScopedModel):
    """A person's stay in a household: relation, residence type, move-in and move-out."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="memberships"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="memberships"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices, default=Relation.HEAD)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.RESIDENT
    )
    moved_in_on = models.DateField(_("moved in on"))
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    move_out_reason = models.CharField(_("move-out reason"), max_length=200, blank=True)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["household_id", "moved_out_on", "relation", "id"]
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "resident"],
                condition=Q(moved_out_on__isnull=True),
                name="residents_membership_one_current",
            ),
            models.CheckConstraint(
                condition=Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=models.F("moved_in_on")),
                name="residents_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.household}"

    @property
    def is_current(self) -> bool:
        return self.moved_out_on is None


class ResidentTag(ScopedModel):
    """A care or status tag (独居老人, 残疾 + grade, 低保 …) with who set it and when."""

    resident = models.ForeignKey(Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="tags")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("tag"), max_length=24, choices=TagKind.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["resident_id", "kind", "-created_at"]
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind"], condition=Q(removed_at__isnull=True), name="residents_tag_one_active"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=1) & Q(grade__lte=4)), name="residents_tag_grade_range"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class HealthFile(ScopedModel):
    """Health and care file (sensitive): written only under the person's separate consent."""

    resident = models.OneToOneField(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="health_file"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    chronic_conditions = EncryptedField(_("chronic conditions"), purpose="health")
    disability_details = EncryptedField(_("disability details"), purpose="health")
    care_needs = EncryptedField(_("care needs"), purpose="health")
    emergency_contacts = EncryptedField(_("emergency contacts"), purpose="health")
    consent = models.ForeignKey(
        "privacy.Consent", verbose_name=_("consent"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path")
    audit_redacted_fields = frozenset({"chronic_conditions", "disability_details", "care_needs", "emergency_contacts"})

    class Meta:
        ordering = ["area_path", "id"]
        verbose_name = _("health and care file")
        verbose_name_plural = _("health and care files")

    def __str__(self) -> str:
        return f"{self.resident}"


class Visit(ScopedModel):
    """A grid worker's visit to a household, with notes and an optional follow-up."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="visits"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident visited"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_on = models.DateField(_("visited on"))
    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    notes = EncryptedField(_("notes"), purpose="care")
    follow_up = models.CharField(_("follow-up"), max_length=200, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)

    scope = ScopeSpec(area_path="area_path")
    audit_redacted_fields = frozenset({"notes"})

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["household", "visited_on"], name="residents_visit_household")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_kind_display()}"
