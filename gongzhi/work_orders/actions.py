"""Every write to a work order. Each step locks the order row (``select_for_update``) so
two concurrent submissions of the same step cannot both pass the state check, writes
one audit change record, appends a timeline event, and sends notices after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action, runs_actions
from gongzhi.audit.snapshot import snapshot
from gongzhi.core import calendar
from gongzhi.ledger import events as ledger_events
from gongzhi.organisations.models import MatterCategory, Organisation, OrganisationArea
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building, Room, Unit
from gongzhi.work_orders import board, deadlines, escalation, extensions, intake, kpi_facts, kpis, transitions
from gongzhi.work_orders.attachments import max_attachments, process_upload
from gongzhi.work_orders.choices import (
    AssignmentRole,
    Channel,
    EventKind,
    ExtensionStatus,
    NotificationKind,
    OrderType,
    Satisfaction,
    Status,
    SupervisionLevel,
    Urgency,
)
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode
from gongzhi.work_orders.models import (
    Assignment,
    Attachment,
    EscalationRun,
    IntakePending,
    Rating,
    Subscription,
    WorkOrder,
    WorkOrderEvent,
)
from gongzhi.work_orders.notifications import (
    notices_sent,
    notify,
    notify_many,
    resident_recipients,
    unit_recipients,
)

E = WorkOrderErrorCode
STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN})
SYSTEM_CHANNELS = frozenset({Channel.OPEN311, Channel.INTERNAL})


# --- helpers ------------------------------------------------------------------------------------


def _lock(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def _require(order: WorkOrder, verb: str) -> None:
    if not transitions.allows(verb, order.status):
        raise WorkOrderError(
            E.ILLEGAL_TRANSITION,
            gettext("“%(verb)s” is not possible while the order is “%(status)s”.")
            % {"verb": verb, "status": order.get_status_display()},
        )


def _require_reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise WorkOrderError(E.REASON_REQUIRED, field=field)
    return text


def _actor_label(actor: Any) -> str:
    return str(actor)[:150] if getattr(actor, "is_authenticated", False) else "system"


def _event(
    order: WorkOrder,
    kind: EventKind,
    actor: Any,
    *,
    from_status: str = "",
    note: str = "",
    public: bool = True,
    organisation: Organisation | None = None,
    data: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    event = WorkOrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        organisation=organisation,
        from_status=from_status,
        to_status=order.status if order.status != from_status else "",
        note=note,
        is_public=public,
        data=data or {},
    )
    if event.to_status:  # every state change goes on the governance ledger, in this transaction
        ledger_events.work_order_transition(
            number=order.number,
            step=str(kind),
            from_status=from_status,
            to_status=event.to_status,
            event_id=event.pk,
            organisation_id=organisation.pk if organisation is not None else None,
        )
    return event


def _save(order: WorkOrder, fields: Sequence[str]) -> None:
    order.save(update_fields=sorted({*fields, "updated_at"}))
    # Every change of an order may move its deadlines, state or hold, so the deadline job
    # looks at it again (escalation.check_from: a lower bound, made exact by the job). The
    # order row is locked first, then its schedule row, as the job never waits for an order.
    escalation.schedule(order)
    # The order's KPI fact follows in the same transaction (after the rating or the
    # assignments the action wrote before saving), so the dashboard never reads a stale row.
    kpi_facts.refresh([order.pk])


def _tell_resident(order: WorkOrder, message: str) -> None:
    notify(resident_recipients(order), order=order, kind=NotificationKind.STATUS, message=message)


def _end_assignments(order: WorkOrder, reason: str, *, now: Any, roles: Sequence[str] | None = None) -> list[int]:
    active = Assignment.objects.filter(order=order, ended_at__isnull=True)
    if roles is not None:
        active = active.filter(role__in=roles)
    ended = list(active.values_list("organisation_id", flat=True))
    active.update(ended_at=now, end_reason=reason)
    return ended


def _serves(organisation: Organisation, order: WorkOrder) -> bool:
    """The unit serves the order's area (or an area containing it)."""
    ancestors = Area(path=order.area_path).ancestor_paths()
    return OrganisationArea.objects.filter(organisation=organisation, area__path__in=ancestors).exists()


def _check_units(order: WorkOrder, units: Sequence[Organisation]) -> None:
    for unit in units:
        if not unit.is_active or not _serves(unit, order):
            raise WorkOrderError(E.UNIT_NOT_SERVING_AREA, field="to", unit=unit.pk)


def _grant_covers(actor: Any, verb: str, area: Area) -> bool:
    return any(
        area.path.startswith(g.area_path or "") for g in grants_with_permission(actor, permission_name(WorkOrder, verb))
    )


# --- intake -------------------------------------------------------------------------------------


