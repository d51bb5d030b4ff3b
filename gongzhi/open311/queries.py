"""Reads for the GeoReport interface: services from the category tree, public requests,
area resolution for new requests, and the de-identified shape of a request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.open311.choices import PublicStatus
from gongzhi.open311.errors import Open311Error, Open311ErrorCode
from gongzhi.open311.keys import matches, prefix_of
from gongzhi.open311.models import Open311Client, ServiceRequestToken
from gongzhi.organisations.models import MatterCategory, OrganisationArea
from gongzhi.privacy.redaction import redact_public
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area
from gongzhi.work_orders.choices import TERMINAL, Status, Urgency
from gongzhi.work_orders.models import WorkOrder

E = Open311ErrorCode
LOCAL = ZoneInfo("Asia/Shanghai")
MAX_RANGE = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: Public coordinates are rounded to 3 decimals (about 100 m) so that a home cannot be found.
PUBLIC_COORDINATE_PLACES = 3

REDACTED = "***"


def redact(text: str) -> str:
    """The text as it may be shown publicly (the privacy redactor registry: phones, ID numbers,
    bank cards, e-mail addresses, licence plates, exact addresses)."""
    return redact_public(text)


#: GeoReport v2 caps ``description`` at 4,000 characters; web and staff intake accept longer text.
MAX_DESCRIPTION = 4000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def w3c(value: dt.datetime | None) -> str | None:
    """``2026-11-28T09:30:00+08:00``."""
    if value is None:
        return None
    return value.astimezone(LOCAL).replace(microsecond=0).isoformat()


def public_status(status: str) -> PublicStatus:
    return PublicStatus.CLOSED if status in TERMINAL else PublicStatus.OPEN


# --- services ----------------------------------------------------------------------------------


def list_services() -> QuerySet[MatterCategory]:
    """Active leaf categories (no active children), with their parent for the group."""
    children = MatterCategory.objects.filter(parent_id=OuterRef("pk"), is_active=True)
    return (
        MatterCategory.objects.filter(is_active=True)
        .exclude(Exists(children))
        .select_related("parent")
        .order_by("code")
    )


def get_service(code: str) -> MatterCategory:
    service = list_services().filter(code=code).first()
    if service is None:
        raise Open311Error(E.UNKNOWN_SERVICE, field="service_code")
    return service


def service_row(category: MatterCategory) -> dict[str, Any]:
    keywords = ",".join(part for part in (category.name, category.name_en) if part)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en or category.name,
        "metadata": True,
        "type": "batch",
        "keywords": keywords,
        "group": category.parent.name if category.parent is not None else category.name,
    }


def service_definition(category: MatterCategory) -> dict[str, Any]:
    """Two attributes every service takes: urgency and consent to public listing."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "urgency",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": gettext("normal or urgent"),
                "order": 1,
                "description": gettext("How urgent is it?"),
                "values": [{"key": value, "name": str(label)} for value, label in Urgency.choices],
            },
            {
                "variable": True,
                "code": "public",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": gettext("yes or no (default no)"),
                "order": 2,
                "description": gettext(
                    "May the request appear publicly, without personal data (on the public board and in Open311)?"
                ),
                "values": [{"key": "yes", "name": gettext("Yes")}, {"key": "no", "name": gettext("No")}],
            },
            {
                "variable": True,
                "code": "anonymous",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": gettext("yes or no (default no)"),
                "order": 3,
                "description": gettext(
                    "Report anonymously? The phone is kept for follow-up but shown masked to the staff handling it."
                ),
                "values": [{"key": "yes", "name": gettext("Yes")}, {"key": "no", "name": gettext("No")}],
            },
        ],
    }


# --- requests ----------------------------------------------------------------------------------


def public_requests() -> QuerySet[WorkOrder]:
    """Requests residents agreed to show publicly, with a service code."""
    return (
        WorkOrder.objects.filter(is_public=True, category__isnull=False)
        .select_related("category", "area", "lead_organisation")
        .order_by("-submitted_at", "-id")
    )


def parse_w3c(value: str, field: str) -> dt.datetime:
    text = value.strip().replace(" ", "+")  # a "+" that was not URL-encoded arrives as a space
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise Open311Error(E.INVALID_DATE, field=field) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)


