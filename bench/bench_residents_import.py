"""Resident import vs PostgreSQL COPY, in the same run, on the same rows.

Generates N rows (a grid worker spreadsheet: name, ID number, phone, address, relation,
residence type; ~1 % bad rows), then times

1. ``COPY bench_copy FROM STDIN (FORMAT csv)`` of the file into an unindexed table, and
2. ``gongzhi.residents.importer.run_import`` of the same file: per-row validation (GB 11643,
   phone, choices), AES-256-GCM encryption of ID number and phone, HMAC blind indexes,
   exact and fuzzy matching, households and memberships, lineage and rollback records;

and prints both rates, their ratio and the peak memory (max RSS) of the process. Two floors
are printed next to them, from the same run:

3. the **database floor**: the rows the import wrote (people with their ciphertexts and blind
   indexes, households, memberships, lineage) are copied out and written back with one binary
   ``COPY`` per table into empty copies of those tables with all their indexes and unique
   constraints (``CREATE TABLE … (LIKE … INCLUDING ALL)``; no foreign-key triggers, as the
   import's set-based mode) — the fastest way the database can take what the import writes;
4. the **Python floor**: reading, mapping, validating, blind-indexing and encrypting the file
   (``staging.prepare_chunk`` per chunk) with no database at all, on one core.

    uv run python bench/bench_residents_import.py --rows 1000000
    RES_BENCH_DATABASE_URL=postgres://user@host/db   # default postgres://postgres@127.0.0.1:5432/bench_privacy

The database (named bench_privacy* or gongzhi_res_bench_*) is dropped and recreated at the start
and dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADER = ["姓名", "身份证号", "手机", "住址", "与户主关系", "居住类型"]
COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "手机", "address": "住址", "relation": "与户主关系",
           "residence_type": "居住类型"}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _fix_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def unique_rows(path: Path, n: int) -> None:
    """Rows whose ID numbers are unique: birth date + 3-digit sequence from the row index."""
    rng = random.Random(7)
    relations = ["户主", "配偶", "子女", "父母"]
    start = dt.date(1940, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        i, household = 0, 0
        while i < n:
            household += 1
            address = f"南山区科苑路{household // 2000 + 1}号{household % 2000 // 20 + 1}栋{household % 20 + 1}室"
            for member in range(min(rng.randint(1, 4), n - i)):
                born = start + dt.timedelta(days=i // 1000)
                number = _fix_check_digit(f"440305{born:%Y%m%d}{i % 1000:03d}")
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                row = [name, number, f"13{i:09d}", address, relations[member], "户籍" if rng.random() < 0.7 else "常住"]
                if rng.random() < 0.01:
                    row[rng.choice([1, 2])] = "bad"
                writer.writerow(row)
                i += 1


def recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(("gongzhi_res_bench", "bench_privacy")):
        raise SystemExit(f"refusing to drop {name!r}: resident bench databases are named bench_privacy*")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sample_rows(path: Path, k: int) -> list[list[str]]:
    """``k`` random valid rows of the file (reservoir sampling: the file is streamed)."""
    rng = random.Random(11)
    chosen: list[list[str]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            if "bad" in row:
                continue
            if len(chosen) < k:
                chosen.append(row)
            elif (j := rng.randint(0, i)) < k:
                chosen[j] = row
    return chosen


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def page_and_lookup_bench(world: object, path: Path, *, samples: int) -> None:
    """With the imported residents in the table: the household file page as the grid worker
    (whose grid holds every imported person) and exact lookups by ID number and phone, both
    as the scoped query alone, as the list API request (`GET /api/residents/people/?id_number=`)
    and as the exact-lookup API request (`GET /api/residents/people/lookup/?id_number=`)."""
    from django.db import connection
    from django.test import Client

    from gongzhi.residents.models import Household, Resident
    from gongzhi.residents.queries import find_by_id_number, find_by_phone

    user = world.grid_worker_g1  # type: ignore[attr-defined]
    client = Client()
    client.force_login(user)
    rows = _sample_rows(path, samples)
    total = Resident.objects.count()
    households = list(
        Household.objects.filter(memberships__isnull=False)
        .order_by("?")
        .values_list("pk", flat=True)
        .distinct()[:samples]
    )
    client.get(f"/residents/households/{households[0]}/")  # warm up
    if os.environ.get("BENCH_SHOW_QUERIES"):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/residents/households/{households[1]}/")
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:300]}")
        print(f"  {len(ctx.captured_queries)} queries")
    page_ms = []
    for pk in households:
        started = time.perf_counter()
        response = client.get(f"/residents/households/{pk}/")
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    scoped = Resident.objects.restrict(user, "view")
    timings: dict[str, list[float]] = {
        "id query": [], "phone query": [], "id API": [], "phone API": [], "id lookup API": [], "phone lookup API": []
    }  # fmt: skip
    for row in rows:
        number, phone = row[1], row[2]
        for label, finder, value in (("id query", find_by_id_number, number), ("phone query", find_by_phone, phone)):
            started = time.perf_counter()
            found = list(finder(scoped, value).values_list("pk", flat=True))
            timings[label].append((time.perf_counter() - started) * 1000)
            assert len(found) == 1, (label, value, found)
        for label, param, value in (("id API", "id_number", number), ("phone API", "phone", phone)):
            started = time.perf_counter()
            response = client.get(f"/api/residents/people/?{param}={value}")
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
            assert response.json()["count"] == 1, response.content[:200]
        for label, param, value in (("id lookup API", "id_number", number), ("phone lookup API", "phone", phone)):
            started = time.perf_counter()
            response = client.get(f"/api/residents/people/lookup/?{param}={value}")
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
            assert len(response.json()["results"]) == 1, response.content[:200]
    print(f"with {total:,} residents in the table (all in the grid worker's grid), {samples} samples each:")
    print(f"household file page: median {_p(page_ms, 0.5):.1f} ms, p95 {_p(page_ms, 0.95):.1f} ms (target p95 < 100)")
    for label, values in timings.items():
        print(f"find by {label}: median {_p(values, 0.5):.1f} ms, p95 {_p(values, 0.95):.1f} ms (target < 20)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('residents_resident'))")
        print(f"residents table with indexes: {cursor.fetchone()[0]}")


#: The tables an import writes per person (ImportCreatedRange and the audit are a few rows per chunk).
FLOOR_MODELS = ("Resident", "Household", "HouseholdMembership", "ValueLineage")


def database_floor(tmp: Path) -> tuple[float, dict[str, int]]:
    """Seconds to write, with one binary COPY per table, what the import wrote into empty
    indexed copies of its tables (see the module docstring); rows per table."""
    from django.apps import apps
    from django.db import connection

    raw = connection.connection
    counts: dict[str, int] = {}
    tables = [apps.get_model("residents", name)._meta.db_table for name in FLOOR_MODELS]
    for table in tables:
        with raw.cursor() as cursor:
            cursor.execute(f'CREATE TABLE "floor_{table}" (LIKE "{table}" INCLUDING ALL)')
            dump = tmp / f"{table}.bin"
            with dump.open("wb") as fh, cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                for block in copy:
                    fh.write(block)
        raw.commit()
    started = time.perf_counter()
    for table in tables:
        with raw.cursor() as cursor, (tmp / f"{table}.bin").open("rb") as fh:
            with cursor.copy(f'COPY "floor_{table}" FROM STDIN (FORMAT binary)') as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            counts[table] = cursor.rowcount
    raw.commit()
    floor_s = time.perf_counter() - started
    for table in tables:
        (tmp / f"{table}.bin").unlink()
        with raw.cursor() as cursor:
            cursor.execute(f'DROP TABLE "floor_{table}"')
    raw.commit()
    return floor_s, counts


def python_floor(path: Path, chunk: int) -> float:
    """Seconds to read, map, validate, blind-index and encrypt the file, no database."""
    from django.utils import timezone

    from gongzhi.residents import parsing, staging
    from gongzhi.residents.importer import _chunks

    started = time.perf_counter()
    with path.open("rb") as fh:
        header, rows, _ = parsing.open_rows(fh, path.name)
        pick = parsing.mapper(header, COLUMNS)
        for part in _chunks(rows, pick, chunk):
            staging.prepare_chunk(part, after_row=0, today=timezone.localdate(), stage=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2, help="processes preparing chunks (0: in the main process)")
    parser.add_argument(
        "--row-fk-checks",
        action="store_true",
        help="keep the per-row deferred foreign-key triggers (no set-based checks)",
    )
    parser.add_argument("--profile", action="store_true", help="print the import's cProfile top 30 (cumulative)")
    parser.add_argument("--no-pages", action="store_true", help="skip the household page and lookup timings")
    parser.add_argument("--samples", type=int, default=200, help="pages and lookups timed")
    parser.add_argument("--no-floors", action="store_true", help="skip the database and Python floors")
    args = parser.parse_args()
    url = os.environ.get("RES_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_privacy")
    recreate(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    if args.row_fk_checks:
        os.environ["GONGZHI_IMPORT_SET_BASED_FK"] = "false"
    os.environ.setdefault("GONGZHI_RUN_SCHEDULER", "false")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        started = time.perf_counter()
        unique_rows(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {size_mb:.0f} MB CSV, generated in {time.perf_counter() - started:.0f} s")
        try:
            import django

            django.setup()
            from django.core.management import call_command
            from django.db import connection

            from gongzhi.core import context
            from gongzhi.residents import actions
            from gongzhi.residents.importer import run_import
            from gongzhi.residents.models import Resident
            from gongzhi.testing.world import build_world

            call_command("migrate", verbosity=0)
            world = build_world()
            rss_before = max_rss_mb()
            # 1. COPY of the same file into an unindexed table
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE bench_copy (name text, id_number text, phone text, address text, relation text, "
                    "residence_type text)"
                )
            raw = connection.connection
            started = time.perf_counter()
            sql = "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            with raw.cursor() as cursor, path.open("rb") as fh, cursor.copy(sql) as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            raw.commit()
            copy_s = time.perf_counter() - started
            # 2. the import
            with context.acting_as(None, source="bench:import"):
                profile = actions.save_import_profile(
                    name="bench", source="grid_worker", column_map=COLUMNS, priority=50, area=world.district,
                    actor=None,
                )  # fmt: skip
                profiler = None
                if args.profile:
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                started = time.perf_counter()
                with path.open("rb") as fh:
                    batch = run_import(
                        profile,
                        fh,
                        path.name,
                        grid=world.g1,
                        actor=None,
                        chunk_size=args.chunk,
                        workers=args.workers,
                    )
                import_s = time.perf_counter() - started
                if profiler is not None:
                    import pstats

                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            copy_rate, import_rate = args.rows / copy_s, args.rows / import_s
            with connection.cursor() as cursor:
                cursor.execute("SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')")
                set_based = cursor.fetchone()[0] and not args.row_fk_checks
            print(
                f"PostgreSQL {connection.pg_version // 10000}, chunk {args.chunk}, {args.workers} preparing workers, "
                f"foreign keys checked {'set-based' if set_based else 'per row (deferred triggers)'}"
            )
            print(f"COPY into unindexed table: {copy_s:8.1f} s  {copy_rate:10,.0f} rows/s")
            print(f"import (validate, encrypt, index, match, lineage): {import_s:8.1f} s  {import_rate:10,.0f} rows/s")
            print(f"import rate / COPY rate: {import_rate / copy_rate:.1%} (target >= 25%)")
            print(
                f"rows: {batch.rows_created:,} registered, {batch.rows_error:,} with errors, "
                f"{batch.rows_review:,} for review; residents in table: {Resident.objects.count():,}"
            )
            print(f"peak memory (max RSS): {max_rss_mb():.0f} MB (before the runs: {rss_before:.0f} MB; target < 1024)")
            if not args.no_floors:
                floor_s, counts = database_floor(Path(tmp))
                floor_rate = args.rows / floor_s
                written = ", ".join(f"{table} {n:,}" for table, n in counts.items())
                print(f"database floor (binary COPY of the import's rows into indexed copies): {floor_s:8.1f} s  "
                      f"{floor_rate:10,.0f} rows/s = {floor_rate / copy_rate:.1%} of COPY ({written})")  # fmt: skip
                prep_s = python_floor(path, args.chunk)
                prep_rate = args.rows / prep_s
                print(f"Python floor (read, validate, index, encrypt; no database, one core): {prep_s:8.1f} s  "
                      f"{prep_rate:10,.0f} rows/s = {prep_rate / copy_rate:.1%} of COPY")  # fmt: skip
                print(
                    f"import time = {import_s:.1f} s: database floor {floor_s / import_s:.0%}, "
                    f"Python floor {prep_s / import_s:.0%}, the rest (matching, statements, commits, "
                    f"staging moves, waiting) {max(import_s - floor_s - prep_s, 0) / import_s:.0%}"
                )
            if not args.no_pages:
                page_and_lookup_bench(world, path, samples=args.samples)
        finally:
            from django.db import connections

            connections.close_all()
            recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
