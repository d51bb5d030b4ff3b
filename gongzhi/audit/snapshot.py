"""Serialise a model instance for audit before/after, with personal data redacted."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

REDACTED = "[redacted]"


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


def snapshot(instance: models.Model | None) -> dict[str, Any] | None:
    """Concrete field values by attname; redacted fields show only whether they are set."""
    if instance is None:
        return None
    hidden = redacted_fields(instance)
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.name in hidden or field.attname in hidden:
            data[field.attname] = REDACTED if value not in (None, "") else None
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
