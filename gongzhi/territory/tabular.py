"""Reading uploaded CSV/XLSX tables for imports, defensively.

Files are untrusted: size, row and column counts are capped; an XLSX must really be
a ZIP of bounded uncompressed size (no zip bombs); CSV is decoded as UTF-8 (with or
without BOM) and, failing that, as GB18030 (a superset of GBK, what Excel on Chinese
Windows writes). Cells that a spreadsheet would run as a formula (``=cmd|…``,
``@SUM(…)``, ``+1+cmd``) are refused per cell, so they can never travel on to an export.
Organisations' importer uses this module too (territory sits below organisations).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gongzhi.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 2_000
MAX_XLSX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_XLSX_MEMBERS = 2_000

_FORMULA_START = ("=", "@", "\t", "\r", "\n")
_SIGNED_NUMBER = re.compile(r"^[+-]?\d[\d .()\-]*$")


class TabularErrorCode(StrEnum):
    FILE_TOO_LARGE = "file_too_large"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    BAD_ENCODING = "bad_encoding"
    MALFORMED_FILE = "malformed_file"
    EMPTY_FILE = "empty_file"
    MISSING_COLUMNS = "missing_columns"
    UNKNOWN_COLUMNS = "unknown_columns"
    DUPLICATE_COLUMNS = "duplicate_columns"
    TOO_MANY_ROWS = "too_many_rows"
    INVALID_ROWS = "invalid_rows"


MESSAGES = {
    TabularErrorCode.FILE_TOO_LARGE: gettext_lazy("The file is larger than 5 MB."),
    TabularErrorCode.UNSUPPORTED_FILE_TYPE: gettext_lazy("Upload a .csv or .xlsx file."),
    TabularErrorCode.BAD_ENCODING: gettext_lazy("The CSV file is neither UTF-8 nor GBK/GB18030 text."),
    TabularErrorCode.MALFORMED_FILE: gettext_lazy("The file cannot be read as a table."),
    TabularErrorCode.EMPTY_FILE: gettext_lazy("The file has no header row."),
    TabularErrorCode.MISSING_COLUMNS: gettext_lazy("Required columns are missing."),
    TabularErrorCode.UNKNOWN_COLUMNS: gettext_lazy("The file has columns this import does not know."),
    TabularErrorCode.DUPLICATE_COLUMNS: gettext_lazy("A column appears twice."),
    TabularErrorCode.TOO_MANY_ROWS: gettext_lazy("The file has too many rows."),
    TabularErrorCode.INVALID_ROWS: gettext_lazy("Some rows are invalid; nothing was imported."),
}


class TabularError(DomainError):
    http_status = 400

    def __init__(self, code: TabularErrorCode, detail: str | None = None, **params: Any) -> None:
        super().__init__(code, detail or str(MESSAGES[code]), field="file", **params)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: ``row`` is the spreadsheet row number (header = 1)."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowsInvalid(TabularError):
    """Validation found bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(TabularErrorCode.INVALID_ROWS)
        self.errors = sorted(errors, key=lambda e: (e.row, e.column))

    def __str__(self) -> str:
        shown = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in self.errors[:5])
        return f"{self.code.value}: {shown}"


@dataclass
class Row:
    number: int
    values: dict[str, str]


@dataclass
class Table:
    columns: list[str]
    rows: list[Row]
    errors: list[RowError] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.columns


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "dry_run": self.dry_run}


def is_formula(value: str) -> bool:
    if value.startswith(_FORMULA_START):
        return True
    return value.startswith(("+", "-")) and not _SIGNED_NUMBER.match(value)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(TabularErrorCode.BAD_ENCODING)