@action
def submit_work_order(
    *,
    actor: Any,
    order_type: OrderType | str,
    area: Area,
    title: str,
    description: str,
    channel: Channel | str = Channel.WEB,
    category: MatterCategory | None = None,
    urgency: Urgency | str = Urgency.NORMAL,
    building: Building | None = None,
    unit: Unit | None = None,
    room: Room | None = None,
    address: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    on_behalf_of: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    is_public: bool = False,
    is_anonymous: bool = False,
    external_id: str = "",
) -> WorkOrder:
    """File a request. Residents file for themselves on the web; staff enter phone calls and
    walk-ins (for a known resident or anonymously with a contact); grid workers report from
    patrol in their grid; system channels (Open311, internal) come with ``actor=None``.

    ``is_anonymous``: a contact phone is required for follow-up and the contact name is
    dropped; the submitter (if any) still follows and rates the order, but everyone handling
    it sees neither who filed it nor the full phone (see ``WorkOrder.hides_submitter_from``)."""
    channel = Channel(channel)
    is_user = getattr(actor, "is_authenticated", False)
    if area.level < AreaLevel.COMMUNITY or not area.is_active:
        raise WorkOrderError(E.AREA_NOT_ALLOWED, field="area")
    if category is not None and not category.is_active:
        raise WorkOrderError(E.CATEGORY_INACTIVE, field="category")
    submitter = None
    if channel == Channel.WEB:
        if not is_user:
            raise WorkOrderError(E.CHANNEL_NOT_ALLOWED, field="channel")
        submitter = actor
    elif channel in STAFF_CHANNELS:
        if not is_user or not _grant_covers(actor, "add_on_behalf", area):
            raise WorkOrderError(E.CHANNEL_NOT_ALLOWED, field="channel")
        submitter = on_behalf_of
    elif channel == Channel.GRID_PATROL:
        if not is_user or not _grant_covers(actor, "patrol", area):
            raise WorkOrderError(E.AREA_NOT_ALLOWED, field="area")
    elif is_user:  # system channels have no signed-in actor
        raise WorkOrderError(E.CHANNEL_NOT_ALLOWED, field="channel")
    if (submitter is None or is_anonymous) and channel != Channel.GRID_PATROL and not contact_phone.strip():
        raise WorkOrderError(E.CONTACT_REQUIRED, field="contact_phone")
    if is_anonymous:
        contact_name = ""
    for part, parent_ok in (
        (building, building is None or building.area_path.startswith(area.path)),
        (unit, unit is None or (building is not None and unit.building_id == building.pk)),
        (room, room is None or (unit is not None and room.unit_id == unit.pk)),
    ):
        if not parent_ok:
            raise WorkOrderError(E.AREA_NOT_ALLOWED, field=type(part).__name__.lower())
    order = WorkOrder.objects.create(
        order_type=OrderType(order_type),
        category=category,
        urgency=Urgency(urgency),
        channel=channel,
        title=title.strip()[:120],
        description=description.strip(),
        area=area,
        area_path=area.path,
        building=building,
        unit=unit,
        room=room,
        address=address,
        lat=lat,
        lng=lng,
        submitter=submitter,
        entered_by=actor if is_user else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        is_public=is_public,
        is_anonymous=is_anonymous,
        external_id=external_id,
        submitted_at=timezone.now(),
    )
    kpi_facts.refresh([order.pk])  # the repeat flag follows in complete_intake
    # The new order's whole timeline, for the 201 body (WorkOrderViewSet.output_created).
    order.submit_event = _event(order, EventKind.SUBMIT, actor, note="", data={"channel": channel.value})
    record_change(order, verb="submit", actor=actor)
    # The rest of intake is not needed to answer the resident: queued here (in this
    # transaction), completed after commit in batches by a worker in server mode (in-process
    # in embedded mode). See complete_queued_intake.
    IntakePending.objects.create(order=order)
    transaction.on_commit(intake.request_completion)
    return order


#: Orders completed per transaction by ``complete_queued_intake``.
INTAKE_BATCH = 200


@runs_actions
def complete_queued_intake(*, limit: int = INTAKE_BATCH) -> list[int]:
    """Complete the intake of up to ``limit`` queued orders (``IntakePending``) and return
    their ids: in one transaction, take them from the queue (SKIP LOCKED, so concurrent
    workers take disjoint batches) and run :func:`complete_intake` on them; the queue rows go
    only if that commits, so a crash leaves them for the next run. The intake hooks (text
    analysis, …) then get the batch after commit."""
    with transaction.atomic():
        ids = list(
            IntakePending.objects.select_for_update(skip_locked=True)
            .order_by("order_id")
            .values_list("order_id", flat=True)[:limit]
        )
        if not ids:
            return []
        _complete_intake(ids)
        IntakePending.objects.filter(order_id__in=ids).delete()
    extensions.after_intake(ids)  # each hook handles its own failures and transactions
    return ids


@runs_actions
def complete_intake(order_ids: Sequence[int]) -> None:
    """The after-commit half of ``submit_work_order`` for these orders, queued or not (a
    re-run, a message queued by an older release): set the repeat-complaint flags, send the
    receipts, then run the intake hooks. Safe to run again (the flags are recomputed and a
    receipt already sent is not repeated)."""
    with transaction.atomic():
        done = _complete_intake(order_ids)
        IntakePending.objects.filter(order_id__in=done).delete()
    extensions.after_intake(done)


def _complete_intake(order_ids: Sequence[int]) -> list[int]:
    """Set the repeat-complaint flags (a KPI input: only closures before a submission count,
    so running later gives the same answer) and their KPI facts, and tell each submitter the
    request was received, in their language, unless that receipt was already written. Set-based:
    a handful of statements for the whole batch. Writes no change record: each submission
    recorded its own. Returns the ids of the orders that still exist."""
    orders = list(
        WorkOrder.objects.filter(pk__in=order_ids)
        .order_by("pk")
        .values("pk", "submitted_at", "urgency", "submitter_id", "submitter__language")
    )
    ids = [o["pk"] for o in orders]  # an order deleted meanwhile (a rolled-back demo reset) is skipped
    if not ids:
        return []
    kpis.mark_repeats(WorkOrder.objects.filter(pk__in=ids))
    kpi_facts.refresh(ids)  # the fact carries the repeat flag
    sent = notices_sent(ids, kind=NotificationKind.STATUS)
    receipts = []
    for o in orders:
        if o["submitter_id"] is None:
            continue
        with translation.override(o["submitter__language"] or settings.LANGUAGE_CODE):
            number = WorkOrder.format_number(o["pk"], o["submitted_at"])
            message = gettext("Your request %(number)s was received.") % {"number": number}
        if (o["submitter_id"], o["pk"], message[:200]) not in sent:
            receipts.append(
                {
                    "recipient_id": o["submitter_id"],
                    "order_id": o["pk"],
                    "kind": NotificationKind.STATUS,
                    "message": message,
                    "urgent": o["urgency"] == Urgency.URGENT,
                }
            )
    notify_many(receipts)
    return ids


