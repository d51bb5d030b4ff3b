"""The integrity job: recompute the log from its entries and compare with everything stored.

It streams the leaves in index order, checks that indexes are contiguous and each leaf hash
is SHA-256(0x00 || data), rebuilds every complete subtree and compares it with the stored
node, and compares the rebuilt root at each checkpoint's size with the signed root (whose
signature it also checks). Each mismatch names the entry (or node, or checkpoint) at fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongzhi.ledger import keys, merkle
from gongzhi.ledger.choices import AlarmKind
from gongzhi.ledger.models import Checkpoint, LedgerLeaf, LedgerNode, LogState
from gongzhi.ledger.note import NoteError, parse_checkpoint

CHUNK = 5000


@dataclass(frozen=True)
class Problem:
    kind: AlarmKind
    detail: str
    leaf_index: int | None = None
    tree_size: int | None = None


def _check_chunk_nodes(created: dict[merkle.Key, bytes], problems: list[Problem]) -> None:
    inner = [k for k in created if k[0] > 0]
    if not inner:
        return
    stored = {
        (lv, ix): bytes(h)
        for lv, ix, h in LedgerNode.objects.filter(pk__in=inner).values_list("level", "index", "hash")
    }
    for key in sorted(inner):
        if stored.get(key) != created[key]:
            first = key[1] << key[0]
            problems.append(
                Problem(
                    AlarmKind.NODE_MISMATCH,
                    f"stored node level {key[0]} index {key[1]} (entries {first}..{first + (1 << key[0]) - 1}) "
                    + ("is missing" if key not in stored else "differs from its recomputed value"),
                    leaf_index=first,
                )
            )


def check_integrity(*, raise_alarms: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    verifiers = keys.verifiers()
    checkpoints: dict[int, list[Checkpoint]] = {}
    for cp in Checkpoint.objects.order_by("id"):
        checkpoints.setdefault(cp.tree_size, []).append(cp)
        try:
            parsed = parse_checkpoint(cp.note)
            if parsed.size != cp.tree_size or parsed.root_hash != bytes(cp.root_hash):
                raise NoteError("the note's size or root differs from the row")
            if not any(v.verify_line(parsed.body, s) for v in verifiers for s in parsed.signatures):
                raise NoteError("no signature by a configured log key")
        except NoteError as exc:
            problems.append(Problem(AlarmKind.SIGNATURE, f"checkpoint #{cp.pk}: {exc}", tree_size=cp.tree_size))
    builder = merkle.TreeBuilder()

    def check_checkpoints_at(size: int) -> None:
        for cp in checkpoints.get(size, []):
            if bytes(cp.root_hash) != builder.root():
                problems.append(
                    Problem(
                        AlarmKind.ROOT_MISMATCH,
                        f"recomputed root at size {size} differs from signed checkpoint #{cp.pk}",
                        tree_size=size,
                    )
                )

    check_checkpoints_at(0)
    created: dict[merkle.Key, bytes] = {}
    rows = LedgerLeaf.objects.order_by("index").values_list("index", "data", "leaf_hash")
    for index, data, stored_hash in rows.iterator(chunk_size=CHUNK):
        if index != builder.size:
            problems.append(
                Problem(
                    AlarmKind.MISSING_LEAF,
                    f"expected entry {builder.size}, found entry {index}: entries are missing or out of order",
                    leaf_index=builder.size,
                )
            )
            break
        recomputed = merkle.leaf_hash(data.encode("utf-8"))
        if recomputed != bytes(stored_hash):
            problems.append(
                Problem(AlarmKind.LEAF_HASH_MISMATCH, f"entry {index}: its data does not hash to its leaf hash", index)
            )
        # the tree is rebuilt from the recomputed hash: an edited entry must not pass by editing its hash too
        created.update(builder.append(recomputed))
        check_checkpoints_at(builder.size)
        if len(created) >= CHUNK:
            _check_chunk_nodes(created, problems)
            created = {}
    _check_chunk_nodes(created, problems)
    state = LogState.objects.filter(id=1).first()
    if state is not None and state.tree_size != builder.size:
        problems.append(
            Problem(
                AlarmKind.MISSING_LEAF,
                f"the log state says {state.tree_size} entries but {builder.size} are readable in order",
                leaf_index=builder.size,
                tree_size=state.tree_size,
            )
        )
    if raise_alarms:
        from gongzhi.ledger.actions import raise_alarm

        for problem in problems:
            raise_alarm(problem.kind, detail=problem.detail, leaf_index=problem.leaf_index, tree_size=problem.tree_size)
    return problems
