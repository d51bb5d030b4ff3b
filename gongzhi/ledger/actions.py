"""Every write to the ledger.

Domains call :func:`enqueue_event` inside their own action; the event is sealed into the log
by the sequencer after the action commits (so a rolled-back action never reaches the log, and
a committed one is never lost: the queue row commits with it).

    from gongzhi.ledger.actions import enqueue_event
    from gongzhi.ledger.choices import EventKind
    enqueue_event(EventKind.WORK_ORDER_TRANSITION, {"work_order": order.number, "from": "new", "to": "dispatched"})
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.utils import timezone

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger import keys, merkle
from gongzhi.ledger.choices import AlarmKind, EventKind
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerAlarm,
    LedgerLeaf,
    LedgerNode,
    LogState,
    PendingEvent,
    PersonalSalt,
    Witness,
)
from gongzhi.ledger.note import NoteError, Signature, Verifier, sign_checkpoint
from gongzhi.ledger.queries import DatabaseStore

# The queue and the sequencer live in gongzhi.ledger.sequencer (they are helpers of the
# caller's action and a task entry point, not actions themselves); re-exported here because
# domains are told to import enqueue_event from the ledger's actions.
from gongzhi.ledger.sequencer import drain, enqueue_event, event_record, request_sealing, seal_pending

logger = logging.getLogger(__name__)

__all__ = ["drain", "enqueue_event", "event_record", "request_sealing", "seal_pending"]


@action
def seal_batch(state: LogState, *, ids: list[int]) -> Checkpoint:
    """Move the queued events from ``ids[0]`` to ``ids[-1]`` into the log, in id order, and sign a checkpoint.

    The caller holds the LogState row lock and read ``ids`` (ascending) from the queue under it.
    An event that committed inside that id range after the read is sealed too: it is as
    committed as the others, and the range is one index scan instead of a list of ids. Leaves
    and their hashes are written first, then the new complete subtrees computed in memory
    from the leaf hashes and the stored right edge (``log2 n`` nodes), then the state and the
    signed checkpoint — all in this one transaction.
    """
    builder = merkle.TreeBuilder.resume(DatabaseStore(), state.tree_size)
    now = timezone.now()
    if connection.vendor == "postgresql":
        leaf_hashes = _move_pending_postgresql(state.tree_size, ids, now)
    else:
        leaf_hashes = _move_pending_orm(state.tree_size, ids, now)
    runs = builder.extend_levels(leaf_hashes)
    _insert_nodes([run for run in runs if run[0] > 0])
    state.tree_size = builder.size
    state.root_hash = builder.root()
    state.save(update_fields=["tree_size", "root_hash", "updated_at"])
    checkpoint = _sign(state.tree_size, state.root_hash)
    record_change(
        checkpoint,
        verb="seal",
        after={"tree_size": state.tree_size, "sealed": len(leaf_hashes), "root_hash": state.root_hash.hex()},
    )
    return checkpoint


# Measured (bench/bench_ledger.py): one statement that deletes the queued rows, numbers them
# and inserts the leaves with their hashes computed by PostgreSQL's sha256() is several times
# faster than fetching the events, hashing them in Python and copying them back; only the
# 32-byte leaf hashes come back. Tested on PostgreSQL and SQLite (the ORM path below).
_MOVE_SQL = """
WITH moved AS (
    DELETE FROM ledger_pendingevent WHERE id BETWEEN %(low)s AND %(high)s
    RETURNING id, kind, data
)
INSERT INTO ledger_ledgerleaf (index, leaf_hash, kind, data, created_at)
SELECT %(first)s + row_number() OVER (ORDER BY id) - 1,
       sha256('\\x00'::bytea || convert_to(data, 'UTF8')), kind, data, %(now)s
