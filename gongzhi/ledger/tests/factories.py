"""Helpers that put events on the ledger in tests."""

from __future__ import annotations

from typing import Any

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.ledger.actions import enqueue_event, seal_pending
from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.commitments import commit_personal
from gongzhi.ledger.models import PersonalSalt


class Boom(RuntimeError):
    pass


@action
def record_transition(number: str, *, resident: str = "张三", fail: bool = False) -> Any:
    """A stand-in for a work-order action: one change record, one ledger event."""
    _, commitment = commit_personal(resident)
    event = enqueue_event(
        EventKind.WORK_ORDER_TRANSITION,
        {"work_order": number, "from": "new", "to": "dispatched", "resident": commitment},
    )
    record_change(PersonalSalt.objects.get(commitment=commitment), verb="test")
    if fail:
        raise Boom
    return event


def sealed_log(n: int) -> None:
    """``n`` events queued and sealed (one batch)."""
    for i in range(n):
        record_transition(f"WO-{i}")
    seal_pending()
