"""Demo district benchmark: seeding speed and "everything under this street" on PostgreSQL.

    uv run python bench/bench_seed.py                   # district size (100,000 residents)
    uv run python bench/bench_seed.py --residents 20000 --keep
    SEED_BENCH_DATABASE_URL=postgres://user@host/db     # default postgres://postgres@127.0.0.1:5432/gongzhi_seed_bench

The database named by the URL is dropped and recreated (and dropped again unless --keep).
It prints residents per second, the time of each seeding step, a COPY-vs-bulk_create
comparison, and the subtree query (materialised path, one indexed range scan) against a
naive walk up the parent chain, with their ratio. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongzhi_seed_bench"


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query timing (median is printed)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("SEED_BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(url, drop_only=True)


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction

    from gongzhi.accounts.models import User
    from gongzhi.demo.bulk import BulkInserter
    from gongzhi.demo.seeding import SIZES, DemoSize, seed_demo
    from gongzhi.territory.choices import AreaLevel
    from gongzhi.territory.models import Area, Building

    call_command("migrate", verbosity=0)
    size = DemoSize(**{**SIZES["district"].__dict__, "residents": args.residents})
    print(f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}")

    # 1. Seeding.
    start = time.perf_counter()
    summary = seed_demo(size)
    total = time.perf_counter() - start
    residents = summary.counts["residents"]
    print(f"\nseed_demo --size district: {residents:,} residents in {total:.1f} s")
    print(f"  residents/second (whole seed):    {residents / total:,.0f}")
    print(f"  residents/second (resident step): {residents / summary.timings['residents']:,.0f}")
    print("  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in summary.timings.items()))
    print("  rows:  " + ", ".join(f"{k} {v:,}" for k, v in summary.counts.items()))

    # 2. COPY against the ORM's multi-row INSERT for the same 20,000 residents (rolled back).
    grid = Area.objects.filter(level=AreaLevel.GRID).first()
    n = 20_000
    rows = [(f"bench_{i:06d}", "王芳", f"199{i:08d}", grid.pk, "!bench") for i in range(n)]
    inserter = BulkInserter(User, ["username", "display_name", "phone", "home_area_id", "password"])

    def with_copy() -> None:
        with transaction.atomic():
            for k in range(0, n, 2000):
                inserter.insert(rows[k : k + 2000], return_ids=True)
            transaction.set_rollback(True)

    def with_bulk_create() -> None:
        with transaction.atomic():
            objs = [User(**inserter.constants, **dict(zip(inserter.columns, r, strict=True))) for r in rows]
            User.objects.bulk_create(objs, batch_size=2000)
            transaction.set_rollback(True)

    copy_time, _ = median_time(with_copy, 3)
    bulk_time, _ = median_time(with_bulk_create, 3)
    ratio = bulk_time / copy_time
    print(f"\ninsert {n:,} residents: COPY {copy_time:.2f} s, bulk_create {bulk_time:.2f} s, ratio {ratio:.1f}x")

    # 3. Everything under a street: one indexed range scan vs a walk up the parent chain.
    street = Area.objects.filter(level=AreaLevel.STREET).order_by("path").first()
    official = User.objects.get(username="street_official_01")

    def subtree_areas() -> set[int]:
        return set(Area.objects.filter(path__startswith=street.path).values_list("pk", flat=True))

    def restricted_buildings() -> set[int]:
        return set(Building.objects.restrict(official, "view").values_list("pk", flat=True))

    def naive_walk() -> tuple[set[int], set[int]]:
        """What code without a materialised path does: for each row, follow parent links
        (one query per hop, nothing cached) and keep the row if the street is an ancestor."""
        areas: set[int] = set()
        for area_id in Area.objects.values_list("pk", flat=True):
            node = Area.objects.only("pk", "parent_id").get(pk=area_id)
            while node is not None:
                if node.pk == street.pk:
                    areas.add(area_id)
                    break
                node = Area.objects.only("pk", "parent_id").get(pk=node.parent_id) if node.parent_id else None
        buildings = set(Building.objects.filter(grid_id__in=areas).values_list("pk", flat=True))
        return areas, buildings

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    path_areas_time, areas = median_time(subtree_areas, args.repeat)
    path_buildings_time, buildings = median_time(restricted_buildings, args.repeat)
    reset_queries()
    naive_time, (naive_areas, naive_buildings) = median_time(naive_walk, max(1, args.repeat // 2))
    assert naive_areas == areas, "the naive walk and the path query disagree on areas"
    assert naive_buildings == buildings, "the naive walk and restrict() disagree on buildings"
    path_time = path_areas_time + path_buildings_time
    print(f"\neverything under {street.name} ({len(areas)} areas, {len(buildings)} buildings):")
    print(f"  Area path__startswith:                  {path_areas_time * 1000:8.2f} ms")
    print(f"  Building.objects.restrict(official):    {path_buildings_time * 1000:8.2f} ms")
    print(f"  naive parent walk (areas + buildings):  {naive_time * 1000:8.2f} ms")
    print(f"  ratio naive / materialised path:        {naive_time / path_time:8.0f}x")


if __name__ == "__main__":
    main()
