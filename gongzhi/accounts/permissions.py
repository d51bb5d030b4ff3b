"""Who may do what to user accounts."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.accounts.models import User


class UserPolicy(Policy):
    """System administrators create and deactivate; security administrators unlock and reset 2FA.

    Listing users needs ``view_user``; a user may look at their own account (owner scope).
    """

    model = User

    @classmethod
    def _held(cls, user: Any, verb: str) -> bool:
        return bool(getattr(user, "is_authenticated", False) and grants_with_permission(user, f"accounts.{verb}_user"))

    @classmethod
    def can_view(cls, user: Any, obj: User | None) -> bool:
        if obj is None:
            return cls._held(user, "view")
        return cls.in_scope(user, "view", obj)

    @classmethod
    def _administer(cls, user: Any, verb: str, obj: User | None) -> bool:
        if not cls._held(user, verb):
            return False
        if obj is None:
            return True
        # Self-administration and state are the actions' rules, refused with their error codes.
        return cls.in_scope(user, verb, obj)

    @classmethod
    def can_add(cls, user: Any, obj: User | None = None) -> bool:
        return cls._held(user, "add")

    @classmethod
    def can_deactivate(cls, user: Any, obj: User | None) -> bool:
        return cls._administer(user, "deactivate", obj)

    @classmethod
    def can_unlock(cls, user: Any, obj: User | None) -> bool:
        return cls._administer(user, "unlock", obj)

    @classmethod
    def can_reset_2fa(cls, user: Any, obj: User | None) -> bool:
        return cls._administer(user, "reset_2fa", obj)
