"""Household file page and exact lookups with N residents in the table (default 1,000,000).

Fills the register fast and directly (``gongzhi.residents.bulk.insert_rows``: ``COPY`` with
AES-256-GCM ciphertexts and HMAC blind indexes computed in Python, the same column format the
ORM writes) — N people in households of 1 to 4 at distinct addresses of the grid worker's grid —
then times, as that grid worker, the household file page and finding a person by ID number
or phone (the scoped query alone, and the API request). Use ``bench_residents_import.py`` for
the import itself; this one exists because filling 10⁶ rows through the importer takes ~25 min
on a loaded machine.

    uv run python bench/bench_residents_pages.py --rows 1000000
    RES_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_privacy_pages   # the default
    RES_BENCH_REDIS_URL=redis://127.0.0.1:6379/10   # optional: production settings (Redis)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_residents_import import (  # noqa: E402
    _fix_check_digit,
    _p,
    _sample_rows,
    max_rss_mb,
    page_and_lookup_bench,
    recreate,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=20_000)
    args = parser.parse_args()
    url = os.environ.get("RES_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_privacy_pages")
    recreate(url)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING"})
    # Embedded mode by default; RES_BENCH_REDIS_URL runs as in production (Redis cache, cached_db
    # sessions, the request authorisation cache of gongzhi.access.authcache). Tasks stay in-process.
    os.environ.pop("REDIS_URL", None)
    if os.environ.get("RES_BENCH_REDIS_URL"):
        os.environ.update({"REDIS_URL": os.environ["RES_BENCH_REDIS_URL"], "CELERY_BROKER_URL": "memory://"})
    os.environ.setdefault("GONGZHI_RUN_SCHEDULER", "false")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from gongzhi.privacy import crypto
        from gongzhi.residents import bulk
        from gongzhi.residents.models import Household, HouseholdMembership, Resident
        from gongzhi.testing.world import build_world

        call_command("migrate", verbosity=0)
        from django.core.cache import cache

        cache.clear()  # a fresh database: nothing cached about an earlier one may be used
        world = build_world()
        grid = world.g1
        ring = crypto.keyring()
        rng = random.Random(7)
        start, today = dt.date(1940, 1, 1), dt.date.today()  # noqa: DTZ011
        relations = ["head", "spouse", "child", "parent"]
        started = time.perf_counter()
        done, household_no = 0, 0
        with tempfile.TemporaryDirectory() as tmp:
            sample_path = Path(tmp) / "sample.csv"
            with sample_path.open("w", newline="", encoding="utf-8") as sample_fh:
                sample = csv.writer(sample_fh)
                sample.writerow(["name", "id_number", "phone"])
                while done < args.rows:
                    n = min(args.chunk, args.rows - done)
                    people, homes, members = [], [], []
                    while len(people) < n:
                        household_no += 1
                        street_no, building = household_no // 2000 + 1, household_no % 2000 // 20 + 1
                        homes.append(f"南山区科苑路{street_no}号{building}栋{household_no % 20 + 1}室")
                        for member in range(min(rng.randint(1, 4), n - len(people))):
                            i = done + len(people)
                            born = start + dt.timedelta(days=i // 1000)
                            number = _fix_check_digit(f"440305{born:%Y%m%d}{i % 1000:03d}")
                            phone = f"13{i:09d}"
                            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                            id_index = crypto.blind_index(number, kind="id_number", ring=ring, normalised=True)
                            phone_index = crypto.blind_index(phone, kind="phone", ring=ring, normalised=True)
                            people.append(
                                {"name": name, "gender": "male" if int(number[16]) % 2 else "female",
                                 "date_of_birth": born, "id_number": number, "id_number_index": id_index,
                                 "phone": phone, "phone_index": phone_index, "grid_id": grid.pk, "area_path": grid.path}
                            )  # fmt: skip
                            members.append((len(homes) - 1, relations[member]))
                            if rng.random() < 0.001:
                                sample.writerow([name, number, phone])
                    with transaction.atomic():
                        ids = bulk.insert_rows(Resident, people, ids=bulk.reserve_ids(Resident, len(people)))
                        home_ids = bulk.insert_rows(
                            Household,
                            [{"grid_id": grid.pk, "area_path": grid.path, "address": a, "number": ""} for a in homes],
                            ids=bulk.reserve_ids(Household, len(homes)),
                        )
                        bulk.insert_rows(
                            HouseholdMembership,
                            [{"household_id": home_ids[h], "resident_id": pk, "area_path": grid.path, "relation": rel,
                              "residence_type": "registered", "moved_in_on": today}
                             for (h, rel), pk in zip(members, ids, strict=True)],
                        )  # fmt: skip
                    done += n
                    print(f"\r{done:,} residents", end="", flush=True)
            print(
                f"\nfilled in {time.perf_counter() - started:.0f} s (COPY, ciphertexts and indexes computed in Python)"
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            # page_and_lookup_bench samples rows from a CSV with the import's column order
            bench_path = Path(tmp) / "bench.csv"
            with sample_path.open(encoding="utf-8") as src, bench_path.open("w", newline="", encoding="utf-8") as dst:
                writer = csv.writer(dst)
                writer.writerow(["姓名", "身份证号", "手机"])
                for row in list(csv.reader(src))[1:]:
                    writer.writerow(row)
            page_and_lookup_bench(world, bench_path, samples=args.samples)
            if os.environ.get("RES_BENCH_REDIS_URL"):
                compare_lookup_settings(world, bench_path, samples=args.samples)
            print(f"peak memory (max RSS): {max_rss_mb():.0f} MB")
    finally:
        from django.db import connections

        connections.close_all()
        recreate(url, drop_only=True)


def compare_lookup_settings(world: object, path: Path, *, samples: int) -> None:
    """The lookup API with the production settings ("after": cached_db sessions and the request
    authorisation cache) and with database sessions and no authorisation cache ("before"),
    alternating request by request so that both see the same machine load."""
    from django.test import Client
    from django.test.utils import override_settings

    modes = {
        "before": {"SESSION_ENGINE": "django.contrib.sessions.backends.db", "GONGZHI_AUTHZ_CACHE": False},
        "after": {},
    }
    user = world.grid_worker_g1  # type: ignore[attr-defined]
    clients = {}
    for mode, overrides in modes.items():
        with override_settings(**overrides):
            clients[mode] = Client()
            clients[mode].force_login(user)
            clients[mode].get("/api/residents/people/lookup/?phone=13000000000")
    timings: dict[str, list[float]] = {f"{m} {k}": [] for m in modes for k in ("id", "phone")}
    for row in _sample_rows(path, samples):
        for key, param, value in (("id", "id_number", row[1]), ("phone", "phone", row[2])):
            for mode, overrides in modes.items():
                with override_settings(**overrides):
                    started = time.perf_counter()
                    response = clients[mode].get(f"/api/residents/people/lookup/?{param}={value}")
                    timings[f"{mode} {key}"].append((time.perf_counter() - started) * 1000)
                assert len(response.json()["results"]) == 1, response.content[:200]
    for label, values in timings.items():
        print(f"lookup API, {label}: median {_p(values, 0.5):.1f} ms, p95 {_p(values, 0.95):.1f} ms (alternating)")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
