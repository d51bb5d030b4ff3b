"""Imports from the web and the API run in the background: upload → queued → task → finished.

The upload is checked, stored encrypted in private storage with its SHA-256 and queued by an
action; the task (run here eagerly, as Celery would) claims the set under a row lock, so a
duplicate does nothing; a crash leaves a resumable ``failed`` set; cancel is cooperative."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.residents import actions, importer, staging, tasks, uploads
from gongzhi.residents.choices import ImportStatus
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import ImportBatch, Resident
from gongzhi.residents.tests.test_import import csv_bytes, new_id, profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test gets its own private upload directory (files outlive rolled-back transactions)."""
    settings.GONGZHI_IMPORT_UPLOAD_DIR = tmp_path
    options = {**settings.STORAGES["residents_imports"].get("OPTIONS", {}), "location": str(tmp_path)}
    settings.STORAGES = {**settings.STORAGES, "residents_imports": {**settings.STORAGES["residents_imports"],
                                                                     "OPTIONS": options}}  # fmt: skip
    return tmp_path


def rows(n=5, start=0):
    return [[f"孙{start + i:03d}", new_id(1950 + (start + i) % 50), "", "", f"科苑路{start + i}号", "", ""]
            for i in range(n)]  # fmt: skip


def post_upload(client, world, prof, data, *, name="名单.csv", dry_run=False, run=False):
    body = {"file": SimpleUploadedFile(name, data), "profile": prof.pk, "grid": world.g2.pk}
    if dry_run:
        body["dry_run"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=run):
        return client.post("/residents/imports/", body)


def queue(world, data, *, name="名单.csv", dry_run=False):
    upload = SimpleUploadedFile(name, data)
    uploads.check_upload(upload)
    return importer.submit_import(
        profile(world), upload, grid=world.g2, actor=world.community_worker_c1, dry_run=dry_run
    )


def in_grid(world):
    return set(Resident.objects.filter(grid=world.g2).values_list("name", flat=True))


def stored_path(batch):
    return settings.GONGZHI_IMPORT_UPLOAD_DIR / batch.upload


# --- upload -----------------------------------------------------------------------------------


def test_an_upload_is_stored_encrypted_and_queued_and_the_request_answers_at_once(world, people, client_for):
    prof = profile(world)
    table = rows(3)
    data = csv_bytes(table)
    before = ChangeRecord.objects.count()

    response = post_upload(client_for("community_worker_c1"), world, prof, data)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/residents/imports/{batch.pk}/"
    assert batch.status == ImportStatus.QUEUED
    assert (batch.rows_done, batch.rows_created) == (0, 0)  # nothing ran inside the request
    assert ChangeRecord.objects.count() == before + 1
    assert batch.upload_sha256 == hashlib.sha256(data).hexdigest()
    assert batch.upload_size == len(data)
    path = stored_path(batch)
    assert path.exists()
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    raw = path.read_bytes()
    assert "孙000".encode() not in raw  # encrypted at rest
    assert table[0][1].encode() not in raw
    with uploads.open_upload(batch.upload) as stream:
        assert stream.read() == data


def test_the_task_imports_the_queued_set_with_the_right_counts_and_deletes_the_upload(world, people, client_for):
    prof = profile(world)
    data = csv_bytes([*rows(3), ["", "bad", "", "", "", "", ""]])
    client = client_for("community_worker_c1")

    post_upload(client, world, prof, data, run=True)

    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.COMMITTED
    assert (batch.rows_done, batch.rows_created, batch.rows_error) == (4, 3, 1)
    assert batch.attempts == 1
    assert batch.started_at
    assert batch.finished_at
    assert (batch.progress_done, batch.percent) == (len(data), 100)
    assert batch.upload == ""
    assert not list(settings.GONGZHI_IMPORT_UPLOAD_DIR.glob("*.bin"))
    assert in_grid(world) == {"孙000", "孙001", "孙002"}
    verbs = list(
        ChangeRecord.objects.filter(target_id=str(batch.pk), verb__endswith="_import").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["begin_import", "finish_import", "queue_import"]
    page = client.get(f"/residents/imports/{batch.pk}/").content.decode()
    assert 'data-status="committed"' in page
    assert 'hx-trigger="every' not in page


def test_a_dry_run_in_the_background_writes_nothing_and_reports_errors(world, people, client_for):
    prof = profile(world)

    post_upload(client_for("community_worker_c1"), world, prof, csv_bytes([*rows(2), ["", "x", "", "", "", "", ""]]),
                dry_run=True, run=True)  # fmt: skip

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.dry_run, batch.rows_error) == (ImportStatus.DRY_RUN, True, 1)
    assert batch.finished_at is not None
    assert batch.upload == ""
    assert in_grid(world) == set()


