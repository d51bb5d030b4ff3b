"""Who may do what to a tracked result. Reading is public; reporting needs a grant over the
result's area (or, for organisation-scoped roles, being the responsible unit); following is
for signed-in residents; nothing changes once the result is completed or cancelled."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.participation.accountability.models import Result


class ResultPolicy(Policy):
    model = Result

    @classmethod
    def can_view(cls, user: Any, obj: Result | None) -> bool:
        return True

    @classmethod
    def can_add(cls, user: Any, obj: Result | None = None) -> bool:
        return cls.has_permission(user, "add")

    @classmethod
    def _reports(cls, user: Any, verb: str, obj: Result | None) -> bool:
        if obj is None:
            return cls.has_permission(user, verb)
        return not obj.is_closed and cls.in_scope(user, verb, obj)

    @classmethod
    def can_change(cls, user: Any, obj: Result | None) -> bool:
        return cls._reports(user, "change", obj)

    @classmethod
    def can_attach(cls, user: Any, obj: Result | None) -> bool:
        return cls._reports(user, "attach", obj)

    @classmethod
    def can_supervise(cls, user: Any, obj: Result | None = None) -> bool:
        return cls.has_permission(user, "supervise") if obj is None else cls.in_scope(user, "supervise", obj)

    @classmethod
    def can_follow(cls, user: Any, obj: Result | None = None) -> bool:
        return bool(
            getattr(user, "is_authenticated", False)
            and grants_with_permission(user, "participation_accountability.follow_result")
        )
