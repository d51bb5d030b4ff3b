"""The three formats of a person's data export: JSON (machine-readable), HTML and PDF (readable)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from gongzhi.residents.models import Resident
from gongzhi.residents.queries import humanise_export

FORMATS = ("json", "html", "pdf")


def _json(data: dict[str, Any]) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def export_response(
    request: HttpRequest,
    resident: Resident,
    data: dict[str, Any],
    fmt: str,
    *,
    download: bool,
    api_response: Callable[[dict[str, Any]], Any] | None = None,
) -> Any:
    """``data`` from ``actions.export_resident_data`` in ``fmt`` (unknown formats → JSON)."""
    fmt = fmt if fmt in FORMATS else "json"
    if fmt == "html":
        html = render_to_string("residents/data_export.html", {"data": humanise_export(data)}, request=request)
        response: Any = HttpResponse(html, content_type="text/html; charset=utf-8")
    elif fmt == "pdf":
        from gongzhi.residents.pdf import render_export_pdf

        response = HttpResponse(render_export_pdf(humanise_export(data)), content_type="application/pdf")
    else:
        response = api_response(data) if api_response is not None else _json(data)
    if download or fmt == "pdf":
        disposition = "attachment" if download else "inline"
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'{disposition}; filename="resident-{resident.pk}-{stamp}.{fmt}"'
    return response
