"""Reads of the text domain: suggestions for a message, duplicate candidates, hot spots, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from django.utils import timezone

from gongzhi.access.models import RoleGrant
from gongzhi.organisations.models import MatterCategory
from gongzhi.organisations.queries import propose_units
from gongzhi.territory.models import Area
from gongzhi.text.engine import duplicates as dup
from gongzhi.text.engine.urgency import find_urgency_cues
from gongzhi.text.models import HotSpot, TextAlert
from gongzhi.text.runtime import active_model
from gongzhi.work_orders.choices import OPEN, Status
from gongzhi.work_orders.models import WorkOrder

#: Candidate orders read per duplicate check (newest first): bounds the work per intake.
MAX_CANDIDATES = 300
#: Characters of each candidate's description compared with the new message.
CANDIDATE_CHARS = 200
#: Open states in which an order can still absorb a duplicate (merge targets).
DUPLICATE_STATES = sorted(OPEN - {Status.MERGED})


def suggest_for(title: str, text: str, area: Area | None, *, top: int = 3) -> tuple[int | None, list[dict[str, Any]]]:
    """``(model version, [{label, category, category_name, confidence, units}])`` best first.

    Units come from the duty lists (``propose_units``) for the suggested category in the area.
    One query for the categories, two per suggestion with a category and an area.
    """
    loaded = active_model()
    if loaded is None:
        return None, []
    suggestions = loaded.classifier.suggest(title, text, top=top)
    ids = [loaded.label_categories.get(s.label) for s in suggestions]
    categories = MatterCategory.objects.in_bulk([i for i in ids if i])
    out: list[dict[str, Any]] = []
    for s, cid in zip(suggestions, ids, strict=True):
        category = categories.get(cid) if cid else None
        units: list[dict[str, Any]] = []
        if category is not None and area is not None:
            units = [
                {"id": org.pk, "name": org.name, "duty_role": role} for org, role in propose_units(category, area)[:3]
            ]
        out.append(
            {
                "label": s.label,
                "category": category.pk if category else None,
                "category_name": category.name if category else s.label,
                "confidence": s.confidence,
                "units": units,
            }
        )
    return loaded.version, out


def urgency_cues(title: str, text: str) -> list[dict[str, str]]:
    return [{"cue": c.cue.value, "words": c.words} for c in find_urgency_cues(title, text)]


def _community_prefix(area_path: str) -> str:
    """Duplicates are looked for in the same community (the path's first four levels) or the
    area itself if it is higher up."""
    parts = [p for p in area_path.split("/") if p]
    return "/".join(parts[:4]) + "/" if len(parts) > 4 else area_path


def duplicate_candidates(
    *,
    title: str,
    text: str,
    area_path: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    at: datetime | None = None,
    exclude: int | None = None,
    queryset: QuerySet[WorkOrder] | None = None,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Open orders about the same problem nearby and recently, best first.

    Retrieval is one indexed query: open states, the same community subtree, submitted in the
    window, newest ``MAX_CANDIDATES``; scoring is in Python (``engine.duplicates``).
    """
    at = at or timezone.now()
    since = at - timedelta(days=dup.WINDOW_DAYS)
    qs = queryset if queryset is not None else WorkOrder.objects.all()
    qs = qs.filter(
        status__in=DUPLICATE_STATES,
        area_path__startswith=_community_prefix(area_path),
        submitted_at__gte=since,
        submitted_at__lte=at + timedelta(minutes=1),
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    # Only the head of each candidate's text is read and compared: it says what the request is
    # about, and scoring cost grows with the characters compared.
    rows = list(
        qs.order_by("-submitted_at")
        .annotate(head=Left("description", CANDIDATE_CHARS))
        .values("id", "title", "head", "submitted_at", "lat", "lng", "area_path", "address")[:MAX_CANDIDATES]
    )
    query = dup.Message(
        key=exclude or 0,
        title=title,
        text=text,
        time=at,
        lat=float(lat) if lat is not None else None,
        lng=float(lng) if lng is not None else None,
        area_path=area_path,
        address=address,
    )
    candidates = [
        dup.Message(
            key=r["id"],
            title=r["title"],
            text=r["head"],
            time=r["submitted_at"],
            lat=float(r["lat"]) if r["lat"] is not None else None,
            lng=float(r["lng"]) if r["lng"] is not None else None,
            area_path=r["area_path"],
            address=r["address"],
        )
        for r in rows
    ]
    ranked = dup.rank_duplicates(query, candidates, limit=limit)
    submitted = {r["id"]: r["submitted_at"] for r in rows}
    return [
        {
            "order": d.key,
            "number": f"GZ{timezone.localtime(submitted[d.key]):%Y%m%d}-{d.key:06d}",
            "score": d.score,
            "similarity": d.text_similarity,
            "distance_m": None if d.distance_m is None else round(d.distance_m),
            "days_apart": None if d.days_apart is None else round(d.days_apart, 1),
        }
        for d in ranked
    ]


def list_current_hotspots(user: Any) -> QuerySet[HotSpot]:
    return HotSpot.objects.restrict(user, "view").filter(is_current=True).order_by("-score", "-id")


def list_open_alerts(user: Any) -> QuerySet[TextAlert]:
    return TextAlert.objects.restrict(user, "view").filter(state="open").select_related("order", "hotspot")


def orders_by_id(ids: Sequence[int]) -> dict[int, WorkOrder]:
    return WorkOrder.objects.in_bulk(list(ids))


#: Roles told about an urgent message in their area (the roles that watch text alerts).
URGENT_WATCHER_ROLES = ("grid_worker", "community_worker", "street_official", "district_official")


def urgent_alert_recipients(order: WorkOrder) -> set[int]:
    """Who is alerted to an urgent message: active holders of a watcher role whose area contains
    the order's area (grid, community, street, district), and the staff of the unit handling it."""
    codes = order.area_path.rstrip("/").split("/")
    ancestors = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))] if order.area_path else []
    grants = RoleGrant.objects.filter(revoked_at__isnull=True).filter(
        Q(role__in=URGENT_WATCHER_ROLES, area_path__in=ancestors)
        | Q(organisation_id=order.lead_organisation_id, organisation_id__isnull=False)
    )
    return set(grants.values_list("user_id", flat=True))
