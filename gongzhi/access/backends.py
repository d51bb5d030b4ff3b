"""An auth backend so that ``user.has_perm`` (admin, DRF) answers from role grants.

It authenticates nobody; it only answers permission questions. It has no
``get_user``: no session names it, and Django's test client picks the first backend
that has one for ``force_login``. Object permissions
are answered by scoping: the object must be inside ``restrict(user, verb)``.
"""

from __future__ import annotations

from typing import Any

from gongzhi.access.queries import active_grants
from gongzhi.access.roles import permissions_by_role


class RoleGrantBackend:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user: Any, obj: Any = None) -> set[str]:
        table = permissions_by_role()
        perms: set[str] = set()
        for grant in active_grants(user):
            perms |= table.get(grant.role, frozenset())
        return perms

    def has_perm(self, user: Any, perm: str, obj: Any = None) -> bool:
        """Without ``obj``: a grant carries the permission. With ``obj``: ``obj`` is inside
        ``restrict(user, verb)``, which also opens what the user owns (``ScopeSpec.owner``)."""
        if obj is None or not self._names_model(perm, obj):
            return perm in self.get_all_permissions(user)
        if not getattr(user, "is_active", False):
            return False
        verb = perm.split(".", 1)[1].rsplit("_", 1)[0]
        manager = type(obj)._default_manager
        if not hasattr(manager, "restrict"):
            return perm in self.get_all_permissions(user)
        return bool(manager.restrict(user, verb).filter(pk=obj.pk).exists())

    @staticmethod
    def _names_model(perm: str, obj: Any) -> bool:
        meta = getattr(obj, "_meta", None)
        return meta is not None and perm.startswith(f"{meta.app_label}.") and perm.endswith(f"_{meta.model_name}")

    def has_module_perms(self, user: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user))
