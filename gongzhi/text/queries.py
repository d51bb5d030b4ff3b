"""Reads of the text domain: suggestions for a message, duplicate candidates, hot spots, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
from gongzhi.text.models import HotSpot, OrderInsight, TextAlert
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
    version, [out] = suggest_many([(title, text, area)], top=top)
    return version, out


def suggest_many(
    messages: Sequence[tuple[str, str, Area | None]], *, top: int = 3
) -> tuple[int | None, list[list[dict[str, Any]]]]:
    """:func:`suggest_for` for a batch of ``(title, text, area)``: one classification call,
    one query for the categories, and the duty-list units of each (category, area) pair once."""
    loaded = active_model()
    if loaded is None:
        return None, [[] for _ in messages]
    ranked = loaded.classifier.suggest_many([m[0] for m in messages], [m[1] for m in messages], top=top)
    ids = {s.label: loaded.label_categories.get(s.label) for suggestions in ranked for s in suggestions}
    categories = MatterCategory.objects.in_bulk([i for i in ids.values() if i])
    units_of: dict[tuple[int, int], list[dict[str, Any]]] = {}
    out: list[list[dict[str, Any]]] = []
    for (_title, _text, area), suggestions in zip(messages, ranked, strict=True):
        one: list[dict[str, Any]] = []
        for s in suggestions:
            cid = ids[s.label]
            category = categories.get(cid) if cid else None
            units: list[dict[str, Any]] = []
            if category is not None and area is not None:
                key = (category.pk, area.pk)
                if key not in units_of:
                    units_of[key] = [
                        {"id": org.pk, "name": org.name, "duty_role": role}
                        for org, role in propose_units(category, area)[:3]
                    ]
                units = [dict(u) for u in units_of[key]]
            one.append(
                {
                    "label": s.label,
                    "category": category.pk if category else None,
                    "category_name": category.name if category else s.label,
                    "confidence": s.confidence,
                    "units": units,
                }
            )
        out.append(one)
    return loaded.version, out


def urgency_cues(title: str, text: str) -> list[dict[str, str]]:
    return [{"cue": c.cue.value, "words": c.words} for c in find_urgency_cues(title, text)]


def _community_prefix(area_path: str) -> str:
    """Duplicates are looked for in the same community (the path's first four levels) or the
    area itself if it is higher up."""
    parts = [p for p in area_path.split("/") if p]
    return "/".join(parts[:4]) + "/" if len(parts) > 4 else area_path


def _candidate_rows(
    qs: QuerySet[WorkOrder], *, prefix: str, since: datetime, until: datetime, limit: int
) -> list[dict[str, Any]]:
    """Open orders of the community subtree submitted in ``[since, until]``, newest first (a
    total order: ties by id), at most ``limit``; only the head of each description is read —
    it says what the request is about, and scoring cost grows with the characters compared."""
    rows = (
        qs.filter(
            status__in=DUPLICATE_STATES,
            area_path__startswith=prefix,
            submitted_at__gte=since,
            submitted_at__lte=until,
        )
        .order_by("-submitted_at", "-id")
        .annotate(head=Left("description", CANDIDATE_CHARS))
        .values("id", "title", "head", "submitted_at", "lat", "lng", "area_path", "address")[:limit]
    )
    return [dict(r) for r in rows]


def _as_message(row: dict[str, Any]) -> dup.Message:
    return dup.Message(
        key=row["id"],
        title=row["title"],
        text=row["head"],
        time=row["submitted_at"],
        lat=float(row["lat"]) if row["lat"] is not None else None,
        lng=float(row["lng"]) if row["lng"] is not None else None,
        area_path=row["area_path"],
        address=row["address"],
    )


def _ranked(
    query: dup.Message, rows: list[dict[str, Any]], messages: list[dup.Message], limit: int
) -> list[dict[str, Any]]:
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
        for d in dup.rank_duplicates(query, messages, limit=limit)
    ]


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
    qs = queryset if queryset is not None else WorkOrder.objects.all()
    return _duplicates_of(query, at, qs.exclude(pk=exclude) if exclude is not None else qs, limit)


def _duplicates_of(query: dup.Message, at: datetime, qs: QuerySet[WorkOrder], limit: int) -> list[dict[str, Any]]:
    """One message's own candidate query (its window around ``at``, newest ``MAX_CANDIDATES``)
    and ranking."""
    rows = _candidate_rows(
        qs,
        prefix=_community_prefix(query.area_path),
        since=at - timedelta(days=dup.WINDOW_DAYS),
        until=at + timedelta(minutes=1),
        limit=MAX_CANDIDATES,
    )
    return _ranked(query, rows, [_as_message(r) for r in rows], limit)


def _order_message(order: WorkOrder) -> dup.Message:
    return dup.Message(
        key=order.pk,
        title=order.title,
        text=order.description,
        time=order.submitted_at,
        lat=float(order.lat) if order.lat is not None else None,
        lng=float(order.lng) if order.lng is not None else None,
        area_path=order.area_path,
        address=order.address,
    )


def duplicates_of_orders(orders: Sequence[WorkOrder], *, limit: int = 5) -> dict[int, list[dict[str, Any]]]:
    """:func:`duplicate_candidates` of each order (``exclude`` = the order itself, ``at`` = its
    submission), with one candidate query per community instead of one per order.

    The community's query reads the newest ``MAX_CANDIDATES`` + batch-size rows of the union of
    the orders' windows; each order then keeps the rows of its own window, newest first, up to
    ``MAX_CANDIDATES`` — the same rows its own query returns (same total order) whenever the
    shared read holds that many of them or reaches back past its window. An order for which
    neither is true (a community with more than that many open orders submitted after it) gets
    its own query, so the result never differs from ``duplicate_candidates``.
    """
    groups: dict[str, list[WorkOrder]] = {}
    for order in orders:
        groups.setdefault(_community_prefix(order.area_path), []).append(order)
    window = timedelta(days=dup.WINDOW_DAYS)
    ahead = timedelta(minutes=1)
    out: dict[int, list[dict[str, Any]]] = {}
    for prefix, members in groups.items():
        shared_limit = MAX_CANDIDATES + len(members)
        rows = _candidate_rows(
            WorkOrder.objects.all(),
            prefix=prefix,
            since=min(o.submitted_at for o in members) - window,
            until=max(o.submitted_at for o in members) + ahead,
            limit=shared_limit,
        )
        messages = [_as_message(r) for r in rows]
        reaches_back = rows[-1]["submitted_at"] if len(rows) == shared_limit else None
        for order in members:
            since, until = order.submitted_at - window, order.submitted_at + ahead
            keep = [i for i, r in enumerate(rows) if r["id"] != order.pk and since <= r["submitted_at"] <= until][
                :MAX_CANDIDATES
            ]
            if reaches_back is not None and len(keep) < MAX_CANDIDATES and reaches_back >= since:
                out[order.pk] = _duplicates_of(
                    _order_message(order), order.submitted_at, WorkOrder.objects.exclude(pk=order.pk), limit
                )
                continue
            out[order.pk] = _ranked(_order_message(order), [rows[i] for i in keep], [messages[i] for i in keep], limit)
    return out


@dataclass(frozen=True)
class Reading:
    """What the text engine reads in one order (stored by ``actions.analyse_order``)."""

    model_version: int | None
    suggestions: list[dict[str, Any]]
    cues: list[dict[str, str]]
    duplicates: list[dict[str, Any]]
    stored: OrderInsight | None  # the order's insight as stored before this reading, if any


def read_orders(orders: Sequence[WorkOrder]) -> dict[int, Reading]:
    """Suggestions, urgency cues and duplicate candidates of each order, read as a batch (the
    intake of a burst): the same results as reading them one at a time, with a constant number
    of queries per community and per suggested (category, area) instead of per order, and the
    insights already stored in one query."""
    version, suggestions = suggest_many([(o.title, o.description, o.area) for o in orders])
    duplicates = duplicates_of_orders(orders)
    stored = {i.order_id: i for i in OrderInsight.objects.filter(order_id__in=[o.pk for o in orders])}
    return {
        o.pk: Reading(
            model_version=version,
            suggestions=s,
            cues=urgency_cues(o.title, o.description),
            duplicates=duplicates[o.pk],
            stored=stored.get(o.pk),
        )
        for o, s in zip(orders, suggestions, strict=True)
    }


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
