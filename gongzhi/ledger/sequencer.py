"""The event queue and the sequencer that seals it into the log.

:func:`enqueue_event` is called inside another domain's action (it writes no change record
of its own: the calling action's record covers it). :func:`seal_pending` is the sequencer's
entry point; the sealing itself is the :func:`gongzhi.ledger.actions.seal_batch` action.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.core.debounce import drain_holding_marker, queue_once, run_started
from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.jcs import CanonicalJSONError, canonicalize
from gongzhi.ledger.models import Checkpoint, LogState, PendingEvent

logger = logging.getLogger(__name__)

BATCH_SIZE = 10_000
FORMAT_VERSION = 1


def event_record(kind: str, payload: dict[str, Any], at: str) -> bytes:
    """The canonical JSON bytes of a leaf: what its hash commits to."""
    return canonicalize({"v": FORMAT_VERSION, "kind": kind, "at": at, "event": payload})


def enqueue_event(kind: EventKind | str, payload: dict[str, Any]) -> PendingEvent:
    """Queue a governance event in the caller's transaction (a helper of the caller's action).

    ``payload`` must be JSON with integers or finite floats, and must not contain personal
    data: put a :func:`gongzhi.ledger.commitments.commit_personal` commitment instead.
    """
    if kind not in EventKind.values:
        raise LedgerError(LedgerErrorCode.UNKNOWN_KIND, field="kind")
    at = timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        data = event_record(str(kind), payload, at).decode("utf-8")
    except CanonicalJSONError as exc:
        raise LedgerError(LedgerErrorCode.NOT_CANONICAL, str(exc), field="payload") from exc
    event = PendingEvent.objects.create(kind=str(kind), data=data)
    _request_sealing_on_commit()
    return event


class _SealingRequest:
    """The after-commit callback of one transaction; it forgets itself once it has run."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def __call__(self) -> None:
        if getattr(self.connection, "ledger_sealing_request", None) is self:
            self.connection.ledger_sealing_request = None
        request_sealing()


def _request_sealing_on_commit() -> None:
    """Register :func:`request_sealing` once per transaction, however many events it queues.

    The pending registration is reused only while it is still listed: Django drops the
    callbacks of a savepoint that rolls back, so a listed one was made in a released
    savepoint or in one still open around this event (whose rollback takes this event too).
    """
    connection = transaction.get_connection()
    pending = getattr(connection, "ledger_sealing_request", None)
    if pending is not None and any(callback is pending for _, callback, _ in connection.run_on_commit):
        return
    request = _SealingRequest(connection)
    connection.ledger_sealing_request = request
    transaction.on_commit(request)


#: Set (in the cache) while a sealing run is queued or running: further commits do not queue
#: another one, that run takes their events too. The run lets it go before its last look at the
#: queue, so an event committed after that queues a new run. The time-out bounds the damage of
#: a lost task: at worst one extra run per period (and the scheduled sequencer runs anyway).
SEALING_QUEUED_KEY = "ledger:sealing-queued"


def request_sealing() -> None:
    """After commit: ask the sequencer to run (in-process in embedded mode, a worker otherwise),
    unless a run is already queued (a burst of 1,000 requests queues a handful of runs, not 1,000)."""
    from django.conf import settings

    from gongzhi.ledger.tasks import seal_ledger

    queue_once(
        SEALING_QUEUED_KEY, seal_ledger, "a ledger sealing run", countdown=settings.GONGZHI_LEDGER_SEALING_DELAY_S
    )


def run_sealing(one_pass: Callable[[], tuple[int, bool]]) -> int:
    """The sealing run's body around ``one_pass`` (a bounded drain), holding the marker while
    it works (:func:`gongzhi.core.debounce.drain_holding_marker`)."""
    from gongzhi.ledger.tasks import seal_ledger

    return drain_holding_marker(SEALING_QUEUED_KEY, seal_ledger, "the ledger sealing run", one_pass)


def sealing_started() -> None:
    """Let the marker go: the next commit queues a new run (see ``SEALING_QUEUED_KEY``)."""
    run_started(SEALING_QUEUED_KEY, "the ledger sealing run")


def seal_pending(*, limit: int = BATCH_SIZE) -> Checkpoint | None:
    """Seal up to ``limit`` queued events (the oldest) into leaves and sign a checkpoint.

    Returns None when nothing was pending. See :func:`drain` for sealing a backlog.
    """
    sealed = _seal_next(limit=limit, after_id=None)
    return sealed[0] if sealed else None


def drain(*, max_batches: int, limit: int = BATCH_SIZE) -> int:
    """Seal batch after batch until the queue is empty (or ``max_batches``); returns batches sealed.

    The first batch takes the oldest queued events; each later one continues after the
    highest id just sealed, so no batch walks again over the rows its predecessors deleted
    (on PostgreSQL those stay in the index until VACUUM, which a long transaction anywhere
    on the server can hold back: scanning from the head each time is quadratic). An event
    whose transaction commits late with a lower id is taken by the next drain's first batch.
    """
    after_id: int | None = None
    for batch in range(max_batches):
        sealed = _seal_next(limit=limit, after_id=after_id)
        if sealed is None:
            return batch
        after_id = sealed[1]
    return max_batches


def _seal_next(*, limit: int, after_id: int | None) -> tuple[Checkpoint, int] | None:
    """One sealing transaction; returns the checkpoint and the highest queue id sealed.

    The LogState row is locked (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transactions
    serialise writers), so two sequencers never extend the tree from the same size.
    """
    with transaction.atomic():
        state = LogState.objects.select_for_update().filter(id=1).first()
        if state is None:
            LogState.objects.get_or_create(id=1)
            state = LogState.objects.select_for_update().get(id=1)
        queue = PendingEvent.objects.order_by("id")
        if after_id is not None:
            queue = queue.filter(id__gt=after_id)
        ids = list(queue.values_list("id", flat=True)[:limit])
        if not ids:
            return None
        from gongzhi.ledger.actions import seal_batch

        return seal_batch(state, ids=ids), ids[-1]