# --- dispatcher steps ---------------------------------------------------------------------------


@action
def accept_work_order(
    order: WorkOrder,
    *,
    actor: Any,
    note: str = "",
    category: MatterCategory | None = None,
    urgency: Urgency | str | None = None,
) -> WorkOrder:
    """受理: the request is in scope. The dispatcher may correct its category and urgency."""
    order = _lock(order)
    _require(order, "accept")
    before, from_status = snapshot(order), order.status
    fields = ["status", "accepted_at"]
    order.status, order.accepted_at = Status.ACCEPTED, timezone.now()
    if category is not None:
        order.category = category
        fields.append("category")
    if urgency is not None:
        order.urgency = Urgency(urgency)
        fields.append("urgency")
    _save(order, fields)
    _event(order, EventKind.ACCEPT, actor, from_status=from_status, note=note)
    record_change(order, verb="accept", actor=actor, before=before)
    _tell_resident(order, gettext("Your request %(number)s was accepted.") % {"number": order.number})
    return order


@action
def reject_work_order(order: WorkOrder, *, actor: Any, reason: str) -> WorkOrder:
    """不予受理, with the reason shown to the resident. Terminal."""
    reason = _require_reason(reason)
    order = _lock(order)
    _require(order, "reject")
    before, from_status = snapshot(order), order.status
    order.status, order.rejected_at, order.reject_reason = Status.REJECTED, timezone.now(), reason[:500]
    _save(order, ["status", "rejected_at", "reject_reason"])
    _event(order, EventKind.REJECT, actor, from_status=from_status, note=reason)
    record_change(order, verb="reject", actor=actor, before=before)
    _tell_resident(
        order,
        gettext("Your request %(number)s was not accepted: %(reason)s") % {"number": order.number, "reason": reason},
    )
    return order


def _dispatch(order: WorkOrder, to: Organisation, assist: Sequence[Organisation], actor: Any, note: str) -> str:
    """Dispatch one locked order (shared by single and bulk dispatch); returns the old status."""
    _require(order, "dispatch")
    if order.on_hold:
        raise WorkOrderError(E.ON_HOLD)
    assist = [unit for unit in assist if unit.pk != to.pk]
    _check_units(order, [to, *assist])
    now = timezone.now()
    from_status = order.status
    _end_assignments(order, "redispatched", now=now)
    Assignment.objects.bulk_create(
        [Assignment(order=order, organisation=to, role=AssignmentRole.LEAD, assigned_at=now, assigned_by=_user(actor))]
        + [
            Assignment(
                order=order, organisation=unit, role=AssignmentRole.ASSIST, assigned_at=now, assigned_by=_user(actor)
            )
            for unit in {u.pk: u for u in assist}.values()
        ]
    )
    order.status, order.lead_organisation, order.dispatched_by = Status.DISPATCHED, to, _user(actor)
    order.accepted_at = order.accepted_at or now
    order.dispatched_at = now
    order.dispatch_count += 1
    order.signed_at = order.first_contact_at = order.started_at = None
    order.response_minutes = order.handling_minutes = None
    fields = deadlines.apply_dispatch_deadlines(order, now)
    _save(
        order,
        [
            *fields,
            "status",
            "lead_organisation",
            "dispatched_by",
            "accepted_at",
            "dispatched_at",
            "dispatch_count",
            "signed_at",
            "first_contact_at",
            "started_at",
            "response_minutes",
            "handling_minutes",
        ],
    )
    _event(
        order,
        EventKind.DISPATCH,
        actor,
        from_status=from_status,
        note=note,
        organisation=to,
        data={"lead": to.pk, "assist": [u.pk for u in assist], "reply_due": order.reply_due.isoformat()},  # type: ignore[union-attr]
    )
    notify(
        unit_recipients([to.pk, *[u.pk for u in assist]]),
        order=order,
        kind=NotificationKind.DISPATCHED,
        message=gettext("New work order %(number)s: %(title)s") % {"number": order.number, "title": order.title},
    )
    _tell_resident(
        order, gettext("Your request %(number)s was passed to %(unit)s.") % {"number": order.number, "unit": to.name}
    )
    return from_status


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@action
def dispatch_work_order(
    order: WorkOrder,
    *,
    to: Organisation,
    actor: Any,
    assist: Sequence[Organisation] = (),
    note: str = "",
) -> WorkOrder:
    """派单 to a lead unit (and assisting units). Deadlines start now."""
    order = _lock(order)
    before = snapshot(order)
    _dispatch(order, to, assist, actor, note)
    record_change(order, verb="dispatch", actor=actor, before=before, related=to)
    return order