FROM moved
RETURNING index, leaf_hash
"""


def _move_pending_postgresql(first: int, ids: list[int], now: Any) -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_SQL, {"first": first, "low": ids[0], "high": ids[-1], "now": now})
        rows = cursor.fetchall()
    rows.sort()
    if len(rows) < len(ids) or rows[-1][0] != first + len(rows) - 1:
        # another sequencer cannot hold the LogState lock, so this is a bug, never a race
        raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, "queued events vanished while sealing")
    return [bytes(h) for _, h in rows]


def _move_pending_orm(first: int, ids: list[int], now: Any) -> list[bytes]:
    queued = PendingEvent.objects.filter(id__gte=ids[0], id__lte=ids[-1])
    pending = list(queued.order_by("id").values_list("id", "kind", "data"))
    leaf_hashes = [merkle.leaf_hash(data.encode("utf-8")) for _, _, data in pending]
    LedgerLeaf.objects.bulk_create(
        [
            LedgerLeaf(index=first + i, leaf_hash=h, kind=kind, data=data, created_at=now)
            for i, ((_, kind, data), h) in enumerate(zip(pending, leaf_hashes, strict=True))
        ],
        batch_size=2000,
    )
    queued.delete()
    return leaf_hashes


def _insert_nodes(runs: list[merkle.Run]) -> None:
    """Append the new complete subtrees: binary COPY on PostgreSQL, bulk_create elsewhere."""
    if not runs:
        return
    if connection.vendor == "postgresql":
        sql = "COPY ledger_ledgernode (level, index, hash) FROM STDIN (FORMAT BINARY)"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.set_types(["int2", "int8", "bytea"])
            for level, start, hashes in runs:
                for i, h in enumerate(hashes, start):
                    copy.write_row((level, i, h))
        return
    nodes = [LedgerNode(level=lv, index=i, hash=h) for lv, start, hashes in runs for i, h in enumerate(hashes, start)]
    LedgerNode.objects.bulk_create(nodes, batch_size=2000)


def _sign(size: int, root_hash: bytes) -> Checkpoint:
    signers = keys.signers()
    active = signers[0]
    previous = Checkpoint.objects.order_by("-id").values_list("key_id", flat=True).first()
    note = sign_checkpoint(keys.origin(), size, root_hash, signers)
    checkpoint = Checkpoint.objects.create(tree_size=size, root_hash=root_hash, note=note, key_id=active.key_id.hex())
    if previous and previous != active.key_id.hex():
        # The rotation itself goes on the log, so auditors learn the new key from the log.
        enqueue_event(
            EventKind.KEY_ROTATION,
            {"previous_key_id": previous, "key_id": active.key_id.hex(), "verifier_key": str(active.verifier())},
        )
    return checkpoint


@action
def add_cosignature(checkpoint: Checkpoint, *, signature_line: str) -> Cosignature:
    """Store a registered witness's C2SP cosignature/v1 on ``checkpoint`` after verifying it."""
    try:
        line = Signature.parse(signature_line)
    except NoteError as exc:
        raise LedgerError(LedgerErrorCode.BAD_COSIGNATURE, str(exc), field="signature") from exc
    witness = Witness.objects.filter(name=line.name, key_id=line.key_id.hex(), active=True).first()
    if witness is None:
        raise LedgerError(LedgerErrorCode.UNKNOWN_WITNESS, field="signature")
    body = checkpoint.note.partition("\n\n")[0] + "\n"
    timestamp = Verifier(witness.name, bytes(witness.public_key)).verify_cosignature(body, line)
    if timestamp is None:
        raise LedgerError(LedgerErrorCode.BAD_COSIGNATURE, field="signature")
    cosignature = Cosignature.objects.create(
        checkpoint=checkpoint, witness=witness, timestamp=timestamp, signature_line=signature_line.strip()
    )
    record_change(cosignature, verb="cosign", related=checkpoint)
    return cosignature


@action
def register_witness(name: str, *, verifier_key: str, actor: Any, organisation_label: str = "") -> Witness:
    """Allow another department's witness key (Go note verifier-key format) to cosign."""
    try:
        verifier = Verifier.parse(verifier_key)
    except NoteError as exc:
        raise LedgerError(LedgerErrorCode.UNKNOWN_WITNESS, str(exc), field="verifier_key") from exc
    if verifier.name != name:
        raise LedgerError(LedgerErrorCode.UNKNOWN_WITNESS, "the key's name differs", field="name")
    witness = Witness.objects.create(
        name=name,
        public_key=verifier.public_key,
        key_id=verifier.cosigner_key_id.hex(),
        organisation_label=organisation_label,
    )
    enqueue_event(EventKind.WITNESS_REGISTERED, {"name": name, "verifier_key": str(verifier)})
    record_change(witness, verb="register", actor=actor)
    return witness


@action
def erase_personal_salt(salt: PersonalSalt, *, actor: Any) -> None:
    """PIPL erasure: forget the salt, so the commitment on the log no longer links to anyone."""
    before = snapshot(salt)
    record_change(salt, verb="erase", actor=actor, before=before, after=None)
    salt.delete()


@action
def raise_alarm(
    kind: AlarmKind, *, detail: str, leaf_index: int | None = None, tree_size: int | None = None
) -> LedgerAlarm:
    """Record an integrity alarm (and log it at ERROR so monitoring pages someone)."""
    logger.error("LEDGER ALARM %s: %s (entry %s, size %s)", kind, detail, leaf_index, tree_size)
    alarm = LedgerAlarm.objects.create(kind=kind, detail=detail, leaf_index=leaf_index, tree_size=tree_size)
    record_change(alarm, verb="raise")
    return alarm
