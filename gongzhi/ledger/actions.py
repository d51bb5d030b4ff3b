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

from django.db import connection, models
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
from gongzhi.ledger.sequencer import enqueue_event, event_record, request_sealing, seal_pending

logger = logging.getLogger(__name__)

__all__ = ["enqueue_event", "event_record", "request_sealing", "seal_pending"]


@action
def seal_batch(state: LogState, pending: list[tuple[int, str, str]]) -> Checkpoint:
    builder = merkle.TreeBuilder.resume(DatabaseStore(), state.tree_size)
    now = timezone.now()
    first = state.tree_size
    created = builder.extend([merkle.leaf_hash(data.encode("utf-8")) for _, _, data in pending])
    leaf_hashes = [h for (level, _), h in created if level == 0]
    _insert(
        LedgerLeaf,
        ["index", "leaf_hash", "kind", "data", "created_at"],
        [
            (first + i, h, kind, data, now)
            for i, ((_, kind, data), h) in enumerate(zip(pending, leaf_hashes, strict=True))
        ],
    )
    _insert(LedgerNode, ["level", "index", "hash"], [(lv, ix, h) for (lv, ix), h in created if lv > 0])
    _delete_pending([pk for pk, _, _ in pending])
    state.tree_size = builder.size
    state.root_hash = builder.root()
    state.save(update_fields=["tree_size", "root_hash", "updated_at"])
    checkpoint = _sign(state.tree_size, state.root_hash)
    record_change(
        checkpoint,
        verb="seal",
        after={"tree_size": state.tree_size, "sealed": len(pending), "root_hash": state.root_hash.hex()},
    )
    return checkpoint


def _delete_pending(ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {PendingEvent._meta.db_table} WHERE id = ANY(%s)", [ids])  # noqa: S608
        return
    for i in range(0, len(ids), 5000):
        PendingEvent.objects.filter(id__in=ids[i : i + 5000]).delete()


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows: COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000)


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
