"""Serialise a model instance for audit before/after, with personal data redacted.

Fields a model lists in ``audit_redacted_fields`` never reach a change record. So that
a change to such a field is still *visible* (an auditor must see that a phone number
or password changed, not what it changed to), a snapshot holds a keyed fingerprint of
the value, ``"[redacted:<hmac>]"``; :func:`diff` compares fingerprints and
:func:`scrub` replaces them with ``"[redacted]"`` before anything is stored.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils.crypto import salted_hmac

REDACTED = "[redacted]"
_FINGERPRINT_PREFIX = "[redacted:"
_HMAC_SALT = "gongzhi.audit.snapshot.redacted"


def redacted_fields(instance: models.Model) -> frozenset[str]:
    return frozenset(getattr(type(instance), "audit_redacted_fields", frozenset()))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return REDACTED
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _fingerprint(field: str, value: Any) -> str:
    digest = salted_hmac(_HMAC_SALT, f"{field}\x00{value!r}", algorithm="sha256").hexdigest()
    return f"{_FINGERPRINT_PREFIX}{digest[:24]}]"


def snapshot(instance: models.Model | None) -> dict[str, Any] | None:
    """Concrete field values by attname; redacted fields show only that they are set.

    Pass the result as ``before=`` to ``record_change``; do not store it yourself.
    """
    if instance is None:
        return None
    hidden = redacted_fields(instance)
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.name in hidden or field.attname in hidden:
            data[field.attname] = _fingerprint(field.attname, value) if value not in (None, "") else None
        else:
            data[field.attname] = _plain(value)
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed (both sides), so records stay small and readable."""
    if before is None or after is None:
        return before, after
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    changed.discard("updated_at")
    return {k: before.get(k) for k in sorted(changed)}, {k: after.get(k) for k in sorted(changed)}


def scrub(data: Any) -> Any:
    """Replace redaction fingerprints (at any depth) with ``"[redacted]"``."""
    if isinstance(data, str):
        return REDACTED if data.startswith(_FINGERPRINT_PREFIX) else data
    if isinstance(data, dict):
        return {k: scrub(v) for k, v in data.items()}
    if isinstance(data, list):
        return [scrub(v) for v in data]
    return data
