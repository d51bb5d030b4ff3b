"""The public board (公开栏): requests whose submitter allowed it, without personal data.

Only rows with ``is_public`` that staff have at least accepted (not submitted, rejected or
merged) are listed. Nothing personal is shown: no names, phones, addresses, buildings or
rooms, no map point; the location is the community; title, description and reply pass
through :func:`redact` (the privacy redactor registry: phone, ID and bank-card numbers, licence
plates, exact addresses); the
timeline shows public steps only, as step + time + unit, without notes or people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from gongzhi.privacy.redaction import redact_public
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area
from gongzhi.work_orders import extensions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import Attachment, Subscription, WorkOrder, WorkOrderEvent

HIDDEN_STATUSES = (Status.SUBMITTED, Status.REJECTED, Status.MERGED)


def redact(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Public text: names, phone, ID and card numbers, e-mail addresses and building/unit/room
    numbers masked by :func:`gongzhi.privacy.redaction.redact_public` (plus whatever upper
    layers registered there: licence plates, exact addresses)."""
    return redact_public(text, names)


def known_names(order: WorkOrder) -> list[str]:
    names = [order.contact_name]
    submitter = order.submitter if order.submitter_id else None
    if submitter is not None:
        names += [submitter.display_name, submitter.get_full_name(), submitter.last_name + submitter.first_name]
    return names


def community_of(area: Area) -> Area:
    """The community an order's area belongs to (grids are inside a community)."""
    if area.level == AreaLevel.GRID and area.parent is not None:
        return area.parent
    return area


def board_queryset() -> QuerySet[WorkOrder]:
    """Every row the public may see; nothing else is ever read by the board."""
    return WorkOrder.objects.filter(is_public=True).exclude(status__in=HIDDEN_STATUSES)


def filtered(qs: QuerySet[WorkOrder], *, community: Area | None, category: Any, status: str) -> QuerySet[WorkOrder]:
    if community is not None:
        qs = qs.filter(area_path__startswith=community.path)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category) | Q(category__parent__parent=category))
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    label: Any
    created_at: Any
    unit: str


@dataclass(frozen=True)
class PublicOrder:
    """What the board shows of one order; built only from non-personal fields."""

    pk: int
    number: str
    title: str
    order_type: Any
    category: str
    community: str
    status: str
    status_label: Any
    submitted_at: Any
    replied_at: Any
    closed_at: Any
    reply: str
    description: str
    events: list[PublicEvent]
    attachments: list[Attachment]


def public_order(order: WorkOrder, *, detail: bool = False) -> PublicOrder:
    events: list[PublicEvent] = []
    attachments: list[Attachment] = []
    if detail:
        events = [
            PublicEvent(e.kind, e.get_kind_display(), e.created_at, e.organisation.name if e.organisation else "")
            for e in order.events.all()
        ]
        attachments = list(order.attachments.all())
    names = known_names(order) if detail else [order.contact_name]
    return PublicOrder(
        pk=order.pk,
        number=order.number,
        title=redact(order.title, names),
        order_type=order.get_order_type_display(),
        category=order.category.name if order.category else "",
        community=community_of(order.area).name,
        status=order.status,
        status_label=order.get_status_display(),
        submitted_at=order.submitted_at,
        replied_at=order.replied_at,
        closed_at=order.closed_at,
        reply=redact(order.reply_text, names) if detail else "",
        description=redact(order.description, names) if detail else "",
        events=events,
        attachments=attachments,
    )


def list_rows(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return qs.select_related("area__parent", "category").only(
        "id",
        "title",
        "order_type",
        "status",
        "submitted_at",
        "replied_at",
        "closed_at",
        "area__level",
        "area__name",
        "area__parent__name",
        "area__parent__level",
        "category__name",
        "contact_name",
    )


def detail_row(pk: int) -> WorkOrder | None:
    return (
        board_queryset()
        .select_related("area__parent", "category", "submitter")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=WorkOrderEvent.objects.filter(is_public=True)
                .select_related("organisation")
                .order_by("created_at", "id"),
            ),
            Prefetch("attachments", queryset=Attachment.objects.filter(is_public=True).order_by("id")),
        )
        .filter(pk=pk)
        .first()
    )


def public_attachment(order_pk: int, attachment_pk: int) -> Attachment | None:
    return Attachment.objects.filter(
        pk=attachment_pk, is_public=True, order_id=order_pk, order__in=board_queryset()
    ).first()


def communities() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY, is_active=True).order_by("path")


# --- "me too": the same problem is already on the board ------------------------------------------

SIMILAR_LIMIT = 3
#: What of a draft is compared: the start of a message says what it is about.
SIMILAR_TITLE_CHARS = 200
SIMILAR_TEXT_CHARS = 2000


def followable_queryset() -> QuerySet[WorkOrder]:
    """Board rows a resident may still follow: on the board and not closed."""
    return board_queryset().exclude(status=Status.CLOSED)


@dataclass(frozen=True)
class SimilarOrder:
    row: PublicOrder
    score: float
    distance_m: int | None
    followers: int
    following: bool


def similar_public(
    user: Any,
    *,
    area: Area,
    title: str,
    text: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    limit: int = SIMILAR_LIMIT,
) -> list[SimilarOrder]:
    """Open board requests about the same problem near ``area`` (the registered finder ranks
    them), shown as the board shows them: de-identified, with how many people follow each and
    whether ``user`` already does. Three queries plus the finder's, whatever the table size."""
    title, text, address = title[:SIMILAR_TITLE_CHARS], text[:SIMILAR_TEXT_CHARS], address[:SIMILAR_TITLE_CHARS]
    if not (title.strip() or text.strip()):
        return []
    found = extensions.find_similar(
        queryset=followable_queryset(),
        title=title,
        text=text,
        area_path=area.path,
        lat=lat,
        lng=lng,
        address=address,
        limit=limit,
    )
    if not found:
        return []
    ids = [int(c["order"]) for c in found]
    orders = {o.pk: o for o in list_rows(followable_queryset().filter(pk__in=ids))}
    counts = follower_counts(ids)
    mine = set(
        Subscription.objects.filter(order_id__in=ids, user_id=getattr(user, "pk", None) or 0).values_list(
            "order_id", flat=True
        )
    )
    return [
        SimilarOrder(
            row=public_order(orders[c["order"]]),
            score=float(c["score"]),
            distance_m=c.get("distance_m"),
            followers=counts.get(c["order"], 0),
            following=c["order"] in mine,
        )
        for c in found
        if c["order"] in orders
    ]


def follower_counts(ids: list[int]) -> dict[int, int]:
    """People following each order: its submitter (if any) plus its subscribers."""
    rows = (
        WorkOrder.objects.filter(pk__in=ids).annotate(n=Count("subscriptions")).values_list("pk", "n", "submitter_id")
    )
    return {pk: n + (1 if submitter else 0) for pk, n, submitter in rows}


def followed_by(user: Any) -> QuerySet[WorkOrder]:
    """Board orders ``user`` follows without having filed them, newest first (shown as on the
    board: a followed order that is not public is not listed)."""
    uid = getattr(user, "pk", None) or 0
    return list_rows(board_queryset().filter(subscriptions__user_id=uid).exclude(submitter_id=uid)).order_by(
        "-subscriptions__created_at", "-id"
    )
