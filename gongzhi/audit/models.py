"""Change records: one per action, append-only.

Database triggers refuse UPDATE and DELETE on the table, on PostgreSQL and SQLite alike
(see :mod:`gongzhi.audit.append_only` and migration 0002). Users are never hard-deleted
(accounts deactivate them), so the actor foreign key protects instead of nulling: a
SET_NULL would have to UPDATE audit rows.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import RestrictedManager, ScopeSpec


class ChangeRecord(models.Model):
    """Who did what to which object, when, from where, with redacted before/after."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=64, default="web")
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    verb = models.CharField(_("verb"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=200)
    related_type = models.ForeignKey(
        ContentType, verbose_name=_("related type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_id = models.CharField(_("related id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    objects = RestrictedManager()
    # Only the audit administrator holds view_changerecord, with a system-wide grant.
    scope = ScopeSpec()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"], name="audit_change_target"),
            models.Index(fields=["actor", "created_at"], name="audit_change_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_repr}"
