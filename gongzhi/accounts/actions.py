"""Account actions: every write to a user goes through one of these."""

from __future__ import annotations

from typing import Any

from gongzhi.accounts.choices import UiLanguage
from gongzhi.accounts.errors import AccountError, AccountErrorCode
from gongzhi.accounts.models import User
from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action


@action
def update_preferences(user: User, *, actor: Any, elder_mode: bool | None = None, language: str | None = None) -> User:
    """Save a user's UI preferences (elder mode, language); they follow the user across devices."""
    before = snapshot(user)
    fields = []
    if elder_mode is not None:
        user.elder_mode = elder_mode
        fields.append("elder_mode")
    if language is not None:
        if language not in UiLanguage.values:
            raise AccountError(AccountErrorCode.INVALID_LANGUAGE, field="language")
        user.language = language
        fields.append("language")
    user.save(update_fields=[*fields, "updated_at"])
    record_change(user, verb="update_preferences", actor=actor, before=before)
    return user
