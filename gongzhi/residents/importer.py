"""Drives an import: streams the file through the profile in chunks, each chunk one action.

    batch = run_import(profile, open(path, "rb"), "list.csv", grid=grid, actor=user, dry_run=True)

Memory stays bounded by the chunk size (plus a 16-byte digest per ID number seen, to
report repeats within the file). ``progress(done_bytes_or_rows, total)`` is called after
each chunk. ``resume=batch`` continues an interrupted import after its last done row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import IO, Any

from gongzhi.residents import actions, parsing
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import ImportBatch, ImportProfile, ImportRowError

CHUNK_SIZE = 1000


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
) -> ImportBatch:
    header, rows, position = parsing.open_rows(binary, file_name)
    missing = parsing.missing_columns(header, profile.column_map)
    if missing:
        code = ResidentErrorCode.IMPORT_COLUMNS_MISSING
        detail = f"{ResidentError.messages[code]} {', '.join(missing)}"
        raise ResidentError(code, detail, field="file", columns=missing)
    pick = parsing.mapper(header, profile.column_map)
    batch = resume or actions.start_import(profile, grid=grid, file_name=file_name, actor=actor, dry_run=dry_run)
    seen: set[bytes] = set()
    chunk: list[tuple[int, dict[str, str]]] = []
    for number, values in rows:
        chunk.append((number, pick(values)))
        if len(chunk) >= chunk_size:
            actions.import_chunk(batch, chunk, actor=actor, seen=seen)
            chunk = []
            if progress:
                progress(*position())
    if chunk:
        actions.import_chunk(batch, chunk, actor=actor, seen=seen)
    if progress:
        done, total = position()
        progress(total or done, total or done)
    if finish:
        batch = actions.finish_import(batch, actor=actor)
    batch.refresh_from_db()
    return batch


def write_error_report(batch: ImportBatch, fh: Any) -> None:
    """The rows that were not imported: row number, column, reason (CSV)."""
    writer = csv.writer(fh)
    writer.writerow(["row", "column", "reason"])
    rows = ImportRowError.objects.filter(batch=batch).values_list("row_number", "column", "reason")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(row)
