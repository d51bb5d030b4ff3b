"""Audit administrator screens: search, detail with the before/after diff, CSV export.

Only the audit administrator sees them; for everyone else (signed in or not) they do
not exist (404).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.audit.actions import export_change_records
from gongzhi.audit.filters import AUDIT_TIMEZONE, ChangeRecordFilter, cleaned_filters
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.permissions import can_export_change_records, require_audit_reader

PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 2000
#: Cells starting with these are formulas to a spreadsheet (CSV injection); we prefix a quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def change_records_for(user: Any) -> QuerySet[ChangeRecord]:
    return ChangeRecord.objects.restrict(user, "view").select_related("actor", "target_type", "related_type")


@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    require_audit_reader(request.user)
    filterset = ChangeRecordFilter(request.GET, queryset=change_records_for(request.user))
    records = filterset.qs if filterset.is_valid() else ChangeRecord.objects.none()
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(cleaned_filters(filterset)) if filterset.is_valid() else ""
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "can_export": can_export_change_records(request.user),
        "audit_timezone": AUDIT_TIMEZONE,
    }
    return render(request, "audit/change_list.html", context)


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: str
    after: str
    changed: bool


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_rows(record: ChangeRecord) -> list[DiffRow]:
    """One row per field in before or after, labelled with the field's verbose name."""
    before, after = record.before or {}, record.after or {}
    model = record.target_type.model_class()
    labels: dict[str, str] = {}
    if model is not None:
        for field in model._meta.concrete_fields:
            labels[field.attname] = labels[field.name] = str(field.verbose_name)
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        rows.append(DiffRow(key, labels.get(key, key), _show(old), _show(new), record.before is None or old != new))
    return rows


@require_GET
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_audit_reader(request.user)
    record = get_object_or_404(change_records_for(request.user), pk=pk)
    context = {
        "record": record,
        "rows": diff_rows(record),
        "audit_timezone": AUDIT_TIMEZONE,
        "same_request_query": urlencode({"request_id": record.request_id}),
    }
    return render(request, "audit/change_detail.html", context)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


EXPORT_COLUMNS = (
    "id",
    "created_at",
    "actor__username",
    "actor_label",
    "source",
    "request_id",
    "verb",
    "target_type__app_label",
    "target_type__model",
    "target_id",
    "target_repr",
    "related_type__app_label",
    "related_type__model",
    "related_id",
    "before",
    "after",
    "ip",
    "user_agent",
)


def _export_header() -> list[str]:
    return [
        _("id"),
        _("time (Asia/Shanghai)"),
        _("actor user name"),
        _("actor name"),
        _("source"),
        _("request id"),
        _("verb"),
        _("object type"),
        _("object id"),
        _("object"),
        _("related type"),
        _("related id"),
        _("before"),
        _("after"),
        _("IP address"),
        _("user agent"),
    ]


def _export_row(row: tuple[Any, ...]) -> list[str]:
    values = dict(zip(EXPORT_COLUMNS, row, strict=True))
    related_type = (
        f"{values['related_type__app_label']}.{values['related_type__model']}"
        if values["related_type__app_label"]
        else ""
    )
    cells = [
        values["id"],
        timezone.localtime(values["created_at"], AUDIT_TIMEZONE).isoformat(),
        values["actor__username"],
        values["actor_label"],
        values["source"],
        values["request_id"],
        values["verb"],
        f"{values['target_type__app_label']}.{values['target_type__model']}",
        values["target_id"],
        values["target_repr"],
        related_type,
        values["related_id"],
        "" if values["before"] is None else json.dumps(values["before"], ensure_ascii=False, sort_keys=True),
        "" if values["after"] is None else json.dumps(values["after"], ensure_ascii=False, sort_keys=True),
        values["ip"],
        values["user_agent"],
    ]
    return [safe_cell(c) for c in cells]


def export_lines(records: QuerySet[ChangeRecord]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the Chinese text as UTF-8
    yield writer.writerow([safe_cell(h) for h in _export_header()])
    for row in records.values_list(*EXPORT_COLUMNS).iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield writer.writerow(_export_row(row))


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    require_audit_reader(request.user, export=True)
    filterset = ChangeRecordFilter(request.GET, queryset=ChangeRecord.objects.restrict(request.user, "view"))
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("Invalid filters."), content_type="text/plain; charset=utf-8")
    export_change_records(request.user, actor=request.user, filters=cleaned_filters(filterset))
    stamp = timezone.localtime(timezone.now(), AUDIT_TIMEZONE).strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(export_lines(filterset.qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
