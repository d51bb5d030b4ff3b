"""Error codes of the notifications domain."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class NotificationErrorCode(StrEnum):
    UNKNOWN_GROUP = "unknown_group"
    QUIET_HOURS_INCOMPLETE = "quiet_hours_incomplete"


class NotificationError(DomainError):
    """A refused notifications action; bad preference input is a 400."""

    http_status: ClassVar[int] = 400
    messages: ClassVar[Mapping[str, Any]] = {
        NotificationErrorCode.UNKNOWN_GROUP.value: _("There is no such group of notices."),
        NotificationErrorCode.QUIET_HOURS_INCOMPLETE.value: _("Give both the start and the end of quiet hours."),
    }
