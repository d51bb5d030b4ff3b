"""Accounts: staff log in with a password (+ TOTP), residents with phone + one-time code."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.access.models import AuthzCachedModel, AuthzQuerySet
from gongzhi.accounts.choices import AccountKind, UiLanguage
from gongzhi.core.scoping import ScopeSpec


class GongzhiUserManager(UserManager.from_queryset(AuthzQuerySet)):  # type: ignore[misc]
    pass


class User(AuthzCachedModel, AbstractUser):
    """A person who signs in. Residents' personal files live in the residents domain;
    this holds only what sign-in and the UI need."""

    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices, default=AccountKind.STAFF)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    # Residents sign in by phone. Staff may have one for SMS notices. Unique when set.
    phone = models.CharField(_("mobile phone"), max_length=20, null=True, blank=True, unique=True)
    elder_mode = models.BooleanField(_("elder mode"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=UiLanguage.choices, default=UiLanguage.ZH_HANS)
    # Home area (community or grid) of a resident; staff areas come from role grants.
    home_area = models.ForeignKey(
        "territory.Area",
        verbose_name=_("home area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = GongzhiUserManager()  # type: ignore[misc]  # AbstractUser declares it as a ClassVar
    scope = ScopeSpec(area_path="home_area__path", owner="pk", owner_verbs=frozenset({"view", "change"}))
    audit_redacted_fields = frozenset({"password", "phone", "last_login"})

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_resident(self) -> bool:
        return self.kind == AccountKind.RESIDENT

    def authz_user_id(self) -> Any:
        return self.pk


def mask_phone(phone: str) -> str:
    """138****0001: enough to recognise a number, not enough to reveal it."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS. Only a keyed hash of the code is stored."""

    phone = models.CharField(_("mobile phone"), max_length=20, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    consumed_at = models.DateTimeField(_("consumed at"), null=True, blank=True)

    audit_redacted_fields = frozenset({"phone", "code_hash"})

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phone sign-in code")
        verbose_name_plural = _("phone sign-in codes")
        indexes = [models.Index(fields=["phone", "created_at"], name="accounts_phonecode_recent")]

    def __str__(self) -> str:
        return mask_phone(self.phone)