def test_an_xlsx_upload_runs_in_the_background(world, people, client_for):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机", "出生日期", "住址", "与户主关系", "居住类型"])
    for row in rows(3):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    post_upload(client_for("community_worker_c1"), world, profile(world), buffer.getvalue(), name="名单.xlsx", run=True)

    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_created) == (ImportStatus.COMMITTED, 3)
    assert importer.progress_of(batch)["rows_total"] == 3


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("名单.exe", b"MZ\x90\x00", "file_type"),
        ("名单.csv", "姓名,住址\n孙一,科苑路\n".encode("gbk"), "file_encoding"),
        ("名单.csv", b"\x00\x01\x02binary", "file_type"),
        ("名单.xlsx", b"not a zip at all", "file_type"),
        ("名单.csv", b"", "file_empty"),
    ],
)
def test_a_wrong_file_is_refused_with_a_clear_message_and_nothing_is_stored(world, people, client_for, name, data,
                                                                           code):  # fmt: skip
    prof = profile(world)

    page = post_upload(client_for("community_worker_c1"), world, prof, data, name=name)
    api = client_for("community_worker_c1").post(
        "/api/residents/imports/", {"file": SimpleUploadedFile(name, data), "profile": prof.pk, "grid": world.g2.pk},
        format="multipart",
    )  # fmt: skip

    assert page.status_code == 200
    assert 'class="field__errors"' in page.content.decode()
    assert api.status_code == 400
    assert api.json()["fields"]["file"]
    assert not ImportBatch.objects.exists()
    if data:  # (Django's FileField refuses an empty file before our check)
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(SimpleUploadedFile(name, data))
        assert refused.value.code == code
    assert not list(settings.GONGZHI_IMPORT_UPLOAD_DIR.glob("*.bin"))


def test_an_oversized_file_is_refused(world, people, client_for, settings):
    settings.GONGZHI_IMPORT_MAX_UPLOAD_MB = 1
    prof = profile(world)
    big = csv_bytes(rows(2)) + b"#" * (1024 * 1024)

    page = post_upload(client_for("community_worker_c1"), world, prof, big)
    api = client_for("community_worker_c1").post(
        "/api/residents/imports/", {"file": SimpleUploadedFile("a.csv", big), "profile": prof.pk, "grid": world.g2.pk},
        format="multipart",
    )  # fmt: skip

    assert page.status_code == 200
    assert "1.1 MB" in page.content.decode()
    assert "1 MB" in page.content.decode()
    assert api.status_code == 400
    assert "1.1 MB" in api.json()["fields"]["file"][0]
    assert not ImportBatch.objects.exists()


# --- idempotency, failure, resume -------------------------------------------------------------


def test_the_task_run_twice_imports_once(world, people):
    batch = queue(world, csv_bytes(rows(4)))

    first = tasks.run_import_task.apply(args=(batch.pk,)).get()
    second = tasks.run_import_task.apply(args=(batch.pk,)).get()

    batch.refresh_from_db()
    assert (first, second) == (ImportStatus.COMMITTED, "skipped")
    assert (batch.rows_created, batch.attempts) == (4, 1)
    assert Resident.objects.filter(grid=world.g2).count() == 4


def test_a_duplicate_task_leaves_a_live_run_alone_but_takes_over_a_dead_one(world, people, settings):
    batch = queue(world, csv_bytes(rows(3)))
    actions.begin_import(batch, actor=world.community_worker_c1)  # another worker has it

    assert importer.run_queued_import(batch.pk) == "skipped"
    assert Resident.objects.filter(grid=world.g2).count() == 0

    # that worker died: its set has not moved for longer than the stale limit
    old = timezone.now() - datetime.timedelta(seconds=settings.GONGZHI_IMPORT_STALE_SECONDS + 60)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=old)
    assert importer.run_queued_import(batch.pk) == ImportStatus.COMMITTED
    batch.refresh_from_db()
    assert (batch.rows_created, batch.attempts) == (3, 2)


def _crash_on_chunk(monkeypatch, number):
    real = staging.prepare_chunk
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise RuntimeError("disk on fire: 110105194912310020")  # a message that quotes personal data
        return real(*args, **kwargs)

    monkeypatch.setattr(staging, "prepare_chunk", flaky)