def date_range(start: str | None, end: str | None, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The requested range: at most 90 days, the most recent 90 days by default."""
    now = now or timezone.now()
    start_at = parse_w3c(start, "start_date") if start else None
    end_at = parse_w3c(end, "end_date") if end else None
    if start_at and end_at:
        if end_at < start_at:
            raise Open311Error(E.INVALID_DATE, field="end_date")
        if end_at - start_at > MAX_RANGE:
            raise Open311Error(E.DATE_RANGE_TOO_LONG, field="end_date")
        return start_at, end_at
    if start_at:
        return start_at, start_at + MAX_RANGE
    end_at = end_at or now
    return end_at - MAX_RANGE, end_at


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _positive(value: str | None, default: int, field: str, maximum: int | None = None) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(E.INVALID_VALUE, field=field)
    return min(int(value), maximum) if maximum else int(value)


def search_requests(params: Any, now: dt.datetime | None = None) -> list[WorkOrder]:
    """GET requests: ``service_request_id`` (comma list) overrides the other filters;
    otherwise ``service_code`` (comma list), ``start_date``/``end_date``, ``status`` and
    paging (``page``, ``page_size``, at most 200)."""
    qs = public_requests()
    ids = _csv(params.get("service_request_id"))
    if ids:
        if not all(i.isdigit() for i in ids):
            raise Open311Error(E.INVALID_VALUE, field="service_request_id")
        return list(qs.filter(pk__in=[int(i) for i in ids])[:MAX_PAGE_SIZE])
    codes = _csv(params.get("service_code"))
    if codes:
        qs = qs.filter(category__code__in=codes)
    start, end = date_range(params.get("start_date"), params.get("end_date"), now)
    qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
    statuses = _csv(params.get("status"))
    if statuses:
        if not set(statuses) <= set(PublicStatus.values):
            raise Open311Error(E.INVALID_VALUE, field="status")
        if statuses == [PublicStatus.OPEN]:
            qs = qs.exclude(status__in=TERMINAL)
        elif statuses == [PublicStatus.CLOSED]:
            qs = qs.filter(status__in=TERMINAL)
    page = _positive(params.get("page"), 1, "page")
    size = _positive(params.get("page_size"), DEFAULT_PAGE_SIZE, "page_size", MAX_PAGE_SIZE)
    return list(qs[(page - 1) * size : page * size])


def get_public_request(pk: str) -> WorkOrder:
    order = public_requests().filter(pk=int(pk)).first() if pk.isdigit() else None
    if order is None:
        raise Open311Error(E.NOT_FOUND)
    return order


def _status_notes(order: WorkOrder) -> str | None:
    if order.status == Status.REJECTED:
        return redact(order.reject_reason) or None
    if order.status == Status.MERGED:
        return gettext("Merged into request %(id)s.") % {"id": order.master_id}
    if order.status in (Status.REPLIED, Status.CLOSED) and order.reply_text:
        return redact(order.reply_text)
    return str(order.get_status_display())


def request_row(order: WorkOrder) -> dict[str, Any]:
    """The public, de-identified view of an order: no names, phones, addresses below
    the area, photos or exact coordinates."""
    status = public_status(order.status)
    updated = order.closed_at or order.rejected_at or order.merged_at if status == PublicStatus.CLOSED else None
    return {
        "service_request_id": str(order.pk),
        "status": status.value,
        "status_notes": _status_notes(order),
        "service_name": order.category.name if order.category else None,
        "service_code": order.category.code if order.category else "",
        "description": _clip(redact(order.description), MAX_DESCRIPTION),
        "agency_responsible": order.lead_organisation.name if order.lead_organisation else None,
        "service_notice": None,
        "requested_datetime": w3c(order.submitted_at),
        "updated_datetime": w3c(updated or order.updated_at),
        "expected_datetime": w3c(order.reply_due),
        "address": order.area.name,
        "address_id": order.area.code,
        "zipcode": None,
        "lat": _rounded(order.lat),
        "long": _rounded(order.lng),
        "media_url": None,
    }


def _rounded(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), PUBLIC_COORDINATE_PLACES)


def get_token(token: str) -> ServiceRequestToken:
    found = ServiceRequestToken.objects.filter(token=token).first()
    if found is None:
        raise Open311Error(E.NOT_FOUND)
    return found


# --- filing --------------------------------------------------------------------------------------


def authenticate(raw_key: str | None) -> Open311Client:
    """The active client holding this key; 403 otherwise."""
    prefix = prefix_of(raw_key or "")
    client = Open311Client.objects.select_related("organisation").filter(key_prefix=prefix, is_active=True).first()
    if client is None or not matches(raw_key or "", client.key_hash):
        raise Open311Error(E.INVALID_API_KEY, field="api_key")
    return client


def _served_q(client: Open311Client) -> Q:
    paths = list(
        OrganisationArea.objects.filter(organisation=client.organisation_id).values_list("area__path", flat=True)
    )
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def resolve_area(client: Open311Client, *, address_id: str = "", lat: Decimal | None, lng: Decimal | None) -> Area:
    """Where the request is: ``address_id`` is an area code (community or grid); otherwise
    the community or grid whose centre is nearest to (lat, long), within
    ``GONGZHI_OPEN311_MAX_DISTANCE_DEGREES`` (default 0.03°, about 3 km). Only areas the
    client's organisation serves are considered."""
    from django.conf import settings

    areas = Area.objects.filter(_served_q(client), is_active=True, level__gte=AreaLevel.COMMUNITY)
    if address_id:
        area = areas.filter(code=address_id).first()
        if area is None:
            raise Open311Error(E.LOCATION_NOT_SERVED, field="address_id")
        return area
    if lat is None or lng is None:
        raise Open311Error(E.LOCATION_REQUIRED, field="lat")
    limit = Decimal(str(getattr(settings, "GONGZHI_OPEN311_MAX_DISTANCE_DEGREES", 0.03)))
    nearest = (
        areas.filter(
            centre_lat__isnull=False,
            centre_lat__gte=lat - limit,
            centre_lat__lte=lat + limit,
            centre_lng__gte=lng - limit,
            centre_lng__lte=lng + limit,
        )
        .annotate(distance=Abs(F("centre_lat") - lat) + Abs(F("centre_lng") - lng))
        .order_by("distance", "-level", "path")
        .first()
    )
    if nearest is None:
        raise Open311Error(E.LOCATION_NOT_SERVED, field="lat")
    return nearest
