"""Open311 clients (one API key per client organisation) and the tokens of the requests
they filed. Keys are stored as SHA-256 hashes; the raw key is shown once, when issued."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec


class Open311Client(ScopedModel):
    """A system allowed to POST requests (a city app, a 12345 hotline bridge …)."""

    name = models.CharField(_("name"), max_length=120)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("client organisation"),
        on_delete=models.PROTECT,
        related_name="open311_clients",
        help_text=_("Requests may be filed only in the areas this organisation serves."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    scope = ScopeSpec(extra=lambda grant, verb: models.Q())
    audit_redacted_fields = frozenset({"key_hash"})

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class ServiceRequestToken(models.Model):
    """The token of a request filed through Open311 (``GET tokens/{token}``)."""

    token = models.CharField(_("token"), max_length=40, unique=True)
    client = models.ForeignKey(Open311Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="tokens")
    order = models.OneToOneField(
        "work_orders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE, related_name="open311_token"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311 request token")
        verbose_name_plural = _("Open311 request tokens")

    def __str__(self) -> str:
        return self.token
