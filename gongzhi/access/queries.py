"""Reads about grants. ``active_grants`` is cached on the user object for one request (and
across requests by ``gongzhi.access.authcache`` when that is on)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from gongzhi.access.choices import ADMIN_ROLES
from gongzhi.access.models import RoleGrant
from gongzhi.access.roles import role_has_permission

_CACHE_ATTR = "_gongzhi_active_grants"


def active_grants(user: Any) -> list[RoleGrant]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        now = timezone.now()
        cached = list(
            RoleGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
            .select_related("organisation", "area")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_grants(user: Any, grants: list[RoleGrant]) -> None:
    """Attach the user's unrevoked grants (loaded with the user, see ``authcache``); the ones
    past their ``valid_until`` are dropped now, at each request."""
    now = timezone.now()
    setattr(user, _CACHE_ATTR, [g for g in grants if g.valid_until is None or g.valid_until > now])


def forget_grants(user: Any) -> None:
    """Drop the per-request cache (after a grant or revoke changes them)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def grants_with_permission(user: Any, perm: str) -> list[RoleGrant]:
    return [g for g in active_grants(user) if role_has_permission(g.role, perm)]


def roles_of(user: Any) -> set[str]:
    return {g.role for g in active_grants(user)}


def is_admin_role_holder(user: Any) -> bool:
    return bool(roles_of(user) & ADMIN_ROLES)
