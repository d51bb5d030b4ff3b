"""Who may do what to a notice: only its recipient, and only to their own (ownership, no grant)."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.notifications.models import Notification


class NotificationPolicy(Policy):
    model = Notification

    @classmethod
    def can_change(cls, user: Any, obj: Notification | None) -> bool:
        """Mark read: the recipient only (everyone else does not even see the row: 404)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return obj is None or obj.recipient_id == user.pk
