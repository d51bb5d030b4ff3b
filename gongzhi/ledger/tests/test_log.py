"""Storage, sequencer, checkpoints, append-only tables and the integrity job."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger import actions, merkle, queries, triggers
from gongzhi.ledger.choices import AlarmKind, EventKind
from gongzhi.ledger.commitments import matches_commitment
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.integrity import check_integrity
from gongzhi.ledger.models import Checkpoint, LedgerAlarm, LedgerLeaf, LedgerNode, LogState, PendingEvent, PersonalSalt
from gongzhi.ledger.note import parse_checkpoint
from gongzhi.ledger.tests.conftest import LOG_SIGNER, NEW_LOG_SIGNER
from gongzhi.ledger.tests.factories import Boom, record_transition, sealed_log

pytestmark = pytest.mark.django_db


def _memory_tree() -> merkle.MemoryStore:
    store = merkle.MemoryStore()
    store.extend(
        merkle.leaf_hash(d.encode()) for d in LedgerLeaf.objects.order_by("index").values_list("data", flat=True)
    )
    return store


def test_committed_event_is_sealed_after_commit(django_capture_on_commit_callbacks) -> None:
    # given an action that records a work-order transition
    with django_capture_on_commit_callbacks(execute=True):
        record_transition("WO-1")
    # then after commit the sequencer sealed it into leaf 0 under a signed checkpoint
    leaf = LedgerLeaf.objects.get()
    assert leaf.index == 0
    assert leaf.kind == EventKind.WORK_ORDER_TRANSITION
    assert bytes(leaf.leaf_hash) == merkle.leaf_hash(leaf.data.encode())
    record = json.loads(leaf.data)
    assert record["event"]["work_order"] == "WO-1"
    assert "张三" not in leaf.data  # only the salted commitment
    assert matches_commitment("张三", record["event"]["resident"])
    assert not PendingEvent.objects.exists()
    checkpoint = Checkpoint.objects.get()
    parse_checkpoint(checkpoint.note).verify(LOG_SIGNER.verifier())
    assert ChangeRecord.objects.filter(verb="seal").count() == 1


def test_rolled_back_action_never_reaches_the_log(django_capture_on_commit_callbacks) -> None:
    # given an action that fails after queueing its event
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        record_transition("WO-1", fail=True)
    # then nothing is queued or sealed
    actions.seal_pending()
    assert not PendingEvent.objects.exists()
    assert not LedgerLeaf.objects.exists()
    assert LogState.objects.get().tree_size == 0


def test_sealed_tree_matches_an_in_memory_tree_and_stores_complete_subtrees_only() -> None:
    # given 13 events sealed in three batches (a restart between each: the builder resumes from the DB)
    for batch in (5, 3, 5):
        for i in range(batch):
            record_transition(f"WO-{i}")
        actions.seal_pending(limit=4)
        actions.seal_pending()
    # then the stored root and nodes equal a tree built in memory in one go
    store = _memory_tree()
    state = LogState.objects.get()
    assert state.tree_size == 13
    assert bytes(state.root_hash) == merkle.root(store, 13)
    assert {(n.level, n.index): bytes(n.hash) for n in LedgerNode.objects.all()} == {
        k: v for k, v in store.nodes.items() if k[0] > 0
    }
    assert LedgerNode.objects.count() == 13 - (13).bit_count()  # n - popcount(n) complete internal subtrees
    # and every checkpoint signed a root that the stored tree reproduces
    for cp in Checkpoint.objects.all():
        assert queries.get_root(cp.tree_size) == bytes(cp.root_hash)


def test_proofs_from_the_database_verify_and_take_at_most_two_queries(django_assert_max_num_queries) -> None:
    sealed_log(37)
    root = bytes(LogState.objects.get().root_hash)
    leaf = LedgerLeaf.objects.get(index=21)
    with django_assert_max_num_queries(3):  # the size check + leaves + nodes
        proof = queries.get_inclusion_proof(21, 37)
    merkle.verify_inclusion(21, 37, bytes(leaf.leaf_hash), proof, root)
    with django_assert_max_num_queries(3):
        consistency = queries.get_consistency_proof(10, 37)
    merkle.verify_consistency(10, 37, queries.get_root(10), root, consistency)


def test_proof_for_a_size_beyond_the_log_is_refused() -> None:
    sealed_log(3)
    with pytest.raises(LedgerError) as exc:
        queries.get_inclusion_proof(0, 4)
    assert exc.value.code == LedgerErrorCode.NO_SUCH_SIZE


def test_unknown_kind_and_non_canonical_payloads_are_refused() -> None:
    with pytest.raises(LedgerError) as exc:
        actions.enqueue_event("gossip", {})
    assert exc.value.code == LedgerErrorCode.UNKNOWN_KIND
    with pytest.raises(LedgerError) as exc:
        actions.enqueue_event(EventKind.DECISION, {"x": float("nan")})
    assert exc.value.code == LedgerErrorCode.NOT_CANONICAL


@pytest.mark.parametrize("table", ["ledger_ledgerleaf", "ledger_ledgernode", "ledger_checkpoint"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}"])
def test_log_tables_refuse_update_and_delete(append_only, table: str, statement: str) -> None:
    sealed_log(3)
    column = {"ledger_ledgerleaf": "kind", "ledger_ledgernode": "level", "ledger_checkpoint": "note"}[table]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=table, c=column))
    assert LedgerLeaf.objects.count() == 3


def test_key_rotation_signs_with_both_keys_and_goes_on_the_log(settings) -> None:
    # given a log signed with the first key
    sealed_log(2)
    # when a new key becomes active and the old one is kept for the transition
    settings.GONGZHI_LEDGER_SIGNING_KEYS = f"{NEW_LOG_SIGNER.signer_key()},{LOG_SIGNER.signer_key()}"
    sealed_log(1)
    actions.seal_pending()
    # then the new checkpoints verify under either key, and the rotation is an entry of the log
    latest = Checkpoint.objects.latest()
    parsed = parse_checkpoint(latest.note)
    parsed.verify(NEW_LOG_SIGNER.verifier())
    parsed.verify(LOG_SIGNER.verifier())
    assert latest.key_id == NEW_LOG_SIGNER.key_id.hex()
    rotation = LedgerLeaf.objects.get(kind=EventKind.KEY_ROTATION)
    assert json.loads(rotation.data)["event"]["key_id"] == NEW_LOG_SIGNER.key_id.hex()


def test_integrity_check_is_clean_on_an_honest_log() -> None:
    sealed_log(20)
    assert check_integrity() == []


def test_integrity_check_names_an_edited_entry_and_raises_an_alarm(tamper) -> None:
    sealed_log(20)
    # when someone with database rights edits entry 7's data
    tamper("UPDATE ledger_ledgerleaf SET data = replace(data, 'WO-7', 'WO-X') WHERE \"index\" = 7")
    problems = check_integrity(raise_alarms=True)
    # then the job names entry 7 and writes an alarm
    assert [(p.kind, p.leaf_index) for p in problems if p.kind == AlarmKind.LEAF_HASH_MISMATCH] == [
        (AlarmKind.LEAF_HASH_MISMATCH, 7)
    ]
    assert any(p.kind == AlarmKind.ROOT_MISMATCH for p in problems)
    assert LedgerAlarm.objects.filter(kind=AlarmKind.LEAF_HASH_MISMATCH, leaf_index=7).exists()


def test_integrity_check_catches_data_and_hash_rewritten_together(tamper) -> None:
    sealed_log(20)
    forged = LedgerLeaf.objects.get(index=7).data.replace("WO-7", "WO-X")
    tamper(
        'UPDATE ledger_ledgerleaf SET data = %s, leaf_hash = %s WHERE "index" = 7',
        [forged, merkle.leaf_hash(forged.encode())],
    )
    problems = check_integrity()
    # the stored nodes above entry 7 and the signed root no longer match
    assert any(p.kind == AlarmKind.NODE_MISMATCH and p.leaf_index == 6 for p in problems)
    assert any(p.kind == AlarmKind.ROOT_MISMATCH for p in problems)


def test_integrity_check_names_a_deleted_entry(tamper) -> None:
    sealed_log(20)
    tamper('DELETE FROM ledger_ledgerleaf WHERE "index" = 12')
    problems = check_integrity()
    assert next((p.kind, p.leaf_index) for p in problems if p.kind == AlarmKind.MISSING_LEAF) == (
        AlarmKind.MISSING_LEAF,
        12,
    )


def test_erasing_a_salt_unlinks_the_commitment_but_the_log_still_verifies() -> None:
    sealed_log(3)
    commitment = json.loads(LedgerLeaf.objects.get(index=1).data)["event"]["resident"]
    salt = PersonalSalt.objects.get(commitment=commitment)
    actions.erase_personal_salt(salt, actor=None)
    assert not matches_commitment("张三", commitment)
    assert check_integrity() == []


def test_drain_seals_a_backlog_batch_after_batch_and_a_late_commit_next_time() -> None:
    # given 25 queued events
    for i in range(25):
        record_transition(f"WO-{i}")
    # when the sequencer drains them 10 at a time
    assert actions.drain(max_batches=10, limit=10) == 3
    # then all are sealed, in queue order, under three checkpoints
    assert LogState.objects.get().tree_size == 25
    assert [json.loads(d)["event"]["work_order"] for d in LedgerLeaf.objects.values_list("data", flat=True)] == [
        f"WO-{i}" for i in range(25)
    ]
    assert Checkpoint.objects.count() == 3
    # and an event committed late with a lower queue id (its transaction started earlier) is
    # taken by the next drain, which starts from the head of the queue again
    PendingEvent.objects.create(id=3, kind=EventKind.WORK_ORDER_TRANSITION, data='{"late":true}')
    assert actions.drain(max_batches=10, limit=10) == 1
    assert LedgerLeaf.objects.get(index=25).data == '{"late":true}'
    assert actions.drain(max_batches=10, limit=10) == 0


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_keeps_it_append_only() -> None:
    # given a sealed log in a database that transactional tests flush after each test
    # (any test that commits a work-order step or a reveal now leaves ledger rows behind)
    triggers.install(connection)
    sealed_log(3)
    # when the database is flushed (TRUNCATE on PostgreSQL, DELETE with the triggers lifted on SQLite)
    call_command("flush", interactive=False, verbosity=0)
    # then the log is empty and still append-only
    assert not LedgerLeaf.objects.exists()
    assert not LedgerNode.objects.exists()
    sealed_log(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('DELETE FROM ledger_ledgerleaf WHERE "index" = 0')


def test_a_batch_seals_every_event_committed_inside_its_id_range() -> None:
    # given five queued events, of which the sequencer's read saw only the first and the last
    # (the middle ones committed between its read and its move)
    events = [record_transition(f"WO-{i}") for i in range(5)]
    LogState.objects.get_or_create(id=1)  # (a transactional test may have flushed the migrated row)
    with transaction.atomic():
        state = LogState.objects.select_for_update().get(id=1)
        actions.seal_batch(state, ids=[events[0].pk, events[-1].pk])
    # then all five are sealed, in queue order, and nothing is left behind
    assert [json.loads(d)["event"]["work_order"] for d in LedgerLeaf.objects.values_list("data", flat=True)] == [
        f"WO-{i}" for i in range(5)
    ]
    assert LogState.objects.get().tree_size == 5
    assert not PendingEvent.objects.exists()
