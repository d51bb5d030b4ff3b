"""Drives an import: streams the file through the profile in chunks, each chunk one action.

    batch = run_import(profile, open(path, "rb"), "list.csv", grid=grid, actor=user, dry_run=True)

Memory stays bounded by the chunk size (plus a 16-byte digest per ID number seen, to
report repeats within the file). ``progress(done_bytes_or_rows, total)`` is called after
each chunk. ``resume=batch`` continues an interrupted import after its last done row.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import logging
import multiprocessing
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.core import context
from gongzhi.residents import actions, bulk, parsing, staging, uploads
from gongzhi.residents.choices import ImportStatus
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import ImportBatch, ImportProfile, ImportRowError

CHUNK_SIZE = 1000
logger = logging.getLogger(__name__)


def _chunks(rows: Any, pick: Any, size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for number, values in rows:
        chunk.append((number, pick(values)))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_import(
    profile: ImportProfile,
    binary: IO[bytes],
    file_name: str,
    *,
    grid: Any,
    actor: Any,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    resume: ImportBatch | None = None,
    finish: bool = True,
    workers: int = 0,
    stop: Callable[[ImportBatch], bool] | None = None,
) -> ImportBatch:
    """``workers`` > 0 (PostgreSQL): that many forked processes validate and encrypt the next
    chunks while this one writes the current chunk (at most ``workers + 1`` chunks in memory).
    ``stop(batch)`` is asked before each chunk (e.g. :func:`stopped_elsewhere`); when it says
    so the import stops there, unfinished (a cancelled set: what was committed stays until a
    rollback)."""
    header, rows, position = parsing.open_rows(binary, file_name)
    missing = parsing.missing_columns(header, profile.column_map)
    if missing:
        code = ResidentErrorCode.IMPORT_COLUMNS_MISSING
        detail = f"{ResidentError.messages[code]} {', '.join(missing)}"
        raise ResidentError(code, detail, field="file", columns=missing)
    pick = parsing.mapper(header, profile.column_map)
    batch = resume or actions.start_import(profile, grid=grid, file_name=file_name, actor=actor, dry_run=dry_run)
    seen: set[bytes] = set()
    chunks = _chunks(rows, pick, chunk_size)
    if workers > 0 and bulk.uses_copy():
        stopped = _pipelined(
            batch, chunks, actor=actor, seen=seen, workers=workers, progress=progress, position=position, stop=stop
        )
    else:
        stopped = False
        for chunk in chunks:
            if stop is not None and stop(batch):
                stopped = True
                break
            with staging.collector_paused():
                actions.import_chunk(batch, chunk, actor=actor, seen=seen, position=position())
            if progress:
                progress(*position())
    if stopped:
        batch.refresh_from_db()
        return batch
    if progress:
        done, total = position()
        progress(total or done, total or done)
    if finish:
        batch = actions.finish_import(batch, actor=actor)
    batch.refresh_from_db()
    return batch


def _pipelined(
    batch: ImportBatch,
    chunks: Iterator[list[tuple[int, dict[str, str]]]],
    *,
    actor: Any,
    seen: set[bytes],
    workers: int,
    progress: Callable[[int, int], None] | None,
    position: Callable[[], tuple[int, int]],
    stop: Callable[[ImportBatch], bool] | None = None,
) -> bool:
    """Chunks are prepared (:func:`staging.prepare_chunk`) in worker processes and written
    here in file order. Workers are forked: they inherit settings and keys and never touch
    the database connection."""
    stage = batch.status != ImportStatus.DRY_RUN
    options = {"after_row": parsing.last_done_row(batch.rows_done), "today": timezone.localdate(), "stage": stage}
    pending: collections.deque[tuple[Any, list[tuple[int, dict[str, str]]], tuple[int, int]]] = collections.deque()
    with multiprocessing.get_context("fork").Pool(workers) as pool:

        def write_oldest() -> None:
            result, chunk, where = pending.popleft()
            prepared = result.get()
            with staging.collector_paused():
                actions.import_chunk(batch, chunk, actor=actor, seen=seen, prepared=prepared, position=where)
            if progress:
                progress(*where)

        for chunk in chunks:
            pending.append((pool.apply_async(staging.prepare_chunk, (chunk,), options), chunk, position()))
            if len(pending) > workers:
                if stop is not None and stop(batch):
                    return True
                write_oldest()
        while pending:
            if stop is not None and stop(batch):
                return True
            write_oldest()
    return False


def write_error_report(batch: ImportBatch, fh: Any) -> None:
    """The rows that were not imported: row number, column, reason (CSV)."""
    writer = csv.writer(fh)
    writer.writerow(["row", "column", "reason"])
    rows = ImportRowError.objects.filter(batch=batch).values_list("row_number", "column", "reason")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(row)


# --- background runs (web and API uploads) ------------------------------------------------------


def stopped_elsewhere(batch: ImportBatch) -> bool:
    """The set was cancelled or rolled back (or failed) by someone else since it started."""
    return not ImportBatch.objects.filter(pk=batch.pk, status__in=(ImportStatus.RUNNING, ImportStatus.DRY_RUN)).exists()


def _failure_reason(exc: BaseException) -> str:
    """What went wrong, for the import page: never the exception's text unless it is one of
    ours (a database or parser message may quote a row, i.e. personal data)."""
    if isinstance(exc, ResidentError):
        return f"{exc.detail} ({exc.code})"
    if isinstance(exc, uploads.UploadDamaged):
        return gettext("The stored file is damaged or was altered (%(what)s); upload it again.") % {"what": exc}
    request_id = context.current().request_id
    return gettext("Unexpected error (%(kind)s); the worker log has the details under request %(id)s.") % {
        "kind": type(exc).__name__,
        "id": request_id,
    }


def run_queued_import(batch_id: int, *, chunk_size: int = CHUNK_SIZE, workers: int = 0) -> str:
    """Run one queued import set to its end (the body of the ``run_import`` task); returns
    the outcome (the set's status, or ``skipped`` when another run has it, ``missing``).

    Idempotent: :func:`actions.begin_import` claims the set under a row lock, so a duplicated
    or redelivered task does nothing while another run has it or after it is done. The run
    resumes after the set's last committed row, checks the stored file against its SHA-256
    first, stops between chunks once the set is cancelled or rolled back, and records any
    error as ``failed`` (earlier chunks stay committed; the set can be resumed or rolled back)."""
    batch = ImportBatch.objects.select_related("profile", "grid", "created_by").filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    actor = batch.created_by
    try:
        batch = actions.begin_import(batch, actor=actor)
    except ResidentError as err:
        if err.code == ResidentErrorCode.IMPORT_NOT_QUEUED:
            return "skipped"
        raise
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    try:
        uploads.verify_upload(batch.upload, batch.upload_sha256)
        if batch.file_name.lower().endswith((".xlsx", ".xlsm")):
            stream: IO[bytes] = uploads.open_seekable(batch.upload)
        else:
            stream = uploads.open_upload(batch.upload, batch.upload_size or 0)
        with stream:
            run_import(
                batch.profile, stream, batch.file_name, grid=batch.grid, actor=actor, resume=batch,
                chunk_size=chunk_size, workers=workers, stop=stopped_elsewhere,
            )  # fmt: skip
    except Exception as exc:  # recorded on the set; the worker stays up for the next task
        logger.exception("import set %s failed", batch_id)
        with translation.override(language):
            reason = _failure_reason(exc)
        with contextlib.suppress(ResidentError):  # cancelled or rolled back meanwhile: that decision stands
            actions.fail_import(batch, actor=actor, reason=reason)
    batch.refresh_from_db()
    return str(batch.status)


def progress_of(batch: ImportBatch, now: Any = None) -> dict[str, Any]:
    """Progress figures for the page and the JSON endpoint: percent (of bytes for CSV, of
    rows for XLSX), rows in the file (XLSX; an estimate for CSV), rate in rows per second
    since the run started, and the seconds left at that rate."""
    now = now or timezone.now()
    percent = batch.percent
    xlsx = batch.file_name.lower().endswith((".xlsx", ".xlsm"))
    rows_total: int | None = None
    estimated = False
    if xlsx and batch.progress_total:
        rows_total = parsing.data_rows_through(batch.progress_total)
    elif batch.progress_done and batch.progress_total and batch.rows_done:
        rows_total = round(batch.rows_done * batch.progress_total / batch.progress_done)
        estimated = batch.progress_done < batch.progress_total
    rate = None
    eta = None
    if batch.started_at and batch.is_active and batch.status != ImportStatus.QUEUED:
        elapsed = max((now - batch.started_at).total_seconds(), 0.001)
        done = batch.rows_done
        if done:
            rate = done / elapsed
            if percent and 0 < percent < 100 and batch.progress_total:
                fraction = batch.progress_done / batch.progress_total
                eta = round(elapsed * (1 - fraction) / fraction)
    return {
        "percent": percent,
        "rows_read": batch.rows_done,
        "rows_total": rows_total,
        "rows_total_estimated": estimated,
        "rate": round(rate, 1) if rate is not None else None,
        "eta_seconds": eta,
    }


def submit_import(profile: ImportProfile, upload: Any, *, grid: Any, actor: Any, dry_run: bool) -> ImportBatch:
    """Store a checked upload (:func:`uploads.check_upload`) encrypted in private storage and
    queue its import set (:func:`actions.queue_import`; the task starts after commit). The
    stored file is removed again if the set cannot be created."""
    stored = uploads.store_upload(upload)
    try:
        return actions.queue_import(
            profile, grid=grid, file_name=str(upload.name), stored=stored, actor=actor, dry_run=dry_run
        )
    except BaseException:
        uploads.delete_upload(stored.name)
        raise
