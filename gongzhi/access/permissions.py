"""Who may see and administer role grants."""

from __future__ import annotations

from typing import Any

from gongzhi.access.models import RoleGrant
from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission


class RoleGrantPolicy(Policy):
    """The security administrator lists, grants and revokes; a user may look at their own grants."""

    model = RoleGrant

    @classmethod
    def _held(cls, user: Any, verb: str) -> bool:
        return bool(
            getattr(user, "is_authenticated", False) and grants_with_permission(user, f"access.{verb}_rolegrant")
        )

    @classmethod
    def can_view(cls, user: Any, obj: RoleGrant | None) -> bool:
        if obj is None:
            return cls._held(user, "view")
        return cls.in_scope(user, "view", obj)

    @classmethod
    def can_add(cls, user: Any, obj: RoleGrant | None = None) -> bool:
        return cls._held(user, "add")

    @classmethod
    def can_revoke(cls, user: Any, obj: RoleGrant | None) -> bool:
        if not cls._held(user, "revoke"):
            return False
        if obj is None:
            return True
        # State and self-revocation are the action's rules, refused with their error codes.
        return cls.in_scope(user, "revoke", obj)
