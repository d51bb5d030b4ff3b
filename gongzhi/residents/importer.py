"""Drives an import: streams the file through the profile in chunks, each chunk one action.

    batch = run_import(profile, open(path, "rb"), "list.csv", grid=grid, actor=user, dry_run=True)

Memory stays bounded by the chunk size (plus a 16-byte digest per ID number seen, to
report repeats within the file). ``progress(done_bytes_or_rows, total)`` is called after
each chunk. ``resume=batch`` continues an interrupted import after its last done row.
"""

from __future__ import annotations

import collections
import csv
import multiprocessing
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.utils import timezone

from gongzhi.residents import actions, bulk, parsing, staging
from gongzhi.residents.choices import ImportStatus
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import ImportBatch, ImportProfile, ImportRowError

CHUNK_SIZE = 1000


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
) -> ImportBatch:
    """``workers`` > 0 (PostgreSQL): that many forked processes validate and encrypt the next
    chunks while this one writes the current chunk (at most ``workers + 1`` chunks in memory)."""
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
        _pipelined(batch, chunks, actor=actor, seen=seen, workers=workers, progress=progress, position=position)
    else:
        for chunk in chunks:
            actions.import_chunk(batch, chunk, actor=actor, seen=seen)
            if progress:
                progress(*position())
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
) -> None:
    """Chunks are prepared (:func:`staging.prepare_chunk`) in worker processes and written
    here in file order. Workers are forked: they inherit settings and keys and never touch
    the database connection."""
    stage = batch.status != ImportStatus.DRY_RUN
    options = {"rows_done": batch.rows_done, "today": timezone.localdate(), "stage": stage}
    pending: collections.deque[tuple[Any, list[tuple[int, dict[str, str]]], tuple[int, int]]] = collections.deque()
    with multiprocessing.get_context("fork").Pool(workers) as pool:

        def write_oldest() -> None:
            result, chunk, where = pending.popleft()
            actions.import_chunk(batch, chunk, actor=actor, seen=seen, prepared=result.get())
            if progress:
                progress(*where)

        for chunk in chunks:
            pending.append((pool.apply_async(staging.prepare_chunk, (chunk,), options), chunk, position()))
            if len(pending) > workers:
                write_oldest()
        while pending:
            write_oldest()


def write_error_report(batch: ImportBatch, fh: Any) -> None:
    """The rows that were not imported: row number, column, reason (CSV)."""
    writer = csv.writer(fh)
    writer.writerow(["row", "column", "reason"])
    rows = ImportRowError.objects.filter(batch=batch).values_list("row_number", "column", "reason")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(row)
