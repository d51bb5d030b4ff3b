"""Turns a user's grants into a row filter for a model (see gongzhi.core.scoping)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from gongzhi.access.choices import ORGANISATION_SCOPED_ROLES
from gongzhi.access.models import RoleGrant
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.core.scoping import ScopeSpec


def grant_q(spec: ScopeSpec, grant: RoleGrant, verb: str) -> Q | None:
    """Rows one grant opens; None when the model cannot be placed for this grant."""
    parts: list[Q] = []
    if grant.area_path and not spec.area_path:
        # The model has no place in the territory: only its own rule can open rows to an
        # area-bound grant (e.g. reference data everyone holding the permission may read).
        extra = spec.extra(grant, verb) if spec.extra is not None else None  # noqa: S610
        return extra
    if grant.area_path:
        parts.append(Q(**{f"{spec.area_path}__startswith": grant.area_path}))
    if grant.role in ORGANISATION_SCOPED_ROLES and spec.organisation and grant.organisation_id:
        parts.append(Q(**{spec.organisation: grant.organisation_id}))
    q = Q()
    for part in parts:
        q &= part
    if spec.extra is not None:
        extra = spec.extra(grant, verb)  # noqa: S610  (ScopeSpec.extra is our callable, not QuerySet.extra)
        if extra is not None:
            q = extra if not parts else (q | extra)
    return q


class GrantScopeProvider:
    def scope_q(self, user: Any, model: type[models.Model], verb: str) -> Q | None:
        spec: ScopeSpec = getattr(model, "scope", None) or ScopeSpec()
        result: Q | None = None
        for grant in grants_with_permission(user, permission_name(model, verb)):
            q = grant_q(spec, grant, verb)
            if q is None:
                continue
            if not q:  # an unconditioned grant opens everything
                return Q()
            result = q if result is None else (result | q)
        if spec.owner and verb in spec.owner_verbs:
            own = Q(**{spec.owner: user.pk})
            result = own if result is None else (result | own)
        return result
