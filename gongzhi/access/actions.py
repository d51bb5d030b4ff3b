"""Role administration. Only the security administrator grants and revokes roles (三员分立).

Rules, each with its error code (``AccessErrorCode``):

- the actor holds the security administrator role — ``not_security_admin``;
- nobody grants or revokes their own roles — ``self_grant``;
- administrator roles are exclusive: their holder holds no other role — ``admin_role_exclusive``;
- administrator roles have neither organisation nor area — ``admin_role_scoped``;
- other roles need an area (``area_required``) and, except the resident role, an organisation
  (``organisation_required``) that serves an area containing it (``organisation_not_serving_area``);
- resident accounts hold the resident role only, staff accounts staff roles only — ``role_kind_mismatch``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from gongzhi.access.choices import ADMIN_ROLES, Role
from gongzhi.access.errors import AccessError, AccessErrorCode
from gongzhi.access.models import RoleGrant
from gongzhi.access.observers import admin_grant_changed
from gongzhi.access.queries import forget_grants, roles_of
from gongzhi.accounts.choices import AccountKind
from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action


def _require_security_admin(actor: Any) -> None:
    if Role.SECURITY_ADMIN not in roles_of(actor):
        raise AccessError(AccessErrorCode.NOT_SECURITY_ADMIN)


def _active(user: Any) -> Any:
    now = timezone.now()
    return RoleGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


def _check_shape(user: Any, role: Role, organisation: Any, area: Any) -> None:
    is_resident_account = getattr(user, "kind", None) == AccountKind.RESIDENT
    if (role == Role.RESIDENT) != is_resident_account:
        raise AccessError(AccessErrorCode.ROLE_KIND_MISMATCH, field="role")
    if role in ADMIN_ROLES:
        if organisation is not None or area is not None:
            raise AccessError(AccessErrorCode.ADMIN_ROLE_SCOPED, field="area" if area is not None else "organisation")
        return
    if area is None:
        raise AccessError(AccessErrorCode.AREA_REQUIRED, field="area")
    if organisation is None:
        if role != Role.RESIDENT:
            raise AccessError(AccessErrorCode.ORGANISATION_REQUIRED, field="organisation")
        return
    # The organisation must serve the area itself or one of its ancestors.
    if not organisation.served_areas.filter(area__path__in=area.ancestor_paths()).exists():
        raise AccessError(AccessErrorCode.ORGANISATION_NOT_SERVING_AREA, field="organisation")


@action
def grant_role(
    user: Any,
    *,
    role: Role | str,
    organisation: Any = None,
    area: Any = None,
    actor: Any,
    valid_until: datetime | None = None,
) -> RoleGrant:
    """Grant ``role`` to ``user`` for ``organisation`` over the ``area`` subtree."""
    role = Role(role)
    _require_security_admin(actor)
    if user.pk == getattr(actor, "pk", None):
        raise AccessError(AccessErrorCode.SELF_GRANT)
    # Lock the user so that two concurrent grants cannot both pass the exclusivity check.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise AccessError(AccessErrorCode.USER_INACTIVE)
    if valid_until is not None and valid_until <= timezone.now():
        raise AccessError(AccessErrorCode.VALID_UNTIL_PAST, field="valid_until")
    _check_shape(user, role, organisation, area)
    held = set(_active(user).values_list("role", flat=True))
    if (role in ADMIN_ROLES and held) or (held & ADMIN_ROLES):
        raise AccessError(AccessErrorCode.ADMIN_ROLE_EXCLUSIVE, field="role")
    duplicate = RoleGrant.objects.filter(
        user=user, role=role, organisation=organisation, area=area, revoked_at__isnull=True
    ).exists()
    if duplicate:
        raise AccessError(AccessErrorCode.ALREADY_GRANTED)
    grant = RoleGrant.objects.create(
        user=user,
        role=role,
        organisation=organisation,
        area=area,
        area_path=area.path if area is not None else "",
        granted_by=actor,
        valid_until=valid_until,
    )
    admin_grant_changed(grant, "grant")
    record_change(grant, verb="grant_role", actor=actor, before=None, related=user)
    forget_grants(user)
    return grant


@action
def revoke_role(grant: RoleGrant, *, actor: Any) -> RoleGrant:
    """End a grant now. The row is kept (with who revoked it and when) for the record."""
    _require_security_admin(actor)
    if grant.user_id == getattr(actor, "pk", None):
        raise AccessError(AccessErrorCode.SELF_GRANT)
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise AccessError(AccessErrorCode.ALREADY_REVOKED)
    before = snapshot(grant)
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    admin_grant_changed(grant, "revoke")
    record_change(grant, verb="revoke_role", actor=actor, before=before, related=grant.user)
    forget_grants(grant.user)
    return grant
