"""Reads of the ledger: stored nodes, roots, proofs, entries, checkpoints.

Everything here is public by construction: leaves hold event records with salted
commitments instead of personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import PositiveSmallIntegerField, QuerySet, Value

from gongzhi.ledger import merkle
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.models import Checkpoint, LedgerLeaf, LedgerNode, LogState

MAX_ENTRIES = 1000


class DatabaseStore:
    """:class:`merkle.NodeStore` over the leaf and node tables."""

    def get_nodes(self, keys: Iterable[merkle.Key]) -> dict[merkle.Key, bytes]:
        """One query (a UNION ALL of the leaf and node tables): one round trip per root or proof."""
        keys = set(keys)
        leaf_indexes = [i for level, i in keys if level == 0]
        inner = [k for k in keys if k[0] > 0]
        parts = []
        if leaf_indexes:
            parts.append(
                LedgerLeaf.objects.filter(index__in=leaf_indexes)
                .annotate(level=Value(0, output_field=PositiveSmallIntegerField()))
                .values_list("level", "index", "leaf_hash")
                .order_by()
            )
        if inner:
            parts.append(LedgerNode.objects.filter(pk__in=inner).values_list("level", "index", "hash").order_by())
        if not parts:
            return {}
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        found = {(level, index): bytes(h) for level, index, h in query}
        missing = keys - found.keys()
        if missing:
            raise LedgerError(LedgerErrorCode.NO_SUCH_SIZE, f"missing tree nodes {sorted(missing)[:5]}")
        return found


def get_state() -> LogState:
    return LogState.objects.get_or_create(id=1)[0]


def get_tree_size() -> int:
    return LogState.objects.filter(id=1).values_list("tree_size", flat=True).first() or 0


def _check_size(size: int) -> None:
    if not 0 <= size <= get_tree_size():
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
    if first == 0:
        return []  # every tree extends the empty tree; there is nothing to prove
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