def test_a_crash_mid_way_leaves_a_failed_resumable_set_and_resume_loses_and_duplicates_nothing(
    world, people, monkeypatch, client_for
):
    data = csv_bytes(rows(5))
    batch = queue(world, data)
    _crash_on_chunk(monkeypatch, 2)

    assert importer.run_queued_import(batch.pk, chunk_size=2) == ImportStatus.FAILED

    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.rows_created) == (ImportStatus.FAILED, 2, 2)
    assert "RuntimeError" in batch.failure
    assert "110105" not in batch.failure
    assert stored_path(batch).exists()  # kept for the resume
    assert in_grid(world) == {"孙000", "孙001"}
    page = client_for("community_worker_c1").get(f"/residents/imports/{batch.pk}/").content.decode()
    assert 'data-testid="resume-form"' in page
    assert 'data-testid="rollback-form"' in page

    monkeypatch.undo()
    # signed in first: the sign-in's own after-commit work (the authorisation cache) is not counted
    worker = client_for("community_worker_c1")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = worker.post(f"/residents/imports/{batch.pk}/resume/")
    assert response.status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.QUEUED
    assert len(queued) == 1  # the task is scheduled after commit
    assert importer.run_queued_import(batch.pk, chunk_size=2) == ImportStatus.COMMITTED

    batch.refresh_from_db()
    assert (batch.rows_done, batch.rows_created, batch.rows_error, batch.attempts) == (5, 5, 0, 2)
    assert in_grid(world) == {f"孙{i:03d}" for i in range(5)}
    assert Resident.objects.filter(grid=world.g2).count() == 5
    assert batch.upload == ""


def test_rows_read_agree_everywhere_and_resume_skips_exactly_the_committed_rows(world, people, monkeypatch, client_for):
    """``rows_done`` counts data rows, not the header line: the page, the progress JSON, the
    API and the resume point all say the same number of rows read."""
    data = csv_bytes([*rows(3), ["", "", "", "", "", "", ""], *rows(3, start=3)])  # spreadsheet row 5 is blank
    batch = queue(world, data)
    _crash_on_chunk(monkeypatch, 3)

    assert importer.run_queued_import(batch.pk, chunk_size=2) == ImportStatus.FAILED

    # two chunks committed: spreadsheet rows 2-3 and 4, 6 (the blank row 5 was read, skipped)
    batch.refresh_from_db()
    assert (batch.rows_done, batch.rows_created) == (5, 4)
    client = client_for("community_worker_c1")
    progress = client.get(f"/residents/imports/{batch.pk}/progress.json").json()
    assert (progress["rows_done"], progress["rows_read"]) == (5, 5)
    assert client.get(f"/api/residents/imports/{batch.pk}/").json()["rows_done"] == 5
    assert 'data-testid="rows-read">5' in client.get(f"/residents/imports/{batch.pk}/").content.decode()

    monkeypatch.undo()
    actions.resume_import(batch, actor=world.community_worker_c1)
    assert importer.run_queued_import(batch.pk, chunk_size=2) == ImportStatus.COMMITTED

    batch.refresh_from_db()
    assert (batch.rows_done, batch.rows_created, batch.rows_error) == (7, 6, 0)
    assert in_grid(world) == {f"孙{i:03d}" for i in range(6)}
    assert Resident.objects.filter(grid=world.g2).count() == 6


def test_a_damaged_upload_fails_the_set_with_a_reason(world, people):
    batch = queue(world, csv_bytes(rows(3)))
    path = stored_path(batch)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))

    importer.run_queued_import(batch.pk)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "segment" in batch.failure or "SHA-256" in batch.failure
    assert in_grid(world) == set()


def test_missing_columns_fail_the_set_with_the_domain_message(world, people):
    batch = queue(world, "名字,地址\n孙一,科苑路\n".encode())

    importer.run_queued_import(batch.pk)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert ResidentErrorCode.IMPORT_COLUMNS_MISSING in batch.failure


# --- cancel and rollback ----------------------------------------------------------------------


def test_cancelling_a_queued_set_deletes_the_upload_and_the_task_then_does_nothing(world, people, client_for):
    batch = queue(world, csv_bytes(rows(3)))
    path = stored_path(batch)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for("community_worker_c1").post(f"/residents/imports/{batch.pk}/cancel/")

    batch.refresh_from_db()
    assert response.status_code == 302
    assert (batch.status, batch.upload) == (ImportStatus.CANCELLED, "")
    assert not path.exists()
    assert importer.run_queued_import(batch.pk) == "skipped"
    assert in_grid(world) == set()


