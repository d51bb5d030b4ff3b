"""The KPI dashboard (summary, daily trend, unit ranking, overdue list) for a district
and a month, as the district official sees it: ``kpis.dashboard`` and the API endpoint.

    uv run python bench/bench_work_orders_kpi.py                     # 1,000,000 orders
    uv run python bench/bench_work_orders_kpi.py --reuse             # a database kept by the inbox bench
    WO_BENCH_DATABASE_URL=postgres://user@host/db  # default postgres://postgres@127.0.0.1:5432/gongzhi_wo_bench_mixed
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_work_orders_data import NOW, load, scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    with scratch_database("mixed", keep=args.keep, reuse=args.reuse) as reused:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from gongzhi.territory.models import Area
        from gongzhi.work_orders import kpis
        from gongzhi.work_orders.models import WorkOrder

        if not reused:
            start = time.perf_counter()
            load(args.orders)
            print(f"loaded in {time.perf_counter() - start:.0f} s")
        official = get_user_model().objects.get(username="district_official")
        district = Area.objects.get(code="440305")
        month = kpis.parse_period("2026-11")
        in_month = WorkOrder.objects.filter(submitted_at__gte=month.start, submitted_at__lt=month.end).count()
        print(
            f"PostgreSQL {connection.pg_version // 10000}: {WorkOrder.objects.count():,} work orders, "
            f"{in_month:,} submitted in 2026-11"
        )

        def timed(fn) -> tuple[list[float], int]:
            fn()
            samples, queries = [], 0
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    fn()
                    samples.append(time.perf_counter() - start)
                queries = len(ctx.captured_queries)
            return samples, queries

        samples, queries = timed(
            lambda: kpis.dashboard(district, dt.date(2026, 11, 1), dt.date(2026, 12, 1), user=official, now=NOW)
        )
        print(
            f"kpis.dashboard(district, 2026-11): median {statistics.median(samples):.3f} s, "
            f"max {max(samples):.3f} s, {queries} queries"
        )
        client = Client()
        client.force_login(official)
        url = f"/api/work-orders/kpis/dashboard/?area={district.pk}&period=2026-11"
        samples, queries = timed(lambda: client.get(url, secure=True))
        print(f"GET {url}: median {statistics.median(samples):.3f} s, max {max(samples):.3f} s, {queries} queries")
        url = f"/api/work-orders/kpis/?area={district.pk}&period=2026-11"
        samples, queries = timed(lambda: client.get(url, secure=True))
        print(f"GET {url}: median {statistics.median(samples):.3f} s, max {max(samples):.3f} s, {queries} queries")
        summary = kpis.summary(district, month, now=NOW)
        print(
            "district 2026-11: "
            + ", ".join(
                f"{k} {summary[k]}"
                for k in ("response_rate", "resolution_rate", "satisfaction_rate", "repeat_rate", "score")
            )
        )


if __name__ == "__main__":
    main()
