"""The one helper every action calls to record its change."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gongzhi.audit.decorators import note_change_recorded
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.snapshot import diff, snapshot
from gongzhi.core import context


def record_change(
    target: models.Model,
    *,
    verb: str,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None | bool = True,
    related: models.Model | None = None,
) -> ChangeRecord:
    """Write one change record. Call it inside the action's transaction.

    ``before`` is a :func:`snapshot` taken before the change (None for creations);
    ``after`` defaults to a fresh snapshot of ``target`` (pass None for deletions).
    Only changed keys are kept; personal-data fields are redacted by the snapshot.
    The actor defaults to the current request/task context's actor.
    """
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    after_data = snapshot(target) if after is True else (after or None)
    before_data, after_data = diff(before, after_data)
    is_user = getattr(actor, "is_authenticated", False)
    note_change_recorded()
    return ChangeRecord.objects.create(
        actor=actor if is_user else None,
        actor_label=(str(actor) if is_user else ctx.source)[:150],
        source=ctx.source[:64],
        request_id=ctx.request_id,
        verb=verb[:64],
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        before=before_data,
        after=after_data,
        ip=ctx.ip,
        user_agent=ctx.user_agent,
    )


__all__ = ["record_change", "snapshot"]
