"""The fixed cost of one authenticated request: statements, their time, and the Python time.

Builds the test world in a scratch PostgreSQL database, a few residents in grid G1 and a few
work orders in community C1, then — as the grid worker of G1 for the resident lookups and as the
committee worker of C1 for the work-order list — prints for each request every statement with
its time, optionally a cProfile of one request, and the median / p95 of ``--samples`` requests
through Django's test client (session cookie, the whole middleware stack, DRF).

    RES_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_privacy_reqcost \
        uv run python bench/bench_request_cost.py --samples 300 --profile
    # with REDIS_URL set the project runs as in production (Redis cache, cached_db sessions);
    # --compare alternates that with the database session engine and no authorisation cache

The table sizes do not matter here (see ``bench_residents_pages.py`` for 10⁶ residents): the
lookup itself is one btree probe; everything else measured here is paid by every request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_residents_import import recreate  # noqa: E402


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per endpoint")
    parser.add_argument("--sql", action="store_true", help="print every statement of one request per endpoint")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time 'before' (database sessions, no authorisation cache), alternating with 'after'",
    )
    args = parser.parse_args()
    url = os.environ.get("RES_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_privacy_reqcost")
    recreate(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("GONGZHI_RUN_SCHEDULER", "false")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        from gongzhi.residents.factories import ResidentFactory
        from gongzhi.testing.world import build_world

        call_command("migrate", verbosity=0)
        cache.clear()
        world = build_world()
        person = ResidentFactory(grid=world.g1, name="张三", phone="13912345678")
        for _ in range(5):
            ResidentFactory(grid=world.g1)

        from gongzhi.work_orders.tests import factories as wo_factories

        for _ in range(25):
            wo_factories.dispatched(world)

        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"session engine {settings.SESSION_ENGINE}, cache {backend}, authz cache {settings.GONGZHI_AUTHZ_CACHE}")
        endpoints = [
            ("lookup by ID number", "grid_worker_g1", f"/api/residents/people/lookup/?id_number={person.id_number}"),
            ("lookup by phone", "grid_worker_g1", "/api/residents/people/lookup/?phone=13912345678"),
            ("work-order list", "community_worker_c1", "/api/work-orders/"),
        ]
        # "before": the database session engine and no request authorisation cache (user and
        # grants read on every request), as without Redis; "after": the settings in force.
        modes = {"after": {}}
        if args.compare:
            modes = {
                "before": {"SESSION_ENGINE": "django.contrib.sessions.backends.db", "GONGZHI_AUTHZ_CACHE": False},
                "after": {},
            }
        for label, actor, path in endpoints:
            clients: dict[str, Client] = {}
            print(f"\n{label} ({path.split('?')[0]}):")
            for mode, overrides in modes.items():
                with override_settings(**overrides):
                    client = clients[mode] = Client()
                    client.force_login(world.users[actor])
                    for _ in range(3):  # warm up: first-request imports, caches, connection
                        response = client.get(path)
                        assert response.status_code == 200, (label, response.status_code, response.content[:200])
                    with CaptureQueriesContext(connection) as ctx:
                        client.get(path)
                sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
                print(f"  {mode}: {len(ctx.captured_queries)} statements, {sql_ms:.1f} ms SQL")
                if args.sql:
                    for q in ctx.captured_queries:
                        print(f"    {float(q['time']) * 1000:5.1f} ms  {q['sql'][:160]}")
            if args.profile:
                with override_settings(**modes["after"]):
                    profiler = cProfile.Profile()
                    profiler.enable()
                    for _ in range(50):
                        clients["after"].get(path)
                    profiler.disable()
                for order, count in (("tottime", 30), ("cumulative", 70)):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(count)
                    print(f"  50 requests under cProfile, by {order}:")
                    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
            # The modes alternate in blocks of 25 requests so that both see the same machine load.
            timings: dict[str, list[float]] = {mode: [] for mode in modes}
            while len(timings["after"]) < args.samples:
                for mode, overrides in modes.items():
                    with override_settings(**overrides):
                        for _ in range(25):
                            started = time.perf_counter()
                            clients[mode].get(path)
                            timings[mode].append((time.perf_counter() - started) * 1000)
            for mode, values in timings.items():
                print(
                    f"  {mode}: {len(values)} requests, median {statistics.median(values):.2f} ms,"
                    f" p95 {_p(values, 0.95):.2f} ms, load average {os.getloadavg()[0]:.2f}"
                )
    finally:
        from django.db import connections

        connections.close_all()
        recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
