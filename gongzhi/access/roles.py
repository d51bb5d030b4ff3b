"""Which permissions each role holds, collected from every domain's manifest.

A permission is ``"<app_label>.<verb>_<model_name>"``, the same strings Django's
``user.has_perm`` uses, so the admin and DRF see one truth.
"""

from __future__ import annotations

from functools import cache

from gongzhi.core.apps import domain_configs


@cache
def permissions_by_role() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for config in domain_configs():
        for role, codenames in config.role_permissions.items():
            table.setdefault(role, set()).update(f"{config.label}.{c}" for c in codenames)
    return {role: frozenset(perms) for role, perms in table.items()}


def role_has_permission(role: str, perm: str) -> bool:
    return perm in permissions_by_role().get(role, frozenset())


def permission_name(model: type, verb: str) -> str:
    meta = model._meta  # type: ignore[attr-defined]
    return f"{meta.app_label}.{verb}_{meta.model_name}"
