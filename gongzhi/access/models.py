"""Role grants: (user, role, organisation, area subtree)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.access.choices import Role
from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import RestrictedManager, RestrictedQuerySet, ScopeSpec

_M = TypeVar("_M", bound=models.Model)


def _forget_user(user_id: Any) -> None:
    from gongzhi.access.authcache import forget_user  # authcache reads this module's models

    forget_user(user_id)


def _forget_everyone() -> None:
    from gongzhi.access.authcache import forget_everyone

    forget_everyone()


class AuthzQuerySet(RestrictedQuerySet[_M]):
    """For users and grants: bulk writes (which bypass ``save``) drop every entry of the
    request authorisation cache (``gongzhi.access.authcache``)."""

    def update(self, **kwargs: Any) -> int:
        changed = super().update(**kwargs)
        _forget_everyone()
        return changed

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        _forget_everyone()
        return deleted

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[_M]:
        created = super().bulk_create(objs, *args, **kwargs)
        _forget_everyone()
        return created


class AuthzManager(RestrictedManager):
    def get_queryset(self) -> AuthzQuerySet[Any]:
        return AuthzQuerySet(self.model, using=self._db)


class AuthzCachedModel(models.Model):
    """Saving or deleting a row drops its user's entry in the request authorisation cache."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _forget_user(self.authz_user_id())

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        user_id = self.authz_user_id()
        deleted = super().delete(*args, **kwargs)
        _forget_user(user_id)
        return deleted

    def authz_user_id(self) -> Any:
        raise NotImplementedError


class RoleGrant(AuthzCachedModel, ScopedModel):
    """A user holds ``role`` for ``organisation`` over the ``area`` subtree.

    ``area_path`` copies the area's materialised path so scoping needs no join; the
    territory actions that move an area keep it in step. A grant with no area is
    system-wide (only the three administrators get those). Revoked grants are kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, blank=True, default="", db_index=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuthzManager()  # type: ignore[misc]  # ScopedModel declares it as a ClassVar

    scope = ScopeSpec(area_path="area_path", organisation="organisation_id", owner="user_id")

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "area"],
                condition=Q(revoked_at__isnull=True),
                name="access_rolegrant_unique_active",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="access_grant_user_active")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation or '-'} · {self.area or '*'}"

    def authz_user_id(self) -> Any:
        return self.user_id
