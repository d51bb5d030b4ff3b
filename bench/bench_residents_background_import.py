"""A web upload of a resident import, now run in the background: how long the request takes,
how long the background run takes, and what storing the file encrypted costs.

Generates N rows (the same generator as bench_residents_import.py), then, on PostgreSQL:

1. ``POST /residents/imports/`` as committee staff (Django test client, in process): checks the
   file, encrypts it into private storage with its SHA-256 and queues the set. The Celery task
   is only enqueued (in-memory broker), so the request's time is what a user waits for.
2. The task body (``importer.run_queued_import``): SHA-256 check of the stored file, decrypting
   stream, then the import (``run_import``, chunks of 1,000, no worker processes: a Celery
   prefork child cannot fork a pool). Before this change the request itself took this long.
3. The encryption overhead alone: ``verify_upload`` (decrypt + hash the whole file) and one
   more decrypting read, against the import's time.

    uv run python bench/bench_residents_background_import.py --rows 100000
    BG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_privacy_bgimport   # default; dropped at the end
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    from bench_residents_import import COLUMNS, recreate, unique_rows

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("BG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_privacy_bgimport")
    recreate(url)
    tmp = tempfile.mkdtemp(prefix="bgimport-bench-")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base",
            "LOG_LEVEL": "WARNING",
            "GONGZHI_RUN_SCHEDULER": "false",
            "GONGZHI_IMPORT_THREAD": "false",
            "GONGZHI_IMPORT_UPLOAD_DIR": str(Path(tmp) / "private"),
            "GONGZHI_KEY_FILE": str(Path(tmp) / "keys.json"),
        }
    )
    os.environ.pop("REDIS_URL", None)
    path = Path(tmp) / "名单.csv"
    unique_rows(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test import Client

        from gongzhi.core import context
        from gongzhi.residents import actions, importer, uploads
        from gongzhi.residents.models import ImportBatch
        from gongzhi.testing.world import build_world

        settings.CELERY_TASK_ALWAYS_EAGER = False  # enqueue only (memory:// broker), as with a real worker
        from gongzhi.celery import app as celery_app

        celery_app.conf.task_always_eager = False
        call_command("migrate", verbosity=0)
        world = build_world()
        with context.acting_as(None, source="bench"):
            profile = actions.save_import_profile(
                name="bench", source="grid_worker", column_map=COLUMNS, priority=50, area=world.c1, actor=None
            )
        client = Client()
        client.force_login(world.community_worker_c1)
        body = {"profile": profile.pk, "grid": world.g1.pk}
        client.get("/residents/imports/")  # warm up (templates, URL resolver, session)
        tiny = SimpleUploadedFile("warm.csv", "姓名\n".encode())
        client.post("/residents/imports/", {**body, "file": tiny})  # warm up the broker connection
        ImportBatch.objects.all().delete()
        started = time.perf_counter()
        response = client.post(
            "/residents/imports/", {**body, "file": SimpleUploadedFile(path.name, path.read_bytes())}
        )
        request_s = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        batch = ImportBatch.objects.get()
        assert batch.status == "queued", batch.status
        started = time.perf_counter()
        uploads.verify_upload(batch.upload, batch.upload_sha256)
        verify_s = time.perf_counter() - started
        started = time.perf_counter()
        with uploads.open_upload(batch.upload) as stream:
            while stream.read(1 << 20):
                pass
        decrypt_s = time.perf_counter() - started
        started = time.perf_counter()
        with context.acting_as(None, source="bench:task"):
            outcome = importer.run_queued_import(batch.pk)
        task_s = time.perf_counter() - started
        batch.refresh_from_db()
        assert outcome == "committed", (outcome, batch.failure)
        print(f"{args.rows:,} rows, {size_mb:.1f} MB CSV, PostgreSQL")
        print(f"upload request (check, encrypt + SHA-256 into private storage, queue): {request_s * 1000:.0f} ms")
        print(
            f"background run: {task_s:.1f} s ({batch.rows_created:,} registered, {batch.rows_error:,} with errors), "
            f"{batch.rows_done / task_s:,.0f} rows/s"
        )
        print(
            f"of which reading the stored file twice (SHA-256 check + decrypting stream): "
            f"~{verify_s + decrypt_s:.2f} s "
            f"({(verify_s + decrypt_s) / task_s:.1%} of the run); verify alone {verify_s:.2f} s"
        )
        print(f"upload left in private storage after the run: {uploads.upload_exists(batch.upload)}")
    finally:
        from django.db import connections

        connections.close_all()
        recreate(url, drop_only=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