@action
def bulk_dispatch_work_orders(
    orders: Sequence[WorkOrder], *, to: Organisation, actor: Any, note: str = ""
) -> list[WorkOrder]:
    """Dispatch many orders to one unit, all or none; one change record lists them."""
    ids = sorted({o.pk for o in orders})
    if not ids:
        raise WorkOrderError(E.NOTHING_TO_DISPATCH)
    locked = list(WorkOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    blocked = [o.number for o in locked if not transitions.allows("dispatch", o.status) or o.on_hold]
    if blocked:
        raise WorkOrderError(
            E.ILLEGAL_TRANSITION,
            gettext("These orders cannot be dispatched now: %(numbers)s") % {"numbers": ", ".join(blocked)},
        )
    for order in locked:
        _dispatch(order, to, (), actor, note)
    record_change(
        to,
        verb="bulk_dispatch_work_orders",
        actor=actor,
        before=None,
        after={"orders": [o.pk for o in locked], "to": to.pk},
    )
    return locked


@action
def transfer_work_order(order: WorkOrder, *, to: Organisation, actor: Any, reason: str) -> WorkOrder:
    """改派 to another lead unit. The reply clock keeps running from the first dispatch;
    the new unit gets a fresh time to sign."""
    reason = _require_reason(reason)
    order = _lock(order)
    _require(order, "transfer")
    if order.lead_organisation_id == to.pk:
        raise WorkOrderError(E.SAME_UNIT, field="to")
    _check_units(order, [to])
    before, from_status, now = snapshot(order), order.status, timezone.now()
    previous = order.lead_organisation
    _end_assignments(order, "transferred", now=now, roles=[AssignmentRole.LEAD])
    Assignment.objects.filter(order=order, organisation=to, ended_at__isnull=True).update(
        ended_at=now, end_reason="promoted"
    )
    Assignment.objects.create(
        order=order, organisation=to, role=AssignmentRole.LEAD, assigned_at=now, assigned_by=_user(actor)
    )
    limits = deadlines.limits_for(order)
    order.status, order.lead_organisation = Status.DISPATCHED, to
    order.signed_at = order.started_at = None
    order.sign_due = limits.sign.add_to(now)
    order.sign_remind_at = deadlines.reminder_at(now, order.sign_due)
    order.transfer_count += 1
    _save(
        order,
        ["status", "lead_organisation", "signed_at", "started_at", "sign_due", "sign_remind_at", "transfer_count"],
    )
    _event(
        order,
        EventKind.TRANSFER,
        actor,
        from_status=from_status,
        note=reason,
        organisation=to,
        data={"from": previous.pk if previous else None, "to": to.pk},
    )
    record_change(order, verb="transfer", actor=actor, before=before, related=to)
    notify(
        unit_recipients([to.pk]),
        order=order,
        kind=NotificationKind.DISPATCHED,
        message=gettext("Work order %(number)s was transferred to your unit.") % {"number": order.number},
    )
    return order


@action
def merge_work_order(order: WorkOrder, *, master: WorkOrder, actor: Any, note: str = "") -> WorkOrder:
    """已合并: a duplicate of ``master``. Its submitter follows the master from now on."""
    if master.pk == order.pk:
        raise WorkOrderError(E.MERGE_INTO_SELF, field="master")
    first, second = sorted([order.pk, master.pk])
    locked = {o.pk: o for o in WorkOrder.objects.select_for_update().filter(pk__in=[first, second])}
    order, master = locked[order.pk], locked[master.pk]
    _require(order, "merge")
    if master.status in (Status.MERGED, Status.REJECTED, Status.CLOSED):
        raise WorkOrderError(E.MASTER_NOT_OPEN, field="master")
    before, from_status = snapshot(order), order.status
    order.status, order.master, order.merged_at = Status.MERGED, master, timezone.now()
    _save(order, ["status", "master", "merged_at"])
    subscribers = resident_recipients(order) - {master.submitter_id}
    Subscription.objects.bulk_create(
        [Subscription(order=master, user_id=uid) for uid in subscribers], ignore_conflicts=True
    )
    _event(order, EventKind.MERGE, actor, from_status=from_status, note=note, data={"master": master.pk})
    record_change(order, verb="merge", actor=actor, before=before, related=master)
    _tell_resident(
        order,
        gettext("Your request %(number)s is handled together with %(master)s.")
        % {"number": order.number, "master": master.number},
    )
    return order


# --- following (订阅) -----------------------------------------------------------------------------

FOLLOWABLE_CLOSED = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})


def _may_see(actor: Any, order: WorkOrder) -> bool:
    """The order is one the actor may view, or it is on the public board."""
    if board.board_queryset().filter(pk=order.pk).exists():
        return True
    return WorkOrder.objects.restrict(actor, "view").filter(pk=order.pk).exists()


@action
def follow_work_order(order: WorkOrder, *, actor: Any) -> Subscription:
    """ "Me too" (我也遇到): instead of filing the same problem again, a resident follows an
    open order they can see (their area's public board, or one they may view) and from then
    on gets its resident-visible notices like the submitter."""
    if not getattr(actor, "is_authenticated", False):
        raise WorkOrderError(E.FOLLOW_NOT_ALLOWED)
    order = _lock(order)
    if not _may_see(actor, order):
        raise WorkOrderError(E.FOLLOW_NOT_ALLOWED)
    if order.status in FOLLOWABLE_CLOSED:
        raise WorkOrderError(E.FOLLOW_CLOSED)
    if order.submitter_id == actor.pk or Subscription.objects.filter(order=order, user=actor).exists():
        raise WorkOrderError(E.ALREADY_FOLLOWING)
    subscription = Subscription.objects.create(order=order, user=actor)
    record_change(
        order, verb="follow", actor=actor, after={"followers": order.subscriptions.count()}, related=subscription
    )
    return subscription


