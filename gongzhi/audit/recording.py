"""``record_change``: the one helper every action calls to record its change.

It lives here rather than in ``actions.py`` because it is not an action itself: the
contract test checks that every public function *defined* in an ``actions.py`` is an
``@action``. ``gongzhi.audit.actions`` re-exports it, and that is the import to use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gongzhi.audit.decorators import note_change_recorded
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.snapshot import diff, scrub, snapshot
from gongzhi.core import context


def record_change(
    target: models.Model,
    *,
    verb: str,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | bool | None = True,
    related: models.Model | None = None,
) -> ChangeRecord:
    """Write one change record. Call it inside the action's transaction, exactly once.

    ``before`` is a :func:`snapshot` taken before the change (None for creations);
    ``after`` defaults to a fresh snapshot of ``target`` (pass None for deletions, or a
    dict of details for actions that are not field edits). Only changed keys are kept;
    personal-data fields (the model's ``audit_redacted_fields``) are stored as
    ``"[redacted]"``. The actor defaults to the current request/task context's actor;
    request id, source, IP and user agent always come from that context.
    """
    ctx = context.current()
    actor = actor if actor is not None else ctx.actor
    after_data = snapshot(target) if after is True else (after or None)
    before_data, after_data = diff(before, after_data)
    is_user = bool(getattr(actor, "is_authenticated", False)) and getattr(actor, "pk", None) is not None
    note_change_recorded()
    return ChangeRecord.objects.create(
        actor=actor if is_user else None,
        actor_label=(str(actor) if is_user else ctx.source)[:150],
        source=ctx.source[:64],
        request_id=ctx.request_id[:64],
        verb=verb[:64],
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        before=scrub(before_data),
        after=scrub(after_data),
        ip=ctx.ip,
        user_agent=ctx.user_agent[:400],
    )
