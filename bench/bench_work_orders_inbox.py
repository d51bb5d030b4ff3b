"""Staff inbox pages (``GET /api/work-orders/?inbox=…`` and the UI ``/work-orders/?inbox=…``)
on a large table: p50/p95 time and the number of queries of each inbox, for several roles,
and the UI's "which units are late" panel (``/work-orders/late/``, loaded after the page).

    uv run python bench/bench_work_orders_inbox.py                   # 1,000,000 orders
    uv run python bench/bench_work_orders_inbox.py --orders 200000 --keep   # keep for the KPI bench
    uv run python bench/bench_work_orders_inbox.py --reuse           # use a kept database
    WO_BENCH_DATABASE_URL=postgres://user@host/db  # default postgres://postgres@127.0.0.1:5432/gongzhi_wo_bench_mixed
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_work_orders_data import load, scratch_database

ACTORS = ["community_worker_c1", "street_official_s1", "district_official", "department_handler"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    with scratch_database("mixed", keep=args.keep, reuse=args.reuse) as reused:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from gongzhi.work_orders.models import WorkOrder
        from gongzhi.work_orders.queries import INBOXES

        if not reused:
            start = time.perf_counter()
            load(args.orders)
            print(f"loaded in {time.perf_counter() - start:.0f} s")
        print(f"PostgreSQL {connection.pg_version // 10000}: {WorkOrder.objects.count():,} work orders")
        from gongzhi.core.runtime import warm_up

        # As gongzhi.wsgi does in every server process: start-up objects leave the garbage
        # collector's full scans (those scans were the 100-250 ms spikes in the p95 column).
        print(f"start-up objects frozen: {warm_up():,}")
        print("rows: the page's count, capped at 10,000 (shown 10000+ in the UI)")
        print(f"{'page':4} {'actor':22} {'inbox':20} {'rows':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        worst = {"api": 0.0, "ui": 0.0}
        for actor in ACTORS:
            client = Client()
            client.force_login(get_user_model().objects.get(username=actor))
            for kind in ("api", "ui"):
                for inbox in INBOXES:
                    url = f"/api/work-orders/?inbox={inbox}" if kind == "api" else f"/work-orders/?inbox={inbox}"
                    for _ in range(3):
                        response = client.get(url, secure=True)
                    if response.status_code == 404:  # a UI tab the role does not have
                        continue
                    samples = []
                    for _ in range(args.runs):
                        with CaptureQueriesContext(connection) as ctx:
                            start = time.perf_counter()
                            response = client.get(url, secure=True)
                            samples.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.content[:200]
                    p95 = statistics.quantiles(samples, n=20)[-1]
                    worst[kind] = max(worst[kind], p95)
                    rows = response.json()["count"] if kind == "api" else "-"
                    print(
                        f"{kind:4} {actor:22} {inbox:20} {rows:>8} {statistics.median(samples):>8.1f} "
                        f"{p95:>8.1f} {len(ctx.captured_queries):>8}"
                    )
            # The "which units are late" panel, loaded by the UI page after it is shown.
            samples = []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = client.get("/work-orders/late/", secure=True)
                    samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            p95 = statistics.quantiles(samples, n=20)[-1]
            print(
                f"{'ui':4} {actor:22} {'(late-units panel)':20} {'-':>8} {statistics.median(samples):>8.1f} "
                f"{p95:>8.1f} {len(ctx.captured_queries):>8}"
            )
        print(f"worst p95: API {worst['api']:.1f} ms, UI {worst['ui']:.1f} ms")


if __name__ == "__main__":
    main()
