"""Deliberation hall and accountability on PostgreSQL: the cost of one support (the action with
its row lock, unique constraint, counter and threshold check), the public proposal list and
process page with many proposals, and the supervisors' overdue-results list.

    uv run python bench/bench_participation_deliberation.py
    uv run python bench/bench_participation_deliberation.py --proposals 20000 --results 50000 --supports 2000
    PDEL_BENCH_DATABASE_URL=postgres://user@host/db   # default postgres://postgres@127.0.0.1:5432/bench_pdelib

The database named by the URL is dropped and recreated (its name must start with "bench_pdelib").
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _url() -> str:
    return os.environ.get("PDEL_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_pdelib")


def _recreate(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_pdelib"):
        raise SystemExit(f"refusing to drop {name!r}: this benchmark's databases are named bench_pdelib*")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def scratch() -> Iterator[None]:
    url = _url()
    _recreate(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from gongzhi.testing.world import build_world

        call_command("migrate", verbosity=0)
        build_world()
        yield
    finally:
        from django.db import connections

        connections.close_all()
        _recreate(url, drop_only=True)


def sample(fn: Callable[[], object], runs: int) -> tuple[float, float, int]:
    """p50 and p95 in ms, and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        fn()
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--results", type=int, default=50_000)
    parser.add_argument("--supports", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with scratch():
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from gongzhi.access.choices import Role
        from gongzhi.access.models import RoleGrant
        from gongzhi.accounts.choices import AccountKind
        from gongzhi.core.context import acting_as
        from gongzhi.participation.accountability.models import Result
        from gongzhi.participation.deliberation import actions
        from gongzhi.participation.deliberation.models import Proposal
        from gongzhi.testing.world import load_world

        w = load_world()
        User = get_user_model()
        print(f"PostgreSQL {connection.pg_version // 10000}")

        # residents of C1 who support one proposal, one call each
        password = make_password(None)
        people = User.objects.bulk_create(
            [
                User(
                    username=f"bench{i}",
                    kind=AccountKind.RESIDENT,
                    home_area=w.g1,
                    phone=f"1370{i:07d}",
                    password=password,
                )
                for i in range(args.supports)
            ]
        )
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=u, role=Role.RESIDENT, area=w.c1, area_path=w.c1.path) for u in people]
        )
        with acting_as(None, source="bench"):
            process = actions.create_process(
                actor=w.community_worker_c1, title="bench", area=w.c1, support_threshold=args.supports // 2
            )
            target = actions.submit_proposal(process, actor=w.resident_c1, title="增设充电棚", body="内容")
            users = list(User.objects.filter(pk__in=[u.pk for u in people]))
            times = []
            start_all = time.perf_counter()
            for user in users:
                start = time.perf_counter()
                actions.support_proposal(target, actor=user)
                times.append((time.perf_counter() - start) * 1000)
            total = time.perf_counter() - start_all
        target.refresh_from_db()
        times.sort()
        print(
            f"support_proposal x{len(users):,}: p50 {statistics.median(times):.2f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms, {len(users) / total:.0f}/s sequential; "
            f"count {target.support_count}, status {target.status}"
        )

        # many proposals in one process, listed publicly
        now = timezone.now()
        Proposal.objects.bulk_create(
            [
                Proposal(
                    process=process,
                    area_path=process.area_path,
                    title=f"提议 {i}",
                    body="内容",
                    author=w.resident_c1,
                    support_count=i % 97,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(args.proposals)
            ],
            batch_size=5000,
        )
        today = timezone.localdate()
        Result.objects.bulk_create(
            [
                Result(
                    title=f"事项 {i}",
                    area=(w.c1, w.c2, w.c3)[i % 3],
                    area_path=(w.c1, w.c2, w.c3)[i % 3].path,
                    deadline=today + dt.timedelta(days=(i % 60) - 30),
                    status="in_progress" if i % 5 else "completed",
                    progress=100 if i % 5 == 0 else i % 100,
                    completed_at=now if i % 5 == 0 else None,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(args.results)
            ],
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        anonymous = Client()
        official = Client()
        official.force_login(w.district_official)
        resident = Client()
        resident.force_login(w.resident_c1)
        rows = [
            (
                "GET /api/participation/proposals/?process=… (anonymous)",
                lambda: anonymous.get(f"/api/participation/proposals/?process={process.pk}", secure=True),
            ),
            (
                "GET /participation/processes/… page (resident)",
                lambda: resident.get(f"/participation/processes/{process.pk}/", secure=True),
            ),
            (
                "GET /api/participation/results/ (anonymous)",
                lambda: anonymous.get("/api/participation/results/", secure=True),
            ),
            (
                "GET /api/participation/results/overdue/ (district)",
                lambda: official.get("/api/participation/results/overdue/", secure=True),
            ),
        ]
        print(f"{Proposal.objects.count():,} proposals, {Result.objects.count():,} results")
        print(f"{'request':58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, call in rows:
            response = call()
            assert response.status_code == 200, (label, response.status_code)
            p50, p95, queries = sample(call, args.runs)
            print(f"{label:58} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