def test_cancelling_a_running_set_stops_it_between_chunks_and_keeps_what_was_committed(world, people, monkeypatch):
    batch = queue(world, csv_bytes(rows(6)))
    real = actions.import_chunk
    calls = {"n": 0}

    def chunk_then_cancel(*args, **kwargs):
        counts = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:  # a person presses cancel while the first chunk is being written
            actions.cancel_import(ImportBatch.objects.get(pk=batch.pk), actor=world.street_official_s1)
        return counts

    monkeypatch.setattr(actions, "import_chunk", chunk_then_cancel)
    outcome = importer.run_queued_import(batch.pk, chunk_size=2)

    batch.refresh_from_db()
    assert outcome == ImportStatus.CANCELLED
    assert calls["n"] == 1
    assert (batch.status, batch.rows_created) == (ImportStatus.CANCELLED, 2)
    assert in_grid(world) == {"孙000", "孙001"}
    # what was committed goes with a rollback
    actions.rollback_import(batch, actor=world.community_worker_c1)
    assert in_grid(world) == set()


def test_a_background_import_rolls_back_as_a_whole_from_the_page(world, people, client_for):
    client = client_for("community_worker_c1")
    post_upload(client, world, profile(world), csv_bytes(rows(4)), run=True)
    batch = ImportBatch.objects.get()
    assert in_grid(world) == {f"孙{i:03d}" for i in range(4)}

    client.post(f"/residents/imports/{batch.pk}/rollback/")

    assert ImportBatch.objects.get().status == ImportStatus.ROLLED_BACK
    assert in_grid(world) == set()


def test_a_failed_set_can_be_rolled_back_and_its_upload_goes(world, people, monkeypatch):
    batch = queue(world, csv_bytes(rows(5)))
    path = stored_path(batch)
    _crash_on_chunk(monkeypatch, 2)
    importer.run_queued_import(batch.pk, chunk_size=2)

    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.rollback_import(ImportBatch.objects.get(pk=batch.pk), actor=world.community_worker_c1)

    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.ROLLED_BACK
    assert in_grid(world) == set()
    assert not path.exists()


def test_only_failed_sets_resume_and_only_active_ones_cancel(world, people):
    batch = queue(world, csv_bytes(rows(1)))
    importer.run_queued_import(batch.pk)
    batch.refresh_from_db()

    with pytest.raises(ResidentError) as resumed:
        actions.resume_import(batch, actor=world.community_worker_c1)
    with pytest.raises(ResidentError) as cancelled:
        actions.cancel_import(batch, actor=world.community_worker_c1)

    assert resumed.value.code == ResidentErrorCode.IMPORT_NOT_RESUMABLE
    assert cancelled.value.code == ResidentErrorCode.IMPORT_NOT_RUNNING


def test_retention_deletes_the_upload_of_a_failed_set_nobody_resumed(world, people, monkeypatch, settings):
    batch = queue(world, csv_bytes(rows(3)))
    path = stored_path(batch)
    _crash_on_chunk(monkeypatch, 1)
    importer.run_queued_import(batch.pk, chunk_size=2)
    old = timezone.now() - datetime.timedelta(days=settings.GONGZHI_IMPORT_UPLOAD_RETENTION_DAYS + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=old)

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = actions.apply_retention()

    batch.refresh_from_db()
    assert run.counts["import_uploads"] == 1
    assert (batch.status, batch.upload) == (ImportStatus.FAILED, "")
    assert not path.exists()


# --- the page, scope, the API -----------------------------------------------------------------


