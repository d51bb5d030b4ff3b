"""Reads of the ledger: stored nodes, roots, proofs, entries, checkpoints.

Everything here is public by construction: leaves hold event records with salted
commitments instead of personal data.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import PositiveSmallIntegerField, QuerySet, Value

from gongzhi.ledger import merkle
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.models import Checkpoint, LedgerLeaf, LedgerNode, LogState

MAX_ENTRIES = 1000


class DatabaseStore:
    """:class:`merkle.NodeStore` over the leaf and node tables: one query per root or proof.

    A node for a tree size exists only once that size is sealed (nodes, leaves and the log
    state commit together), so a missing node means the size does not exist yet: no
    separate size check is needed.
    """

    def get_nodes(self, keys: Iterable[merkle.Key]) -> dict[merkle.Key, bytes]:
        keys = set(keys)
        if not keys:
            return {}
        found = _fetch_postgresql(keys) if connection.vendor == "postgresql" else _fetch_orm(keys)
        if len(found) != len(keys):
            missing = sorted(keys - found.keys())
            raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, f"missing tree nodes {missing[:5]}", field="tree_size")
        return found


# Measured (bench/bench_ledger.py, 10,000,000 leaves): the ORM's UNION of two IN lists costs
# several milliseconds of Python per proof; this statement, prepared once per connection by
# psycopg (server-side binding), fetches the ~2·log2(n) hashes by primary key in one round
# trip. Tested on PostgreSQL; SQLite uses the ORM query below.
_NODES_SQL = (
    "SELECT 0::int2, index, leaf_hash FROM ledger_ledgerleaf WHERE index = ANY(%s::int8[]) "
    "UNION ALL SELECT n.level, n.index, n.hash FROM unnest(%s::int2[], %s::int8[]) AS k(level, index) "
    "JOIN ledger_ledgernode n ON n.level = k.level AND n.index = k.index"
)


def _fetch_postgresql(keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
    import psycopg

    leaf_indexes = [i for level, i in keys if level == 0]
    inner = [k for k in keys if k[0] > 0]
    params = [leaf_indexes, [lv for lv, _ in inner], [ix for _, ix in inner]]
    connection.ensure_connection()
    start = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_NODES_SQL, params, prepare=True)
        rows = cursor.fetchall()
    if connection.queries_logged:  # keep query counting (tests, debug toolbar) honest
        connection.queries_log.append({"sql": _NODES_SQL, "time": f"{time.monotonic() - start:.3f}"})
    return {(level, index): h for level, index, h in rows}


def _fetch_orm(keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
    leaf_indexes = [i for level, i in keys if level == 0]
    inner = [k for k in keys if k[0] > 0]
    leaves = (
        LedgerLeaf.objects.filter(index__in=leaf_indexes)
        .annotate(level=Value(0, output_field=PositiveSmallIntegerField()))
        .values_list("level", "index", "leaf_hash")
        .order_by()
    )
    nodes = LedgerNode.objects.filter(pk__in=inner).values_list("level", "index", "hash").order_by()
    if leaf_indexes and inner:
        rows: Iterable[tuple[Any, int, Any]] = leaves.union(nodes, all=True)  # type: ignore[arg-type]
    else:
        rows = leaves if leaf_indexes else nodes
    return {(level, index): bytes(h) for level, index, h in rows}


def get_state() -> LogState:
    return LogState.objects.get_or_create(id=1)[0]


def get_tree_size() -> int:
    return LogState.objects.filter(id=1).values_list("tree_size", flat=True).first() or 0


def _check_size(size: int) -> None:
    """Negative sizes are refused here; sizes beyond the log when their nodes are missing."""
    if size < 0:
        raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, field="tree_size")


def get_root(size: int) -> bytes:
    _check_size(size)
    return merkle.root(DatabaseStore(), size)


def get_inclusion_proof(index: int, size: int) -> list[bytes]:
    _check_size(size)
    if not 0 <= index < size:
        raise LedgerError(LedgerErrorCode.NO_SUCH_LEAF, field="index")
    return merkle.inclusion_proof(DatabaseStore(), index, size)


def get_inclusion_proof_and_root(index: int, size: int) -> tuple[list[bytes], bytes]:
    _check_size(size)
    if not 0 <= index < size:
        raise LedgerError(LedgerErrorCode.NO_SUCH_LEAF, field="index")
    return merkle.inclusion_proof_and_root(DatabaseStore(), index, size)


def get_consistency_proof(first: int, second: int) -> list[bytes]:
    _check_size(second)
    if not 0 <= first <= second:
        raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, field="first")
    if first == 0 or first == second:  # nothing to prove, so no node is read: check the size itself
        if second > get_tree_size():
            raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, field="tree_size")
        return []  # every tree extends the empty tree and itself
    return merkle.consistency_proof(DatabaseStore(), first, second)


def get_leaf_by_hash(leaf_hash: bytes) -> LedgerLeaf | None:
    return LedgerLeaf.objects.filter(leaf_hash=leaf_hash).order_by("index").first()


def get_leaf(index: int) -> LedgerLeaf | None:
    return LedgerLeaf.objects.filter(index=index).first()


def list_entries(start: int, end: int) -> QuerySet[LedgerLeaf]:
    if end - start > MAX_ENTRIES:
        raise LedgerError(LedgerErrorCode.RANGE_TOO_LARGE, field="end")
    return LedgerLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")


def get_latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-id").first()


def get_checkpoint_for_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(tree_size=size).order_by("-id").first()


def list_checkpoints() -> QuerySet[Checkpoint]:
    return Checkpoint.objects.order_by("-id").prefetch_related("cosignatures__witness")


def export_rows(batch: int = 5000) -> Iterable[dict[str, Any]]:
    """Every leaf as a JSON-ready dict, streamed in index order (for auditors' dumps)."""
    rows = LedgerLeaf.objects.order_by("index").values_list("index", "kind", "data", "leaf_hash", "created_at")
    for index, kind, data, leaf_hash, created_at in rows.iterator(chunk_size=batch):
        yield {
            "index": index,
            "kind": kind,
            "data": data,
            "leaf_hash": bytes(leaf_hash).hex(),
            "created_at": created_at.isoformat(),
        }
