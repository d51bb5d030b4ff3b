"""Governance ledger benchmark: tree building, batched appends on PostgreSQL, proofs at 10M leaves, verification.

    uv run python bench/bench_ledger.py            # everything, in one run (≈ 5 min; the first run
                                                   # also builds the 10,000,000-leaf database, ≈ 5-10 min)
    uv run python bench/bench_ledger.py --db-events 0 --proof-leaves 0    # in-memory parts only

Databases (PostgreSQL, URL prefix from LEDGER_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_ledger):
  * ``bench_ledger`` holds the 10,000,000-leaf log for the proof figures. It is built once with
    COPY (leaves and nodes, hashes computed in memory batch by batch) and KEPT for reruns; it is
    rebuilt only if its size differs from ``--proof-leaves``.
  * ``bench_ledger_append`` is dropped and recreated for the append figure: ``--db-events``
    events are queued (COPY into the queue table), then sealed by the production sequencer
    (``seal_pending`` batch after batch, a signed checkpoint each).

Each PostgreSQL part runs in its own Python process (one Django database per process); the
parent prints everything, so all figures come from the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongzhi.ledger import merkle  # noqa: E402  (pure module, no Django needed)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_ledger"


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def samples(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def describe(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"median {statistics.median(values) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms"


# --- in memory ------------------------------------------------------------------------------------


def bench_memory(n: int, rounds: int = 3) -> None:
    print(f"== in-memory tree of {n:,} leaves (best of {rounds}, interleaved)")
    data = [i.to_bytes(8, "big") for i in range(n)]
    sha = hashlib.sha256

    # The lower bound: the 2n-1 SHA-256 calls alone, on inputs of the same length as the tree's
    # (1+8 bytes for a leaf, 1+64 for a node), in the fastest plain-Python loop forms we know.
    # The minimum over both forms is the bound.
    def raw_loop() -> None:
        h = b""
        for d in data:
            h = sha(b"\x00" + d).digest()
        pair = h + h
        for _ in range(n - 1):
            sha(b"\x01" + pair).digest()

    def raw_comprehension() -> None:
        leaves = [sha(b"\x00" + d).digest() for d in data]
        pair = leaves[0] + leaves[1]
        [sha(b"\x01" + pair).digest() for _ in range(n - 1)]

    def build() -> None:
        # a real in-memory tree: leaf hashes, every complete subtree kept (proofs can be served)
        store = merkle.MemoryStore()
        store.extend([sha(b"\x00" + d).digest() for d in data])
        assert store.size == n

    best = {"raw_loop": float("inf"), "raw_comprehension": float("inf"), "build": float("inf")}
    for _ in range(rounds):
        for name, fn in (("raw_loop", raw_loop), ("raw_comprehension", raw_comprehension), ("build", build)):
            best[name] = min(best[name], timed(fn))
    raw = min(best["raw_loop"], best["raw_comprehension"])
    print(
        f"raw 2n-1 SHA-256 calls: {raw:.2f} s (loop {best['raw_loop']:.2f} s, comprehension "
        f"{best['raw_comprehension']:.2f} s); MemoryStore.extend (every node kept): {best['build']:.2f} s; "
        f"ratio {best['build'] / raw:.2f}x (target <= 1.5x)"
    )


class SyntheticStore:
    """Stands in for a huge tree: every node is a deterministic hash (proof cost, not content)."""

    def get_nodes(self, keys):
        return {k: hashlib.sha256(f"{k[0]}/{k[1]}".encode()).digest() for k in keys}


def bench_proofs_algorithm(size: int) -> None:
    print(f"== proof algorithm over a {size:,}-leaf tree (synthetic node store, no database)")
    store = SyntheticStore()
    inc = samples(lambda: merkle.inclusion_proof(store, size // 3, size), 2000)
    con = samples(lambda: merkle.consistency_proof(store, size // 3 + 17, size), 2000)
    print(f"inclusion proof: {describe(inc)}; consistency proof: {describe(con)}")


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
    inc = samples(lambda: merkle.verify_inclusion(123_456, size, leaf, proof, root), 5000)
    con = samples(lambda: merkle.verify_consistency(first, size, r1, root, cproof), 5000)
    print(
        f"verify inclusion ({len(proof)} hashes): {statistics.median(inc) * 1e6:.1f} µs; "
        f"verify consistency ({len(cproof)} hashes): {statistics.median(con) * 1e6:.1f} µs (median; target < 1 ms)"
    )


# --- PostgreSQL (each part in a child process) ----------------------------------------------------


def _psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


def _database_exists(admin: str, name: str) -> bool:
    out = subprocess.run(
        ["psql", admin, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 (our own name)
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def _setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="gongzhi.settings.base",
        GONGZHI_LEDGER_KEY_FILE=str(ROOT / "var" / "ledger-bench-signing-key"),
        GONGZHI_RUN_SCHEDULER="false",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


RECORD_AT = "2026-01-01T00:00:00.000000Z"


def _record(i: int) -> str:
    """The canonical JSON of a work-order transition, written directly (checked against jcs below)."""
    return (
        '{"at":"' + RECORD_AT + '","event":{"event_id":' + str(i) + ',"from":"submitted","organisation_id":7,'
        '"step":"dispatch","to":"dispatched","work_order":"GZ20260101-' + f"{i:08d}" + '"},'
        '"kind":"work_order.transition","v":1}'
    )


def _check_record_format() -> None:
    from gongzhi.ledger.sequencer import event_record

    payload = {
        "event_id": 42,
        "from": "submitted",
        "organisation_id": 7,
        "step": "dispatch",
        "to": "dispatched",
        "work_order": "GZ20260101-00000042",
    }
    assert event_record("work_order.transition", payload, RECORD_AT).decode() == _record(42)


def part_append(url: str, events: int, *, integrity: bool) -> None:
    dbname, admin = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
    _psql(admin, f"DROP DATABASE IF EXISTS {dbname}")
    _psql(admin, f"CREATE DATABASE {dbname}")
    _setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.core import context
    from gongzhi.ledger import queries
    from gongzhi.ledger.integrity import check_integrity
    from gongzhi.ledger.sequencer import BATCH_SIZE, drain

    call_command("migrate", verbosity=0)
    _check_record_format()
    start = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY ledger_pendingevent (kind, data, created_at) FROM STDIN") as copy,
    ):
        for i in range(events):
            copy.write_row(("work_order.transition", _record(i), "2026-01-01T00:00:00Z"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE ledger_pendingevent")
    queued = time.perf_counter() - start
    print(f"queued {events:,} events with COPY in {queued:.1f} s (not part of the append figure)")
    start = time.perf_counter()
    with context.acting_as(None, source="bench"):
        batches = drain(max_batches=events // BATCH_SIZE + 2)  # what the seal_ledger task runs
    sealed = time.perf_counter() - start
    size = queries.get_tree_size()
    print(
        f"APPEND: sealed {size:,} events in {batches} signed batches of {BATCH_SIZE:,} in {sealed:.1f} s "
        f"({size / sealed:,.0f} events/s; target 1,000,000 in < 30 s)"
    )
    if integrity:
        start = time.perf_counter()
        problems = check_integrity(raise_alarms=False)
        print(f"integrity check of the sealed log: {len(problems)} problems, {time.perf_counter() - start:.1f} s")


def _build_big_log(size: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from gongzhi.ledger import keys
    from gongzhi.ledger.models import Checkpoint, LogState
    from gongzhi.ledger.note import sign_checkpoint

    call_command("migrate", verbosity=0)
    _check_record_format()
    sha = hashlib.sha256
    builder = merkle.TreeBuilder()
    chunk = 500_000
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS ledger_leaf_hash")
    leaf_copy = "COPY ledger_ledgerleaf (index, leaf_hash, kind, data, created_at) FROM STDIN (FORMAT BINARY)"
    node_copy = "COPY ledger_ledgernode (level, index, hash) FROM STDIN (FORMAT BINARY)"
    import datetime

    sealed_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for base in range(0, size, chunk):
        with transaction.atomic():
            records = [_record(i) for i in range(base, min(base + chunk, size))]
            hashes = [sha(b"\x00" + r.encode()).digest() for r in records]
            with connection.cursor() as cursor, cursor.cursor.copy(leaf_copy) as copy:
                copy.set_types(["int8", "bytea", "text", "text", "timestamptz"])
                for i, (r, h) in enumerate(zip(records, hashes, strict=True), base):
                    copy.write_row((i, h, "work_order.transition", r, sealed_at))
            runs = builder.extend_levels(hashes)
            with connection.cursor() as cursor, cursor.cursor.copy(node_copy) as copy:
                copy.set_types(["int2", "int8", "bytea"])
                for level, first, level_hashes in runs:
                    if level:
                        for i, h in enumerate(level_hashes, first):
                            copy.write_row((level, i, h))
        print(f"  {builder.size:,} leaves written ({time.perf_counter() - start:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX ledger_leaf_hash ON ledger_ledgerleaf ("leaf_hash")')
        cursor.execute("VACUUM ANALYZE ledger_ledgerleaf")
        cursor.execute("VACUUM ANALYZE ledger_ledgernode")
    root = builder.root()
    LogState.objects.filter(id=1).update(tree_size=size, root_hash=root)
    Checkpoint.objects.create(
        tree_size=size,
        root_hash=root,
        note=sign_checkpoint(keys.origin(), size, root, keys.signers()),
        key_id=keys.active_signer().key_id.hex(),
    )
    print(f"built the {size:,}-leaf log with COPY in {time.perf_counter() - start:.0f} s")


def part_proofs(url: str, size: int, calls: int) -> None:
    dbname, admin = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
    existing = _database_exists(admin, dbname)
    _setup_django(url)
    from django.db import connection

    from gongzhi.ledger import queries
    from gongzhi.ledger.models import LedgerLeaf

    current = 0
    if existing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('ledger_logstate') IS NOT NULL")
            if cursor.fetchone()[0]:
                current = queries.get_tree_size()
    if current != size:
        connection.close()
        _psql(admin, f"DROP DATABASE IF EXISTS {dbname}")
        _psql(admin, f"CREATE DATABASE {dbname}")
        _build_big_log(size)
    else:
        print(f"reusing the kept {size:,}-leaf log in {dbname}")
    checkpoint = queries.get_latest_checkpoint()
    root = bytes(checkpoint.root_hash)
    rng = random.Random(5)
    indexes = [rng.randrange(size) for _ in range(calls)]
    firsts = [rng.randrange(1, size) for _ in range(calls)]
    for i in range(20):  # warm the connection and the prepared statement
        queries.get_inclusion_proof_and_root(indexes[i], size)
    inc, con, ver_inc, ver_con = [], [], [], []
    leaf_hashes = dict(LedgerLeaf.objects.filter(index__in=indexes).values_list("index", "leaf_hash").iterator())
    for index, first in zip(indexes, firsts, strict=True):
        t0 = time.perf_counter()
        proof, tree_root = queries.get_inclusion_proof_and_root(index, size)
        t1 = time.perf_counter()
        queries.get_consistency_proof(first, size)
        t2 = time.perf_counter()
        assert tree_root == root
        merkle.verify_inclusion(index, size, bytes(leaf_hashes[index]), proof, root)
        t3 = time.perf_counter()
        inc.append(t1 - t0)
        con.append(t2 - t1)
        ver_inc.append(t3 - t2)
    # consistency verification needs the first root: fetch a few and verify
    for first in firsts[:50]:
        r1 = queries.get_root(first)
        cproof = queries.get_consistency_proof(first, size)
        t0 = time.perf_counter()
        merkle.verify_consistency(first, size, r1, root, cproof)
        ver_con.append(time.perf_counter() - t0)
    print(f"PROOFS at {size:,} leaves, {calls} random requests against PostgreSQL (one prepared query each):")
    print(f"  inclusion proof + root: {describe(inc)} (target < 5 ms)")
    print(f"  consistency proof:      {describe(con)} (target < 5 ms)")
    print(
        f"  verify inclusion: median {statistics.median(ver_inc) * 1e6:.0f} µs; "
        f"verify consistency: median {statistics.median(ver_con) * 1e6:.0f} µs (target < 1 ms)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('ledger_ledgernode')),"
            " pg_size_pretty(pg_total_relation_size('ledger_ledgerleaf'))"
        )
        nodes, leaves = cursor.fetchone()
    print(f"  storage: nodes {nodes}, leaves {leaves}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-leaves", type=int, default=1_000_000)
    parser.add_argument("--algorithm-size", type=int, default=10_000_000)
    parser.add_argument("--db-events", type=int, default=1_000_000)
    parser.add_argument("--proof-leaves", type=int, default=10_000_000)
    parser.add_argument("--proof-calls", type=int, default=500)
    parser.add_argument("--integrity", action="store_true", help="also time the integrity job over the appended log")
    parser.add_argument("--part", choices=["append", "proofs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("LEDGER_BENCH_DATABASE_URL", DEFAULT_URL)
    if args.part == "append":
        part_append(url + "_append", args.db_events, integrity=args.integrity)
        return
    if args.part == "proofs":
        part_proofs(url, args.proof_leaves, args.proof_calls)
        return
    print(f"machine load (1/5/15 min): {os.getloadavg()}")
    if args.memory_leaves:
        bench_memory(args.memory_leaves)
    bench_proofs_algorithm(args.algorithm_size)
    bench_verify()
    for part, wanted in (("append", args.db_events), ("proofs", args.proof_leaves)):
        if not wanted:
            continue
        print(f"== PostgreSQL: {part}")
        sys.stdout.flush()
        result = subprocess.run([sys.executable, __file__, "--part", part, *sys.argv[1:]], check=False)
        if result.returncode:
            print(f"{part}: failed or PostgreSQL unreachable (exit {result.returncode})")
    print(f"machine load at the end (1/5/15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
