"""Governance ledger benchmark: tree building, batched appends on PostgreSQL, proofs, verification.

    uv run python bench/bench_ledger.py                 # 1,000,000 in memory; 100,000 appends on PostgreSQL
    uv run python bench/bench_ledger.py --db-events 1000000
    LEDGER_BENCH_DATABASE_URL=postgres://user@host/db   # default postgres://postgres@127.0.0.1/gongzhi_ledger_bench

The database named by the URL is dropped and recreated. Without PostgreSQL the database part is skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongzhi.ledger import merkle  # noqa: E402  (pure module, no Django needed)


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def per_call(fn, n: int) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_memory(n: int) -> None:
    print(f"== in-memory tree of {n:,} leaves")
    data = [i.to_bytes(8, "big") for i in range(n)]
    sha = hashlib.sha256

    def raw_hashing() -> None:  # the lower bound: n leaf hashes + n-1 node hashes, nothing else
        h = b""
        for d in data:
            h = sha(b"\x00" + d).digest()
        pair = h + h
        for _ in range(n - 1):
            sha(b"\x01" + pair).digest()

    def build() -> None:
        # the sequencer's path: hash the leaves, then extend the tree level by level (every node emitted)
        builder = merkle.TreeBuilder()
        builder.extend([sha(b"\x00" + d).digest() for d in data])

    raw = timed(raw_hashing, 2)
    built = timed(build, 2)
    print(
        f"raw 2n-1 SHA-256 calls: {raw:.2f} s; TreeBuilder (emits every node): {built:.2f} s; ratio {built / raw:.2f}x"
    )


class SyntheticStore:
    """Stands in for 10,000,000 leaves: every node is a deterministic hash (proof cost, not content)."""

    def get_nodes(self, keys):
        return {k: hashlib.sha256(f"{k[0]}/{k[1]}".encode()).digest() for k in keys}


def bench_proofs_large(size: int) -> None:
    print(f"== proofs over a {size:,}-leaf tree (synthetic node store; algorithm only)")
    store = SyntheticStore()
    inc = per_call(lambda: merkle.inclusion_proof(store, size // 3, size), 2000)
    con = per_call(lambda: merkle.consistency_proof(store, size // 3 + 17, size), 2000)
    print(f"inclusion proof: {inc * 1e6:.0f} µs; consistency proof: {con * 1e6:.0f} µs (median)")


def bench_verify() -> None:
    print("== verification (real proofs, 1,048,583-leaf tree)")
    store = merkle.MemoryStore()
    store.extend(merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(1_048_583))
    size = store.size
    root = merkle.root(store, size)
    leaf = store.levels[0][123_456]
    proof = merkle.inclusion_proof(store, 123_456, size)
    first = 500_001
    cproof = merkle.consistency_proof(store, first, size)
    r1 = merkle.root(store, first)
    inc = per_call(lambda: merkle.verify_inclusion(123_456, size, leaf, proof, root), 5000)
    con = per_call(lambda: merkle.verify_consistency(first, size, r1, root, cproof), 5000)
    print(f"verify inclusion ({len(proof)} hashes): {inc * 1e6:.1f} µs; verify consistency: {con * 1e6:.1f} µs")


def bench_postgres(events: int, url: str) -> None:
    print(f"== PostgreSQL: batched append of {events:,} events")
    dbname = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {dbname}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {dbname}"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"skipped: PostgreSQL not reachable ({exc})")
        return
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="gongzhi.settings.base",
        GONGZHI_LEDGER_KEY_FILE=str(ROOT / "var" / "ledger-bench-signing-key"),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.core import context
    from gongzhi.ledger import queries
    from gongzhi.ledger.choices import EventKind
    from gongzhi.ledger.models import PendingEvent
    from gongzhi.ledger.sequencer import BATCH_SIZE, event_record, seal_pending

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    chunk = 20_000
    for base in range(0, events, chunk):
        PendingEvent.objects.bulk_create(
            [
                PendingEvent(
                    kind=EventKind.WORK_ORDER_TRANSITION,
                    data=event_record(
                        EventKind.WORK_ORDER_TRANSITION,
                        {"work_order": f"WO-{i}", "from": "accepted", "to": "dispatched"},
                        "2026-01-01T00:00:00.000000Z",
                    ).decode(),
                )
                for i in range(base, min(base + chunk, events))
            ]
        )
    queued = time.perf_counter() - start
    start = time.perf_counter()
    batches = 0
    with context.acting_as(None, source="bench"):
        while seal_pending(limit=BATCH_SIZE) is not None:
            batches += 1
    sealed = time.perf_counter() - start
    size = queries.get_tree_size()
    print(f"queued {events:,} events in {queued:.1f} s")
    print(f"sealed {size:,} leaves in {batches} signed batches in {sealed:.1f} s ({size / sealed:,.0f} leaves/s)")
    inc = per_call(lambda: queries.get_inclusion_proof_and_root(size // 3, size), 300)
    con = per_call(lambda: queries.get_consistency_proof(size // 3 + 17, size), 300)
    root = per_call(lambda: queries.get_root(size), 300)
    print(f"at {size:,} leaves (median): inclusion proof + root {inc * 1e3:.2f} ms;", end=" ")
    print(f"consistency proof {con * 1e3:.2f} ms; root {root * 1e3:.2f} ms")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('ledger_ledgernode')),"
            " pg_size_pretty(pg_total_relation_size('ledger_ledgerleaf'))"
        )
        nodes, leaves = cursor.fetchone()
    print(f"storage: nodes {nodes}, leaves {leaves}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-leaves", type=int, default=1_000_000)
    parser.add_argument("--proof-size", type=int, default=10_000_000)
    parser.add_argument("--db-events", type=int, default=100_000)
    args = parser.parse_args()
    bench_memory(args.memory_leaves)
    bench_proofs_large(args.proof_size)
    bench_verify()
    url = os.environ.get("LEDGER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1/gongzhi_ledger_bench")
    if args.db_events:
        bench_postgres(args.db_events, url)


if __name__ == "__main__":
    main()
