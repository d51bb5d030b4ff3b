"""Which shell a user belongs in: the resident portal or the staff console."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from gongzhi.accounts.choices import AccountKind


class Shell(StrEnum):
    PUBLIC = "public"
    RESIDENT = "resident"
    CONSOLE = "console"


def shell_for(user: Any) -> Shell:
    if user is None or not getattr(user, "is_authenticated", False):
        return Shell.PUBLIC
    if getattr(user, "kind", None) == AccountKind.RESIDENT:
        return Shell.RESIDENT
    return Shell.CONSOLE