def test_the_page_polls_a_progress_fragment_while_active_and_reloads_once_when_done(world, people, client_for):
    batch = queue(world, csv_bytes(rows(2)))
    client = client_for("community_worker_c1")

    page = client.get(f"/residents/imports/{batch.pk}/").content.decode()
    fragment = client.get(f"/residents/imports/{batch.pk}/progress/", headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in page
    assert 'data-testid="cancel-form"' in page
    assert fragment.status_code == 200
    assert "HX-Refresh" not in fragment
    assert 'data-status="queued"' in fragment.content.decode()

    importer.run_queued_import(batch.pk)
    done = client.get(f"/residents/imports/{batch.pk}/progress/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()
    progress = client.get(f"/residents/imports/{batch.pk}/progress.json").json()
    assert (progress["status"], progress["percent"], progress["rows_read"]) == ("committed", 100, 2)


def test_progress_reports_percent_rate_and_time_left_while_running(world, people):
    batch = queue(world, csv_bytes(rows(10)))
    batch = actions.begin_import(batch, actor=world.community_worker_c1)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=5, progress_done=batch.progress_total // 2, started_at=timezone.now() - datetime.timedelta(seconds=10)
    )
    batch.refresh_from_db()

    progress = importer.progress_of(batch, now=batch.started_at + datetime.timedelta(seconds=10))

    assert progress["percent"] == 50
    assert progress["rows_read"] == 5
    assert progress["rate"] == 0.5
    assert progress["eta_seconds"] is not None
    assert 9 <= progress["eta_seconds"] <= 11
    assert progress["rows_total_estimated"] is True


@pytest.mark.parametrize("actor", ["grid_worker_g1", "community_worker_c3", "street_official_s2", "resident_c1"])
def test_someone_outside_the_sets_scope_can_neither_see_nor_cancel_it(world, people, client_for, actor):
    batch = queue(world, csv_bytes(rows(2)))
    client = client_for(actor)

    assert client.get(f"/residents/imports/{batch.pk}/").status_code == 404
    assert client.get(f"/residents/imports/{batch.pk}/progress/").status_code == 404
    assert client.post(f"/residents/imports/{batch.pk}/cancel/").status_code == 404
    assert client.get(f"/api/residents/imports/{batch.pk}/").status_code in (403, 404)
    assert client.post(f"/api/residents/imports/{batch.pk}/cancel/").status_code in (403, 404)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.QUEUED


def test_the_api_cancels_and_resumes(world, people, client_for, monkeypatch):
    client = client_for("street_official_s1")
    queued = queue(world, csv_bytes(rows(2)))
    cancelled = client.post(f"/api/residents/imports/{queued.pk}/cancel/")
    again = client.post(f"/api/residents/imports/{queued.pk}/cancel/")

    failing = queue(world, csv_bytes(rows(3)))
    _crash_on_chunk(monkeypatch, 1)
    importer.run_queued_import(failing.pk)
    resumed = client.post(f"/api/residents/imports/{failing.pk}/resume/")

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert again.status_code == 403  # the policy knows a cancelled set cannot be cancelled
    assert (resumed.status_code, resumed.json()["status"]) == (202, "queued")


def test_the_import_list_runs_a_fixed_number_of_queries(world, people, client_for, django_assert_max_num_queries):
    client = client_for("community_worker_c1")
    for _ in range(2):
        queue(world, csv_bytes(rows(1)))
    client.get("/residents/imports/")  # warm the per-user caches (grants, navigation)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/residents/imports/")
    for _ in range(8):
        queue(world, csv_bytes(rows(1)))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/residents/imports/")

    assert response.content.decode().count('class="card card--link"') == 10


def test_embedded_mode_runs_a_queued_import_in_a_thread_not_in_the_request(settings, monkeypatch):
    started = []

    class FakeThread:
        def __init__(self, *, target, args, name, daemon):
            started.append((target, args, daemon))

        def start(self):
            started.append("started")

    monkeypatch.setattr(tasks.threading, "Thread", FakeThread)
    delayed = []
    monkeypatch.setattr(tasks.run_import_task, "delay", lambda *a: delayed.append(a))
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GONGZHI_IMPORT_THREAD = True

    tasks.enqueue_import(41)
    settings.GONGZHI_IMPORT_THREAD = False  # server mode: a Celery task
    tasks.enqueue_import(42)

    assert started == [(tasks._run_in_thread, (41,), True), "started"]
    assert delayed == [(42,)]


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_really_imports_in_a_thread_of_the_process(settings):
    """``make run`` (no worker): the upload's commit starts a thread with its own database
    connection, which runs the import to the end."""
    import time

    from gongzhi.testing.world import build_world

    world = build_world()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.GONGZHI_IMPORT_THREAD = True
    batch = queue(world, csv_bytes(rows(6)))  # commits: the thread starts after it
    deadline = time.monotonic() + 120  # a bound on waiting, not a speed assertion
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            break
        time.sleep(0.2)
    assert batch.status == ImportStatus.COMMITTED, batch.failure
    assert (batch.rows_done, batch.rows_created, batch.rows_error) == (6, 6, 0)
    assert len(in_grid(world)) == 6
