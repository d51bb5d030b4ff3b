"""Duplicate suggestion at intake with 1,000,000 work orders in PostgreSQL.

    uv run python bench/bench_text_duplicates.py --orders 1000000 [--keep] [--reuse]
    TEXT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_text   # the default

Loads synthetic orders with ``bench_work_orders_data.load`` (four grids of the test world,
submitted over 2026, about a quarter still open), gives them the titles and texts of the real
hot-spot messages (read from ../shared/data/messages at run time, never stored in the
repository), then times ``gongzhi.text.queries.duplicate_candidates`` — the indexed candidate
query plus the text scoring — for real messages filed in grid G1. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from gongzhi.testing.shared import shared_dir  # noqa: E402 (after sys.path)

DATA = shared_dir() / "data" / "messages"
URL = os.environ.get("TEXT_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_text")


def _admin(sql: str) -> None:
    import psycopg

    parts = urlsplit(URL)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_text"):
        raise SystemExit(f"refusing to touch {name!r}: text bench databases are named bench_text*")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql.format(name=name))


def _exists() -> bool:
    import psycopg

    parts = urlsplit(URL)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]).fetchone()
    return row is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    reused = args.reuse and _exists()
    if not reused:
        _admin('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin('CREATE DATABASE "{name}"')
    os.environ.update({"DATABASE_URL": URL, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.territory.models import Area
    from gongzhi.testing.world import build_world
    from gongzhi.text.engine.csvdata import read_rows
    from gongzhi.text.queries import duplicate_candidates

    out: dict[str, object] = {"load_average_at_start": os.getloadavg()}
    rows = list(read_rows(DATA / "hotspot_messages.csv"))
    try:
        if not reused:
            call_command("migrate", verbosity=0)
            build_world()
            from bench_work_orders_data import NOW, load

            started = time.perf_counter()
            info = load(args.orders)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE work_orders_workorder SET title = left((%(t)s::text[])[1 + id %% %(n)s], 120), "
                    "description = left((%(d)s::text[])[1 + id %% %(n)s], 4000)",
                    {"t": [r["title"] for r in rows], "d": [r["text"] for r in rows], "n": len(rows)},
                )
                cursor.execute("VACUUM ANALYZE work_orders_workorder") if connection.in_atomic_block is False else None
            out["load_seconds"] = round(time.perf_counter() - started, 1)
            out["load_info"] = {k: v for k, v in info.items() if k != "timings"}
        from bench_work_orders_data import NOW

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM work_orders_workorder")
            out["orders_in_database"] = cursor.fetchone()[0]
        g1 = Area.objects.get(code="440305001001001") if Area.objects.filter(code="440305001001001").exists() else None
        g1 = g1 or Area.objects.filter(level=5).order_by("path").first()
        assert g1 is not None
        times: list[float] = []
        found = 0
        candidates_read: list[int] = []
        for i in range(args.queries):
            row = rows[(i * 37) % len(rows)]
            started = time.perf_counter()
            dups = duplicate_candidates(title=row["title"], text=row["text"], area_path=g1.path, at=NOW)
            times.append((time.perf_counter() - started) * 1000)
            found += bool(dups)
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM work_orders_workorder WHERE status = ANY(%s) "
                "AND area_path LIKE %s AND submitted_at >= %s AND submitted_at <= %s "
                "ORDER BY submitted_at DESC LIMIT 300",
                [
                    ["submitted", "accepted", "dispatched", "signed", "returned", "in_progress", "replied", "reopened"],
                    g1.path.rsplit("/", 2)[0] + "/%",
                    NOW.replace(day=1),
                    NOW,
                ],
            )
            out["plan"] = [r[0] for r in cursor.fetchall()]
        times.sort()
        out.update(
            {
                "queries": len(times),
                "with_candidates": found,
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
                "max_ms": round(times[-1], 2),
                "load_average_at_end": os.getloadavg(),
            }
        )
        del candidates_read
    finally:
        if not args.keep:
            connection.close()
            _admin('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
