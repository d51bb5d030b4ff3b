"""Sharing with other organisations (PIPL art. 23, 34-35): agreements, police requests, disclosures."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import RestrictedManager, ScopeSpec
from gongzhi.residents.choices import AgreementStatus, PoliceRequestStatus

#: Days an approved police request can be used.
POLICE_REQUEST_VALID_DAYS = 7
#: Distinct approvers a police request needs (none of them the requester).
POLICE_APPROVALS = 2


class SharingAgreement(ScopedModel):
    """What one organisation may receive, why, for which areas and until when.

    Valid while approved, not revoked and today is within [valid_from, valid_until].
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="sharing_agreements",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    fields = models.JSONField(_("fields"), default=list)
    areas = models.ManyToManyField("territory.Area", verbose_name=_("areas"), related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    scope = ScopeSpec(area_path="area_path", organisation="organisation_id")

    class Meta:
        ordering = ["organisation_id", "-valid_until", "id"]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="residents_agreement_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.purpose[:40]}"

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == AgreementStatus.APPROVED and self.valid_from <= day <= self.valid_until


class PoliceRequest(ScopedModel):
    """A police request for one person's data: document number, two distinct approvers."""

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("police station"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="police_requests"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    document_number = models.CharField(_("document number"), max_length=64)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    purpose = models.CharField(_("purpose"), max_length=300)
    fields = models.JSONField(_("fields"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=PoliceRequestStatus.choices, default=PoliceRequestStatus.PENDING
    )
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("approvers"), through="PoliceRequestApproval", related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)

    scope = ScopeSpec(area_path="area_path", organisation="organisation_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("police data request")
        verbose_name_plural = _("police data requests")

    def __str__(self) -> str:
        return f"{self.document_number} ({self.get_status_display()})"

    def is_usable(self) -> bool:
        return (
            self.status == PoliceRequestStatus.APPROVED
            and self.valid_until is not None
            and timezone.now() <= self.valid_until
        )


class PoliceRequestApproval(models.Model):
    """One approver's sign-off on a police request."""

    request = models.ForeignKey(
        PoliceRequest, verbose_name=_("police data request"), on_delete=models.CASCADE, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        ordering = ["request_id", "approved_at", "id"]
        verbose_name = _("police request approval")
        verbose_name_plural = _("police request approvals")
        constraints = [
            models.UniqueConstraint(fields=["request", "approver"], name="residents_police_approval_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} ← {self.approver_id}"


class Disclosure(models.Model):
    """One disclosure of one person's data to another organisation: who, to whom, what, why, under what."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="disclosures"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor name"), max_length=150)
    agreement = models.ForeignKey(
        SharingAgreement,
        verbose_name=_("sharing agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    police_request = models.ForeignKey(
        PoliceRequest,
        verbose_name=_("police data request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=300)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        indexes = [models.Index(fields=["resident", "created_at"], name="residents_disclosure_subject")]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(police_request__isnull=False),
                name="residents_disclosure_has_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ← {self.resident_id} {self.created_at:%Y-%m-%d}"
