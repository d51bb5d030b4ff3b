"""Data-subject requests (PIPL art. 44-47): access/copy, correction, deletion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.privacy.fields import EncryptedField
from gongzhi.residents.choices import RequestKind, RequestStatus

#: Calendar days to answer. PIPL practice is 15 working days; residents sits below the
#: working-day calendar (workcal), so the deadline is counted in calendar days, which is stricter.
RESPONSE_DAYS = 15


class DataSubjectRequest(ScopedModel):
    """A resident's request to get a copy of, correct or delete their data, and its handling."""

    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="data_requests"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True
    )
    details = EncryptedField(_("details"), purpose="rights")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("due on"), db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)

    scope = ScopeSpec(area_path="area_path", owner="resident__user_id")
    audit_redacted_fields = frozenset({"details"})

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind"], condition=Q(status="open"), name="residents_dsr_one_open_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="residents_dsr_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_on < timezone.localdate()


class RetentionRun(models.Model):
    """One pass of the retention job: what each rule deleted or anonymised."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    day = models.DateField(_("retention day"))
    counts = models.JSONField(_("rows per rule"), default=dict)
    dry_run = models.BooleanField(_("dry run"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.day} {sum(self.counts.values())}"
