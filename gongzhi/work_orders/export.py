"""CSV and XLSX exports of a (filtered, scoped) work-order list.

Rows are read with ``values_list(...).iterator()`` (constant memory, one query); CSV is
streamed row by row, XLSX is written with openpyxl's write-only workbook into a temporary
file that is then streamed. Text cells that a spreadsheet would run as a formula (``= + - @``,
tab, carriage return) are prefixed with an apostrophe; characters XLSX cannot hold are dropped.
Every timestamp is local time (Asia/Shanghai).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.queries import EXPORT_FIELDS

FORMATS = ("csv", "xlsx")
HEADER = ["number", *EXPORT_FIELDS]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value[:1] in _FORMULA_START else value


def rows(qs: QuerySet[WorkOrder], *, chunk_size: int = 2000) -> Iterator[list[Any]]:
    """Number + EXPORT_FIELDS per order, oldest first; datetimes local and aware."""
    for row in qs.order_by("id").values_list(*EXPORT_FIELDS, "submitted_at").iterator(chunk_size=chunk_size):
        *values, submitted = row
        number = WorkOrder(pk=values[0], submitted_at=submitted).number
        yield [number, *values]


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return value


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, str):
        return safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def filename(export_format: str) -> str:
    return f"work-orders-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{export_format}"


def csv_response(qs: QuerySet[WorkOrder]) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(HEADER)  # BOM: Excel opens UTF-8 CSV correctly
        for row in rows(qs):
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(qs: QuerySet[WorkOrder]) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("work orders")
    sheet.append(HEADER)
    for row in rows(qs):
        sheet.append([_xlsx_cell(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def response(qs: QuerySet[WorkOrder], export_format: str) -> StreamingHttpResponse | FileResponse:
    return xlsx_response(qs) if export_format == "xlsx" else csv_response(qs)
