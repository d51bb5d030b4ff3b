"""Policies for privacy records."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.privacy.models import Consent, PrivacyNotice, RevealLog


def holds_at(user: Any, perm: str, area_path: str) -> bool:
    """``user`` holds ``perm`` through a grant whose area subtree contains ``area_path``."""
    return any(area_path.startswith(g.area_path) for g in grants_with_permission(user, perm))


class ConsentPolicy(Policy):
    model = Consent

    @classmethod
    def can_withdraw(cls, user: Any, obj: Consent | None) -> bool:
        return obj is not None and obj.is_active and holds_at(user, "privacy.withdraw_consent", obj.area_path)


class RevealLogPolicy(Policy):
    model = RevealLog


class NoticePolicy(Policy):
    model = PrivacyNotice
