"""GeoReport v2 endpoints, each in ``.json`` and ``.xml``. Reads need no key; POST
requests needs the client's ``api_key``. Errors are GeoReport errors: a JSON array of
``{"code", "description"}`` or ``<errors><error>…</error></errors>``, with 400/403/404."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import DomainError
from gongzhi.open311 import actions, queries
from gongzhi.open311.choices import Format
from gongzhi.open311.errors import Open311Error, Open311ErrorCode
from gongzhi.work_orders.choices import Urgency

E = Open311ErrorCode
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"

# XML element names for list items, by list key.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    node = ET.SubElement(parent, key)
    if isinstance(value, list):
        for item in value:
            _xml_value(node, ITEM_NAMES.get(key, "item"), item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(node, k, v)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(payload, list):
        for item in payload:
            _xml_value(element, ITEM_NAMES.get(root, "item"), item)
    else:
        for key, value in payload.items():
            _xml_value(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def render(fmt: str, root: str, payload: Any, status: int = 200) -> HttpResponse:
    if fmt == Format.XML:
        return HttpResponse(to_xml(root, payload), status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status)


def georeport(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Checks the format and ``jurisdiction_id``; turns domain errors into GeoReport errors."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in Format.values:
            return error_response(Format.JSON, 404, gettext("Use the .json or .xml format."))
        try:
            source = request.POST if request.method == "POST" else request.GET
            jurisdiction = source.get("jurisdiction_id")
            if jurisdiction and jurisdiction != jurisdiction_id():
                raise Open311Error(E.UNKNOWN_JURISDICTION, field="jurisdiction_id")
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as exc:
            detail = f"{exc.field}: {exc.detail}" if exc.field else str(exc.detail)
            return error_response(fmt, exc.http_status, detail)
        except DomainError as exc:  # the work-order rules, e.g. an inactive category
            return error_response(fmt, 400, f"{exc.code.value}: {exc.detail}")

    return wrapper


def jurisdiction_id() -> str:
    return str(getattr(settings, "GONGZHI_OPEN311_JURISDICTION", "gongzhi"))


@require_http_methods(["GET"])
@georeport
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    payload = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "GONGZHI_OPEN311_CONTACT", "Gongzhi platform operators"),
        "key_service": getattr(settings, "GONGZHI_OPEN311_KEY_SERVICE", "Ask the platform's system administrator."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", payload)


@require_http_methods(["GET"])
@georeport
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return render(fmt, "services", [queries.service_row(c) for c in queries.list_services()])


@require_http_methods(["GET"])
@georeport
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    return render(fmt, "service_definition", queries.service_definition(queries.get_service(code)))


@csrf_exempt  # API-key authenticated, no cookies: CSRF does not apply
@require_http_methods(["GET", "POST"])
@georeport
def requests_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    rows = [queries.request_row(o) for o in queries.search_requests(request.GET)]
    return render(fmt, "service_requests", rows)


@require_http_methods(["GET"])
@georeport
def request_detail(request: HttpRequest, pk: str, *, fmt: str) -> HttpResponse:
    return render(fmt, "service_requests", [queries.request_row(queries.get_public_request(pk))])


@require_http_methods(["GET"])
@georeport
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    found = queries.get_token(token)
    return render(fmt, "service_requests", [{"service_request_id": str(found.order_id), "token": found.token}])


def _decimal(value: str | None, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(value).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise Open311Error(E.INVALID_VALUE, field=field) from exc
    if not -bound <= number <= bound:
        raise Open311Error(E.INVALID_VALUE, field=field)
    return number


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    client = queries.authenticate(data.get("api_key"))
    service = queries.get_service(data.get("service_code", ""))
    lat, lng = _decimal(data.get("lat"), "lat", 90), _decimal(data.get("long"), "long", 180)
    area = queries.resolve_area(client, address_id=data.get("address_id", "").strip(), lat=lat, lng=lng)
    description = data.get("description", "").strip()
    if not description:
        raise Open311Error(E.DESCRIPTION_REQUIRED, field="description")
    if len(description) > 4000:
        raise Open311Error(E.INVALID_VALUE, field="description")
    phone = data.get("phone", "").strip()
    if not phone:
        raise Open311Error(E.CONTACT_REQUIRED, field="phone")
    urgency = data.get("attribute[urgency]", Urgency.NORMAL) or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise Open311Error(E.INVALID_VALUE, field="attribute[urgency]")
    public = data.get("attribute[public]", "no") or "no"
    if public not in ("yes", "no"):
        raise Open311Error(E.INVALID_VALUE, field="attribute[public]")
    anonymous = data.get("attribute[anonymous]", "no") or "no"
    if anonymous not in ("yes", "no"):
        raise Open311Error(E.INVALID_VALUE, field="attribute[anonymous]")
    name = " ".join(part for part in (data.get("first_name", ""), data.get("last_name", "")) if part).strip()
    token = actions.submit_service_request(
        client,
        service=service,
        area=area,
        description=description,
        phone=phone,
        name=name,
        address=data.get("address_string", ""),
        lat=lat,
        lng=lng,
        urgency=urgency,
        is_public=public == "yes",
        is_anonymous=anonymous == "yes",
        external_id=data.get("device_id", "") or data.get("account_id", ""),
    )
    payload = [
        {
            "service_request_id": str(token.order_id),
            "token": token.token,
            "service_notice": gettext("Received; the residents' committee will accept it within one working day."),
            "account_id": None,
        }
    ]
    return render(fmt, "service_requests", payload, status=201)