@action
def unfollow_work_order(order: WorkOrder, *, actor: Any) -> WorkOrder:
    """Stop following an order (the submitter of an order cannot: they own it)."""
    order = _lock(order)
    deleted, _rows = Subscription.objects.filter(order=order, user_id=getattr(actor, "pk", None) or 0).delete()
    if not deleted:
        raise WorkOrderError(E.NOT_FOLLOWING)
    record_change(order, verb="unfollow", actor=actor, after={"followers": order.subscriptions.count()})
    return order


# --- handling unit ------------------------------------------------------------------------------


def _unit_of(order: WorkOrder) -> Organisation | None:
    return order.lead_organisation


def _working_minutes(start: Any, end: Any) -> int | None:
    """Working time between two moments in whole minutes (for the KPIs), None without a start."""
    if start is None:
        return None
    return max(0, int(calendar.working_time_between(start, end).total_seconds() // 60))


@action
def sign_work_order(order: WorkOrder, *, actor: Any, note: str = "") -> WorkOrder:
    """签收 by the lead unit."""
    order = _lock(order)
    _require(order, "sign")
    before, from_status = snapshot(order), order.status
    order.status, order.signed_at = Status.SIGNED, timezone.now()
    _save(order, ["status", "signed_at"])
    _event(order, EventKind.SIGN, actor, from_status=from_status, note=note, organisation=_unit_of(order))
    record_change(order, verb="sign", actor=actor, before=before)
    return order


@action
def return_work_order(order: WorkOrder, *, actor: Any, reason: str) -> WorkOrder:
    """退单: the unit sends the order back to the dispatcher, only before signing for it."""
    reason = _require_reason(reason)
    order = _lock(order)
    if order.status in (Status.SIGNED, Status.IN_PROGRESS):
        raise WorkOrderError(E.ALREADY_SIGNED)
    _require(order, "return")
    before, from_status, now = snapshot(order), order.status, timezone.now()
    unit = order.lead_organisation
    _end_assignments(order, "returned", now=now)
    order.status, order.lead_organisation, order.returned_at = Status.RETURNED, None, now
    order.return_count += 1
    _save(order, ["status", "lead_organisation", "returned_at", "return_count"])
    _event(order, EventKind.RETURN, actor, from_status=from_status, note=reason, organisation=unit, public=False)
    record_change(order, verb="return", actor=actor, before=before)
    if order.dispatched_by_id:
        notify(
            [order.dispatched_by_id],
            order=order,
            kind=NotificationKind.STATUS,
            message=gettext("Work order %(number)s was returned: %(reason)s")
            % {"number": order.number, "reason": reason},
        )
    return order


@action
def record_first_contact(order: WorkOrder, *, actor: Any, note: str = "") -> WorkOrder:
    """The unit has contacted the resident (首次联系), which the response-rate KPI measures."""
    order = _lock(order)
    _require(order, "contact")
    if order.first_contact_at is not None:
        raise WorkOrderError(E.ILLEGAL_TRANSITION, gettext("The first contact is already recorded."))
    before = snapshot(order)
    order.first_contact_at = timezone.now()
    order.response_minutes = _working_minutes(order.dispatched_at, order.first_contact_at)
    _save(order, ["first_contact_at", "response_minutes"])
    _event(order, EventKind.CONTACT, actor, from_status=order.status, note=note, organisation=_unit_of(order))
    record_change(order, verb="contact", actor=actor, before=before)
    return order


@action
def start_work_order(order: WorkOrder, *, actor: Any, note: str = "") -> WorkOrder:
    """办理中."""
    order = _lock(order)
    _require(order, "start")
    before, from_status = snapshot(order), order.status
    order.status, order.started_at = Status.IN_PROGRESS, timezone.now()
    _save(order, ["status", "started_at"])
    _event(order, EventKind.START, actor, from_status=from_status, note=note, organisation=_unit_of(order))
    record_change(order, verb="start", actor=actor, before=before)
    _tell_resident(order, gettext("Your request %(number)s is being handled.") % {"number": order.number})
    return order


@action
def reply_work_order(order: WorkOrder, *, actor: Any, text: str) -> WorkOrder:
    """已反馈: the unit's answer to the resident. Follow-up and rating windows start now."""
    text = _require_reason(text, field="text")
    order = _lock(order)
    _require(order, "reply")
    before, from_status, now = snapshot(order), order.status, timezone.now()
    order.status, order.replied_at, order.reply_text = Status.REPLIED, now, text
    order.handling_minutes = _working_minutes(order.dispatched_at, now)
    fields = deadlines.apply_reply_deadlines(order, now)
    _save(order, [*fields, "status", "replied_at", "reply_text", "handling_minutes"])
    _event(order, EventKind.REPLY, actor, from_status=from_status, note=text, organisation=_unit_of(order))
    record_change(order, verb="reply", actor=actor, before=before)
    _tell_resident(order, gettext("Your request %(number)s has a reply. Please rate it.") % {"number": order.number})
    return order


@action
def request_extension(order: WorkOrder, *, actor: Any, days: int, reason: str) -> WorkOrder:
    """延期申请, before the reply deadline, at most ``GONGZHI_WORK_ORDER_MAX_EXTENSIONS`` times."""
    reason = _require_reason(reason)
    order = _lock(order)
    if not transitions.allows("request_extension", order.status) or order.extension_status == ExtensionStatus.REQUESTED:
        raise WorkOrderError(E.EXTENSION_NOT_ALLOWED)
    if order.extension_count >= getattr(settings, "GONGZHI_WORK_ORDER_MAX_EXTENSIONS", 1):
        raise WorkOrderError(E.EXTENSION_LIMIT_REACHED)
    if days < 1 or days > getattr(settings, "GONGZHI_WORK_ORDER_MAX_EXTENSION_DAYS", 10):
        raise WorkOrderError(E.EXTENSION_TOO_LONG, field="days")
    if order.reply_due is None or timezone.now() >= order.reply_due:
        raise WorkOrderError(E.EXTENSION_AFTER_DEADLINE)
    before = snapshot(order)
    order.extension_status, order.extension_days, order.extension_reason = ExtensionStatus.REQUESTED, days, reason[:500]
    _save(order, ["extension_status", "extension_days", "extension_reason"])
    _event(
        order,
        EventKind.REQUEST_EXTENSION,
        actor,
        note=reason,
        public=False,
        organisation=_unit_of(order),
        data={"days": days},
    )
    record_change(order, verb="request_extension", actor=actor, before=before)
    if order.dispatched_by_id:
        notify(
            [order.dispatched_by_id],
            order=order,
            kind=NotificationKind.STATUS,
            message=gettext("Extension requested for %(number)s.") % {"number": order.number},
        )
    return order


@action
def decide_extension(order: WorkOrder, *, actor: Any, approve: bool, note: str = "") -> WorkOrder:
    """Approve (the reply deadline moves by the requested working days) or deny."""
    order = _lock(order)
    if order.extension_status != ExtensionStatus.REQUESTED:
        raise WorkOrderError(E.NO_EXTENSION_REQUESTED)
    _require(order, "decide_extension")
    before = snapshot(order)
    fields = ["extension_status"]
    if approve:
        order.extension_status = ExtensionStatus.APPROVED
        order.extension_count += 1
        fields += [
            "extension_count",
            *deadlines.extend_reply_deadline(order, order.extension_days, order.dispatched_at or timezone.now()),
        ]
    else:
        order.extension_status = ExtensionStatus.DENIED
    _save(order, fields)
    kind = EventKind.APPROVE_EXTENSION if approve else EventKind.DENY_EXTENSION
    _event(order, kind, actor, note=note, public=approve, data={"reply_due": order.reply_due.isoformat()})  # type: ignore[union-attr]
    record_change(order, verb="decide_extension", actor=actor, before=before)
    notify(
        unit_recipients([order.lead_organisation_id] if order.lead_organisation_id else []),
        order=order,
        kind=NotificationKind.STATUS,
        message=(
            gettext("Extension approved for %(number)s.") if approve else gettext("Extension denied for %(number)s.")
        )
        % {"number": order.number},
    )
    return order


# --- closing the loop ---------------------------------------------------------------------------


def _reopen(order: WorkOrder, now: Any) -> list[str]:
    _end_assignments(order, "reopened", now=now)
    order.status, order.reopened_at, order.lead_organisation = Status.REOPENED, now, None
    order.reopen_count += 1
    order.review_pending = False
    order.closed_at = None
    order.extension_status = ExtensionStatus.NONE
    return [
        "status",
        "reopened_at",
        "lead_organisation",
        "reopen_count",
        "review_pending",
        "closed_at",
        "extension_status",
    ]


@action
def follow_up_work_order(order: WorkOrder, *, actor: Any, resolved: bool, note: str = "") -> WorkOrder:
    """回访: the dispatcher (or grid worker) asks the resident. Unresolved → 重办 (reopened)."""
    order = _lock(order)
    _require(order, "follow_up")
    before, from_status, now = snapshot(order), order.status, timezone.now()
    order.followed_up_at, order.follow_up_resolved, order.follow_up_note = now, resolved, note[:500]
    fields = ["followed_up_at", "follow_up_resolved", "follow_up_note"]
    if not resolved:
        fields += _reopen(order, now)
    _save(order, fields)
    _event(order, EventKind.FOLLOW_UP, actor, from_status=from_status, note=note, data={"resolved": resolved})
    record_change(order, verb="follow_up", actor=actor, before=before)
    if not resolved:
        _tell_resident(order, gettext("Your request %(number)s will be handled again.") % {"number": order.number})
    return order


@action
def close_work_order(order: WorkOrder, *, actor: Any, note: str = "") -> WorkOrder:
    """已办结."""
    order = _lock(order)
    _require(order, "close")
    before, from_status = snapshot(order), order.status
    order.status, order.closed_at, order.review_pending = Status.CLOSED, timezone.now(), False
    _save(order, ["status", "closed_at", "review_pending"])
    _event(order, EventKind.CLOSE, actor, from_status=from_status, note=note)
    record_change(order, verb="close", actor=actor, before=before)
    _tell_resident(order, gettext("Your request %(number)s is closed.") % {"number": order.number})
    return order


@action
def reopen_work_order(order: WorkOrder, *, actor: Any, reason: str) -> WorkOrder:
    """重办: back to the dispatcher for a new round."""
    reason = _require_reason(reason)
    order = _lock(order)
    _require(order, "reopen")
    before, from_status = snapshot(order), order.status
    _save(order, _reopen(order, timezone.now()))
    _event(order, EventKind.REOPEN, actor, from_status=from_status, note=reason)
    record_change(order, verb="reopen", actor=actor, before=before)
    _tell_resident(order, gettext("Your request %(number)s will be handled again.") % {"number": order.number})
    return order


@action
def rate_work_order(
    order: WorkOrder, *, actor: Any, satisfaction: Satisfaction | str, resolved: bool, comment: str = ""
) -> Rating:
    """The resident rates the reply. Dissatisfied or unresolved → a reviewer decides on reopening."""
    order = _lock(order)
    if not transitions.allows("rate", order.status):
        raise WorkOrderError(E.NOT_RATEABLE)
    if Rating.objects.filter(order=order, round=order.reopen_count).exists():
        raise WorkOrderError(E.ALREADY_RATED)
    satisfaction = Satisfaction(satisfaction)
    before = snapshot(order)
    now = timezone.now()
    rating = Rating.objects.create(
        order=order,
        round=order.reopen_count,
        satisfaction=satisfaction,
        resolved=resolved,
        comment=comment[:1000],
        rated_by=_user(actor),
        created_at=now,
    )
    order.rated_at = now
    order.review_pending = satisfaction == Satisfaction.DISSATISFIED or not resolved
    _save(order, ["rated_at", "review_pending"])
    _event(order, EventKind.RATE, actor, note=comment, data={"satisfaction": satisfaction.value, "resolved": resolved})
    record_change(order, verb="rate", actor=actor, before=before, related=rating)
    if order.review_pending and order.dispatched_by_id:
        notify(
            [order.dispatched_by_id],
            order=order,
            kind=NotificationKind.STATUS,
            message=gettext("The resident is not satisfied with %(number)s: please review.") % {"number": order.number},
        )
    return rating


@action
def review_dissatisfaction(order: WorkOrder, *, actor: Any, uphold: bool, note: str = "") -> WorkOrder:
    """A reviewer decides on a dissatisfied rating: uphold → reopened; otherwise the order closes."""
    order = _lock(order)
    if not order.review_pending:
        raise WorkOrderError(E.NO_REVIEW_PENDING)
    _require(order, "review")
    if uphold:
        _require_reason(note, field="note")
    before, from_status, now = snapshot(order), order.status, timezone.now()
    if uphold:
        fields = _reopen(order, now)
    else:
        order.review_pending = False
        fields = ["review_pending"]
        if order.status == Status.REPLIED:
            order.status, order.closed_at = Status.CLOSED, now
            fields += ["status", "closed_at"]
    _save(order, fields)
    _event(order, EventKind.REVIEW, actor, from_status=from_status, note=note, data={"upheld": uphold})
    record_change(order, verb="review", actor=actor, before=before)
    return order


# --- flags ----------------------------------------------------------------------------------------


@action
def supervise_work_order(order: WorkOrder, *, actor: Any, level: SupervisionLevel | int, note: str = "") -> WorkOrder:
    """催办 / 督办 / 通报 raised by hand (the deadline job raises them automatically)."""
    level = SupervisionLevel(level)
    order = _lock(order)
    _require(order, "supervise")
    if level <= order.supervision_level:
        raise WorkOrderError(E.SUPERVISION_NOT_HIGHER, field="level")
    before = snapshot(order)
    order.supervision_level = level
    _save(order, ["supervision_level"])
    _event(order, EventKind.SUPERVISE, actor, note=note, public=False, data={"level": int(level)})
    record_change(order, verb="supervise", actor=actor, before=before)
    if order.lead_organisation_id:
        kind = NotificationKind.REMINDER if level == SupervisionLevel.REMINDER else NotificationKind.SUPERVISION
        notify(
            unit_recipients([order.lead_organisation_id]),
            order=order,
            kind=kind,
            message=gettext("%(level)s: work order %(number)s") % {"level": level.label, "number": order.number},
        )
    return order


@action
def set_on_hold(order: WorkOrder, *, actor: Any, on_hold: bool, reason: str = "") -> WorkOrder:
    """Put on hold (挂起, e.g. waiting for a court or the resident) or resume. The deadline job skips held orders."""
    if on_hold:
        reason = _require_reason(reason)
    order = _lock(order)
    _require(order, "hold")
    if order.on_hold == on_hold:
        raise WorkOrderError(E.ILLEGAL_TRANSITION, gettext("The order is already in that state."))
    before = snapshot(order)
    now = timezone.now()
    changed: list[str] = []
    paused_minutes = 0
    if not on_hold and order.held_at is not None:
        # The clock stood still while on hold: every open deadline moves by the working time held.
        changed, paused_minutes = deadlines.shift_open_deadlines(order, order.held_at, now)
    order.on_hold, order.hold_reason = on_hold, reason[:300]
    order.held_at = now if on_hold else None
    _save(order, ["on_hold", "hold_reason", "held_at", *changed])
    data: dict[str, Any] = {"paused_working_minutes": paused_minutes} if not on_hold else {}
    if order.reply_due is not None and "reply_due" in changed:
        data["reply_due"] = order.reply_due.isoformat()
    _event(order, EventKind.HOLD if on_hold else EventKind.RESUME, actor, note=reason, data=data)
    record_change(order, verb="hold" if on_hold else "resume", actor=actor, before=before)
    return order


@action
def flag_urgent(order: WorkOrder, *, actor: Any, cues: Sequence[str]) -> WorkOrder:
    """Flag an order urgent because its text mentions danger to life or property (the urgency
    cues of the text layer): sets ``urgency``, shows the cues in the timeline. Once per order:
    an order already flagged this way is refused (``illegal_transition``) and left as it is, so
    a re-run of the caller changes nothing."""
    cues = [str(c)[:60] for c in cues if str(c).strip()][:10]
    if not cues:
        raise WorkOrderError(E.REASON_REQUIRED, field="cues")
    order = _lock(order)
    if order.events.filter(kind=EventKind.FLAG_URGENT).exists():
        raise WorkOrderError(E.ILLEGAL_TRANSITION, gettext("The order is already flagged urgent."))
    _require(order, "flag_urgent")
    before = snapshot(order)
    was = order.urgency
    if order.urgency != Urgency.URGENT:
        order.urgency = Urgency.URGENT
        _save(order, ["urgency"])
    _event(
        order,
        EventKind.FLAG_URGENT,
        actor,
        note=gettext("Urgency cues: %(cues)s") % {"cues": "、".join(cues)},
        data={"cues": cues, "urgency_before": was},
    )
    record_change(order, verb="flag_urgent", actor=actor, before=before)
    return order


@action
def set_attachment_public(attachment: Attachment, *, actor: Any, is_public: bool) -> Attachment:
    """Show (or stop showing) a photo on the public board. Only attachments of an order whose
    submitter allowed the public board; the staff who publish check the photo shows no one."""
    order = _lock(attachment.order)
    _require(order, "publish")
    if is_public and not order.is_public:
        raise WorkOrderError(E.NOT_PUBLIC, field="is_public")
    item = Attachment.objects.select_for_update().get(pk=attachment.pk)
    before = snapshot(item)
    item.is_public = is_public
    item.save(update_fields=["is_public", "updated_at"])
    record_change(item, verb="publish_attachment" if is_public else "unpublish_attachment", actor=actor, before=before)
    return item


@action
def record_export(exporter: Any, *, actor: Any, filters: dict[str, Any], export_format: str) -> None:
    """Bulk reading of work orders is audited: who exported which filtered list, in which
    format (the record is written against the exporting user; the rows are not copied)."""
    details = {"format": export_format, "filters": {k: v for k, v in sorted(filters.items()) if v not in (None, "")}}
    record_change(exporter, verb="export_work_orders", actor=actor, before=None, after=details)


@action
def add_attachment(order: WorkOrder, *, actor: Any, upload: Any, keep_location: bool = False) -> Attachment:
    """A photo or document (≤ 9 per order, checked and re-encoded)."""
    order = _lock(order)
    _require(order, "attach")
    if Attachment.objects.filter(order=order).count() >= max_attachments():
        raise WorkOrderError(E.TOO_MANY_ATTACHMENTS)
    processed = process_upload(upload, keep_location=keep_location)
    event = _event(order, EventKind.ATTACH, actor, note=processed.name)
    attachment = Attachment(
        order=order,
        event=event,
        original_name=str(getattr(upload, "name", processed.name))[:200],
        content_type=processed.content_type,
        size=processed.size,
        width=processed.width,
        height=processed.height,
        kept_location=processed.kept_location,
        uploaded_by=_user(actor),
    )
    attachment.file.save(processed.name, processed.content, save=False)
    attachment.save()
    record_change(attachment, verb="attach", actor=actor, related=order)
    return attachment


# --- the deadline job ---------------------------------------------------------------------------


@runs_actions
def escalate_due_work_orders(*, now: Any = None, actor: Any = None, batch_size: int = 5000) -> EscalationRun:
    """The deadline job: raise the reminders, supervision and public listings that have
    become due (see escalation.py). Not one action but a loop of them: each batch of due
    orders is its own action (:func:`escalate_work_order_batch`: one transaction, one change
    record), so a long catch-up keeps its progress batch by batch and holds its locks for
    one batch only; :func:`finish_escalation_run` then records the run and its totals.

    Index-driven: only orders whose scheduled check has come are read, in batches locked
    with SKIP LOCKED, and each gets its exact next check back. Idempotent and safe with
    concurrent workers: two workers take disjoint batches, and escalations stay unique per
    (order, round, stage, level), inserted with ON CONFLICT DO NOTHING; a batch acts
    (timeline, supervision level, notices) only on the rows it inserted.
    """
    now = now or timezone.now()
    run: EscalationRun | None = None
    counts = dict.fromkeys(escalation.rule_keys(), 0)
    orders = 0
    while escalation.has_due(now):
        run, taken, batch = escalate_work_order_batch(run, now=now, actor=actor, batch_size=batch_size)
        if not taken:  # what is still due is locked by another worker (or an action)
            break
        orders += taken
        for key, n in batch.items():
            counts[key] += n
    return finish_escalation_run(run, now=now, actor=actor, counts=counts, orders=orders)


@action
def escalate_work_order_batch(
    run: EscalationRun | None, *, now: Any, actor: Any = None, batch_size: int = 5000
) -> tuple[EscalationRun, int, dict[str, int]]:
    """One batch of the deadline job: up to ``batch_size`` due orders, committed together.
    Returns the run (created by the first batch), the number of orders taken and the
    escalations raised per rule."""
    run = run or EscalationRun.objects.create(as_of=now, started_at=timezone.now())
    done = escalation.escalate_batch(run, now=now, batch_size=batch_size)
    taken, counts = done if done is not None else (0, dict.fromkeys(escalation.rule_keys(), 0))
    record_change(
        run,
        verb="escalate_batch",
        actor=actor,
        before=None,
        after={"as_of": now.isoformat(), "orders": taken, "counts": counts},
    )
    return run, taken, counts


@action
def finish_escalation_run(
    run: EscalationRun | None, *, now: Any, actor: Any = None, counts: dict[str, int], orders: int = 0
) -> EscalationRun:
    """Close a run of the deadline job with its totals (a run with nothing due is recorded too)."""
    run = run or EscalationRun(as_of=now, started_at=timezone.now())
    run.counts, run.finished_at = counts, timezone.now()
    run.save()
    record_change(
        run,
        verb="escalate",
        actor=actor,
        before=None,
        after={"as_of": now.isoformat(), "orders": orders, "counts": counts},
    )
    return run
