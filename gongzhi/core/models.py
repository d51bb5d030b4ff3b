"""Base models shared by every domain, and idempotency records for create endpoints."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import RestrictedManager


class TimeStampedModel(models.Model):
    """Adds ``created_at``/``updated_at``; actions name ``updated_at`` in update_fields."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A time-stamped model whose default manager offers ``restrict(user, verb)``."""

    objects = RestrictedManager()

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first response to a create request carrying an ``Idempotency-Key``.

    A retry with the same key and body gets this response back; the same key with a
    different body is refused (422). Keys are per user, so they cannot collide across users.
    """

    user_key = models.CharField(_("user"), max_length=64)
    key = models.CharField(_("key"), max_length=200)
    scope = models.CharField(_("endpoint"), max_length=200)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user_key", "scope", "key"], name="core_idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
