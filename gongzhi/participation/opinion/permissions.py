"""Who may do what with opinion maps. Maps and published statements are public."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.participation.opinion.models import Conversation


def _grant_reaches(user: Any, verb: str, area_path: str, *, residents: bool = False) -> bool:
    """A grant with ``verb`` covers the area; a resident's grant inside the area also counts."""
    if not getattr(user, "is_authenticated", False):
        return False
    for g in grants_with_permission(user, permission_name(Conversation, verb)):
        grant_path = g.area_path or ""
        if area_path.startswith(grant_path) or (residents and grant_path.startswith(area_path)):
            return True
    return False


class ConversationPolicy(Policy):
    model = Conversation

    @classmethod
    def can_add(cls, user: Any, obj: Any = None) -> bool:
        return cls.has_permission(user, "add")

    @classmethod
    def can_manage(cls, user: Any, conversation: Conversation | None) -> bool:
        """Close, recompute the map."""
        if conversation is None:
            return cls.has_permission(user, "manage")
        return _grant_reaches(user, "manage", conversation.area_path)

    @classmethod
    def can_moderate(cls, user: Any, conversation: Conversation | None) -> bool:
        if conversation is None:
            return cls.has_permission(user, "moderate")
        return _grant_reaches(user, "moderate", conversation.area_path)

    @classmethod
    def can_vote(cls, user: Any, conversation: Conversation | None) -> bool:
        if conversation is None:
            return cls.has_permission(user, "vote")
        return conversation.is_open and _grant_reaches(user, "vote", conversation.area_path, residents=True)

    @classmethod
    def can_propose(cls, user: Any, conversation: Conversation | None) -> bool:
        if conversation is None:
            return cls.has_permission(user, "propose")
        return conversation.is_open and _grant_reaches(user, "propose", conversation.area_path, residents=True)
