"""Redaction of free text before anything is shown publicly (public board, Open311 GET).

Lower layers (work orders, Open311) call :func:`redact_public`; they never import the text
intelligence app, which sits above them. Instead, richer redactors register themselves here
from their ``AppConfig.ready()`` (``register_redactor``): ``gongzhi.text`` adds licence plates,
bank cards (Luhn) and exact addresses. The default regex redactor below always runs first, so
public text is masked even when no upper layer is installed.

Default: the given names (an order's contact and submitter), self-introduced names ("我是…",
"联系人…"), mobile and landline numbers, ID numbers (18 or 15 digits), long digit runs (bank
cards), e-mail addresses → ``***``; building, unit and room numbers → ``*``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

Redactor = Callable[[str], str]
REDACTED = "***"

_PATTERNS = [
    # ID card (18 or 15 digits), bank cards: long digit runs
    re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"),
    re.compile(r"(?<![0-9])[0-9]{12,19}(?![0-9])"),
    # mobile phones, with or without +86 and separators
    re.compile(r"(?:\+?86[- ]?)?(?<![0-9])1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])"),
    # landlines: 0755-12345678, (0755)12345678, 12345678
    re.compile(r"(?:\(?0[0-9]{2,3}\)?[- ]?)?(?<![0-9])[0-9]{7,8}(?![0-9])"),
    # e-mail addresses
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+"),
]
# "我是王小明" / "我叫…" / "本人…": a self-introduction followed by a 2-3 character name
_SELF_NAME = re.compile(r"(我是|我叫|本人|联系人)[:：]?\s*[\u4e00-\u9fff]{2,3}")
_PLACE = re.compile(r"[0-9\uff10-\uff19A-Za-z]+(?=\s*(?:栋|幢|座|号楼|单元|室|楼|层|房|号))")

_redactors: dict[str, Redactor] = {}


def register_redactor(key: str, redactor: Redactor) -> None:
    """Add (or replace) a redactor run after the default one on every public text."""
    _redactors[key] = redactor


def unregister_redactor(key: str) -> None:
    _redactors.pop(key, None)


def registered() -> list[str]:
    return list(_redactors)


def default_redact(text: str, names: Iterable[str] = ()) -> str:
    """The regex redactor of this layer (no upper layer needed)."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    text = _SELF_NAME.sub(lambda m: m.group(1) + REDACTED, text)
    return _PLACE.sub("*", text)


def redact_public(text: str | None, names: Iterable[str] = ()) -> str:
    """``text`` as it may be shown publicly: the default redactor, then every registered one.

    A registered redactor that fails is logged and skipped (the default already ran), never
    breaking the public page."""
    out = default_redact(text or "", names)
    for key, redactor in list(_redactors.items()):
        try:
            out = redactor(out)
        except Exception:
            log.exception("redactor %s failed", key)
    return out
