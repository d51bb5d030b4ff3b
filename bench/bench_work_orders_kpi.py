"""The KPI dashboard (summary, daily trend, unit ranking, overdue list) for a district
and a month, as the district official sees it: ``kpis.dashboard`` (over the KPI facts)
against the old queries over the orders (``tests/kpi_oracle.py``) in the same run, and
the API endpoints. Both must give the same numbers; the bench checks that.

    uv run python bench/bench_work_orders_kpi.py                     # 1,000,000 orders
    uv run python bench/bench_work_orders_kpi.py --reuse             # a database kept by an earlier run (--keep)
    WO_BENCH_DATABASE_URL=postgres://user@host/db  # default postgres://postgres@127.0.0.1:5432/gongzhi_wo_bench_mixed
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_work_orders_data import NOW, load, scratch_database


def _timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm the cache and the connection
    samples, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return samples, queries


def _line(label: str, samples: list[float], queries: int) -> str:
    return f"{label}: median {statistics.median(samples):.3f} s, max {max(samples):.3f} s, {queries} queries"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--old-runs", type=int, default=3, help="runs of the old queries (≈ 12 s each at 1M)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse: rebuild the KPI facts first")
    args = parser.parse_args()
    with scratch_database("mixed", keep=args.keep, reuse=args.reuse) as reused:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from gongzhi.territory.models import Area
        from gongzhi.work_orders import kpi_facts, kpis
        from gongzhi.work_orders.models import KpiFact, WorkOrder
        from gongzhi.work_orders.tests import kpi_oracle

        if not reused:
            start = time.perf_counter()
            load(args.orders)
            print(f"loaded in {time.perf_counter() - start:.0f} s")
        if not reused or args.rebuild:
            start = time.perf_counter()
            written = kpi_facts.rebuild()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE work_orders_kpifact")
            print(f"rebuild_kpi_facts: {written:,} facts in {time.perf_counter() - start:.0f} s (with VACUUM ANALYZE)")
        else:  # facts backfilled by the migration: set the visibility map as autovacuum would
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE work_orders_kpifact")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        official = get_user_model().objects.get(username="district_official")
        district = Area.objects.get(code="440305")
        month = kpis.parse_period("2026-11")
        in_month = WorkOrder.objects.filter(submitted_at__gte=month.start, submitted_at__lt=month.end).count()
        print(
            f"PostgreSQL {connection.pg_version // 10000}: {WorkOrder.objects.count():,} work orders "
            f"({KpiFact.objects.count():,} facts), {in_month:,} submitted in 2026-11"
        )
        start_day, end_day = dt.date(2026, 11, 1), dt.date(2026, 12, 1)

        def new() -> dict[str, Any]:
            return kpis.dashboard(district, start_day, end_day, user=official, now=NOW)

        def old() -> dict[str, Any]:
            data = kpi_oracle.dashboard(district, start_day, end_day, user=official, now=NOW)
            data["overdue"] = kpis.overdue(district, base=WorkOrder.objects.restrict(official, "view"), now=NOW)
            return data

        new_data, old_data = new(), old()
        same = all(new_data[key] == old_data[key] for key in ("summary", "trend", "ranking", "overdue"))
        print(f"same numbers (summary, trend, ranking, overdue): {same}")
        if not same:
            raise SystemExit("the KPI facts disagree with the old queries")
        samples, queries = _timed(new, args.runs)
        new_median = statistics.median(samples)
        print(_line("new kpis.dashboard(district, 2026-11)", samples, queries))
        samples, queries = _timed(old, args.old_runs)
        print(_line("old dashboard (oracle queries over the orders)", samples, queries))
        print(f"old / new: {statistics.median(samples) / new_median:.1f} times")
        parts = {
            "summary": lambda: kpis.summary(district, month, base=kpis.facts_for(official), now=NOW),
            "trend": lambda: kpis.trend(district, month, base=kpis.facts_for(official), now=NOW),
            "ranking": lambda: kpis.ranking(district, month, base=kpis.facts_for(official), now=NOW),
            "overdue": lambda: kpis.overdue(district, base=WorkOrder.objects.restrict(official, "view"), now=NOW),
        }
        for name, fn in parts.items():
            print("  " + _line(name, *_timed(fn, args.runs)))
        # Other viewers: a department handler (scope = its unit's orders and those it assists)
        # and the district official filtering one unit; each checked against the old queries.
        handler = get_user_model().objects.get(username="department_handler")
        from gongzhi.organisations.models import Organisation

        housing = Organisation.objects.get(code="ORG-HB")
        for label, kwargs in (
            ("department handler", {"user": handler}),
            ("district official, unit=ORG-HB", {"user": official, "unit": housing}),
        ):
            got = kpis.dashboard(district, start_day, end_day, now=NOW, **kwargs)
            want = kpi_oracle.dashboard(district, start_day, end_day, now=NOW, **kwargs)
            same = all(got[key] == want[key] for key in ("summary", "trend", "ranking"))
            samples, queries = _timed(
                lambda kwargs=kwargs: kpis.dashboard(district, start_day, end_day, now=NOW, **kwargs), args.runs
            )
            print(_line(f"new kpis.dashboard, {label} (same numbers: {same})", samples, queries))
        client = Client()
        client.force_login(official)
        for url in (
            f"/api/work-orders/kpis/dashboard/?area={district.pk}&period=2026-11",
            f"/api/work-orders/kpis/?area={district.pk}&period=2026-11",
        ):
            samples, queries = _timed(lambda url=url: client.get(url, secure=True), args.runs)
            print(_line(f"GET {url}", samples, queries))
        summary = new_data["summary"]
        print(
            "district 2026-11: "
            + ", ".join(
                f"{k} {summary[k]}"
                for k in ("response_rate", "resolution_rate", "satisfaction_rate", "repeat_rate", "score")
            )
        )
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