def _csv_records(data: bytes) -> list[list[Any]]:
    if b"\x00" in data:
        raise TabularError(TabularErrorCode.UNSUPPORTED_FILE_TYPE)
    text = _decode(data)
    records: list[list[Any]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            records.append(record)
            if len(records) > MAX_ROWS + 1:
                raise TabularError(TabularErrorCode.TOO_MANY_ROWS)
    except csv.Error as exc:
        raise TabularError(TabularErrorCode.MALFORMED_FILE) from exc
    return records


def _xlsx_records(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_XLSX_MEMBERS or sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED:
                raise TabularError(TabularErrorCode.FILE_TOO_LARGE)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = workbook.worksheets[0]
            records: list[list[Any]] = []
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                records.append(list(values))
                if len(records) > MAX_ROWS + 1:
                    raise TabularError(TabularErrorCode.TOO_MANY_ROWS)
        finally:
            workbook.close()
    except TabularError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook; all mean "not readable"
        raise TabularError(TabularErrorCode.MALFORMED_FILE) from exc
    return records


def read_table(data: bytes, filename: str, *, required: list[str], optional: list[str]) -> Table:
    """Parse ``data`` (named ``filename``) into rows keyed by lower-case column names."""
    if len(data) > MAX_BYTES:
        raise TabularError(TabularErrorCode.FILE_TOO_LARGE)
    name = (filename or "").lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") and is_zip:
        records = _xlsx_records(data)
    elif name.endswith((".csv", ".txt")) and not is_zip:
        records = _csv_records(data)
    else:
        raise TabularError(TabularErrorCode.UNSUPPORTED_FILE_TYPE)

    # Spreadsheet row numbers (header = its own row), counting blank rows that are skipped.
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(_cell_text(v).strip() for v in r)]
    if not numbered:
        raise TabularError(TabularErrorCode.EMPTY_FILE)
    header = [_cell_text(v).strip().lstrip("\ufeff").lower() for v in numbered[0][1]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TabularError(TabularErrorCode.UNKNOWN_COLUMNS)
    if len(set(header)) != len(header):
        raise TabularError(TabularErrorCode.DUPLICATE_COLUMNS)
    missing = [c for c in required if c not in header]
    if missing:
        raise TabularError(
            TabularErrorCode.MISSING_COLUMNS, _("Missing columns: %s") % ", ".join(missing), columns=missing
        )
    unknown = [c for c in header if c not in required and c not in optional]
    if unknown:
        shown = ", ".join(c[:40] for c in unknown[:10])
        raise TabularError(TabularErrorCode.UNKNOWN_COLUMNS, _("Unknown columns: %s") % shown, columns=unknown)

    table = Table(columns=header, rows=[])
    for number, record in numbered[1:]:
        values: dict[str, str] = {}
        for index, column in enumerate(header):
            text = _cell_text(record[index] if index < len(record) else None)
            if len(text) > MAX_CELL_CHARS:
                table.errors.append(RowError(number, column, _("The value is too long.")))
                text = ""
            elif is_formula(text.lstrip(" ")):
                table.errors.append(
                    RowError(number, column, _("Formulas are not accepted; remove the leading =, +, - or @."))
                )
                text = ""
            values[column] = text.strip()
        table.rows.append(Row(number=number, values=values))
    return table


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refusing more than :data:`MAX_BYTES` without reading it all."""
    if upload is None:
        raise TabularError(TabularErrorCode.EMPTY_FILE)
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise TabularError(TabularErrorCode.FILE_TOO_LARGE)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TabularError(TabularErrorCode.FILE_TOO_LARGE)
    return bytes(data)


def truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


class TableImporter(Protocol):
    """``import_areas``, ``import_organisations``: validate every row, then write all or nothing."""

    def __call__(self, data: bytes, filename: str, *, actor: Any, dry_run: bool = False) -> Any: ...


def import_upload(request: Any, importer: TableImporter) -> Response:
    """The body of every CSV/XLSX import endpoint: read the multipart ``file`` (size-capped), run
    ``importer`` (``?dry_run=1`` validates only) and answer with its report, or a 400 listing the
    bad rows."""
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    data = read_upload(upload)
    try:
        report = importer(data, upload.name, actor=request.user, dry_run=truthy(request.query_params.get("dry_run")))
    except RowsInvalid as exc:
        return Response(
            {"code": exc.code.value, "detail": str(exc.detail), "errors": [e.as_dict() for e in exc.errors]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response(report.as_dict())
