"""Helpers for audit tests: change records written the only legal way (record_change)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from gongzhi.audit.actions import record_change
from gongzhi.audit.models import ChangeRecord
from gongzhi.core.context import acting_as


def write_record(
    target: Any,
    *,
    verb: str = "probe",
    actor: Any = None,
    after: Any = True,
    before: Any = None,
    source: str = "test",
    request_id: str | None = None,
    at: datetime.datetime | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> ChangeRecord:
    """Write one change record, optionally at a fixed time (created_at is auto_now_add)."""
    with acting_as(actor, source=source, request_id=request_id):
        if at is None:
            return record_change(target, verb=verb, actor=actor, before=before, after=after)
        assert monkeypatch is not None, "pass monkeypatch to write a record at a fixed time"
        with monkeypatch.context() as patch:
            patch.setattr("django.utils.timezone.now", lambda: at)
            return record_change(target, verb=verb, actor=actor, before=before, after=after)


def any_user(username: str = "audit-target") -> Any:
    return get_user_model().objects.create(username=username, display_name=username)
