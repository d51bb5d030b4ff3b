"""Privacy records: reveal log, privacy notices, per-purpose consent, key rotation runs.

This app sits below territory and residents: it refers to the people it protects
through a generic (content type, id) subject and copies their ``area_path`` for scoping.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import RestrictedManager, ScopeSpec
from gongzhi.privacy.choices import ConsentGiver, ConsentPurpose, RotationStatus
from gongzhi.privacy.fields import EncryptedField


class RevealLog(models.Model):
    """One time someone read a full (unmasked) value: who, whose, which field, why, when.

    The value itself is never stored here, nor in the change record.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor name"), max_length=150)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("subject (masked)"), max_length=200)
    field = models.CharField(_("field"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=300)
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reveal log entry")
        verbose_name_plural = _("reveal log")
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"], name="privacy_reveal_subject")]

    def __str__(self) -> str:
        return f"{self.actor_label} → {self.subject_label}.{self.field}"


class PrivacyNotice(ScopedModel):
    """A published version of the privacy notice (告知书). Versions are never edited."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Notices are public to anyone holding the view permission.
    scope = ScopeSpec(extra=lambda grant, verb: Q())

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Consent(ScopedModel):
    """One person's consent for one purpose under one notice version; withdrawn, never deleted."""

    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("subject id"), max_length=64)
    area_path = models.CharField(_("area path"), max_length=255, blank=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    notice = models.ForeignKey(
        PrivacyNotice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="consents"
    )
    given_by = models.CharField(_("given by"), max_length=16, choices=ConsentGiver.choices, default=ConsentGiver.SELF)
    guardian_name = EncryptedField(_("guardian name"), purpose="guardian")
    guardian_relation = models.CharField(_("guardian relation"), max_length=32, blank=True)
    granted_at = models.DateTimeField(_("granted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeSpec(area_path="area_path")
    audit_redacted_fields = frozenset({"guardian_name"})

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(given_by=ConsentGiver.SELF) | ~Q(guardian_name=""),
                name="privacy_consent_guardian_named",
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "purpose"], name="privacy_consent_subject")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.subject_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class KeyRotationRun(models.Model):
    """A resumable re-encryption run: progress per model (last primary key done)."""

    target_kid = models.CharField(_("target key id"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=RotationStatus.choices, default=RotationStatus.RUNNING
    )
    progress = models.JSONField(_("progress"), default=dict)
    rows_rewritten = models.PositiveBigIntegerField(_("rows re-encrypted"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("key rotation run")
        verbose_name_plural = _("key rotation runs")

    def __str__(self) -> str:
        return f"→ {self.target_kid} ({self.status})"
