"""The sensitive-word filter and the rate limits against spam.

A text matching an active sensitive word is *held for review* (status ``held``, visible to
its author and moderators only, listed in the moderation queue), never silently dropped.
Matching is case-insensitive on the text with spaces and common separators removed, so
"敏 感 词" and "敏-感-词" are caught as well.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from gongzhi.participation.deliberation.errors import DeliberationError, DeliberationErrorCode
from gongzhi.participation.deliberation.models import Comment, Proposal, Report, SensitiveWord

# Spaces, ASCII punctuation and the full-width comma, full stops, marks and quotes put between characters.
_SEPARATORS = re.compile("[\\s\\-_.·•*|/\\\\,~`'\"!?\uff0c\u3002\u3001\uff01\uff1f\u201c\u201d\u2018\u2019]+")

#: kind → (how many, in how many seconds), overridable with GONGZHI_PARTICIPATION_RATE_LIMITS.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "proposal": (5, 3600),
    "comment": (20, 600),
    "report": (20, 3600),
}
_COUNTED: dict[str, tuple[type[Model], str]] = {
    "proposal": (Proposal, "author"),
    "comment": (Comment, "author"),
    "report": (Report, "reporter"),
}


def normalise(text: str) -> str:
    return _SEPARATORS.sub("", text or "").casefold()


def find_sensitive(*texts: str) -> list[str]:
    """The active sensitive words found in the texts (sorted, without repeats)."""
    haystack = " ".join(normalise(t) for t in texts)
    if not haystack:
        return []
    words = SensitiveWord.objects.filter(is_active=True).values_list("word", flat=True)
    return sorted({w for w in words if normalise(w) and normalise(w) in haystack})


def limit(kind: str) -> tuple[int, int]:
    limits = getattr(settings, "GONGZHI_PARTICIPATION_RATE_LIMITS", {}) or {}
    return tuple(limits.get(kind, DEFAULT_LIMITS[kind]))  # type: ignore[return-value]


def check_rate(user: Any, kind: str) -> None:
    """Refuse when the user posted ``kind`` too often recently (staff entering for residents
    are counted on the resident, so proxies are limited too)."""
    count, seconds = limit(kind)
    model, field = _COUNTED[kind]
    since = timezone.now() - dt.timedelta(seconds=seconds)
    recent = model._default_manager.filter(**{field: user, "created_at__gte": since}).count()
    if recent >= count:
        raise DeliberationError(DeliberationErrorCode.RATE_LIMITED, retry_after=seconds)
