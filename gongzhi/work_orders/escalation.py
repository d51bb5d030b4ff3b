"""The set-based core of the deadline job (called by ``actions.escalate_due_work_orders``).

Rules, per handling round (``dispatch_count``):

- reminder (催办): the sign or reply reminder moment has passed (``*_remind_at``, set at
  dispatch: 20% of the time or one working day left, see deadlines.py);
- supervision (督办): the sign or reply deadline passed one working day ago or more;
- public listing (通报): the reply deadline passed five working days ago or more.

"N working days after the deadline" is turned into one cutoff per run
(``subtract_working_time``), so each rule is a single SQL condition.

Index-driven (helper wodeadline): every open order carries ``next_escalation_at``, the
moment the job must next look at it. The actions set it to a lower bound of the order's
next trigger whenever they change the order (:func:`check_from`); the job reads only the
orders whose moment has come (partial index ``wo_next_escalation``), in batches locked
with ``FOR UPDATE SKIP LOCKED`` so two workers never take the same order, applies every
rule to the batch set-based (``INSERT … SELECT … ON CONFLICT DO NOTHING``, then one
statement each for the timeline events and the notices), and stores each order's exact
next moment (:func:`next_check`) with its supervision level in one UPDATE per batch.
Orders with nothing due are not read at all, so a run every few minutes touches only the
orders that crossed a threshold since the last one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, ExtractDay, ExtractMonth, ExtractYear, JSONObject, LPad
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gongzhi.core import calendar
from gongzhi.work_orders.choices import (
    WITH_UNIT,
    DeadlineStage,
    EventKind,
    NotificationKind,
    Status,
    SupervisionLevel,
)
from gongzhi.work_orders.models import Escalation, EscalationRun, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.notifications import notify_many

NOTICE_CHUNK = 5000

SUPERVISE_AFTER_DAYS = 1
PUBLIC_LISTING_AFTER_DAYS = 5


@dataclass(frozen=True)
class Rule:
    stage: DeadlineStage
    level: SupervisionLevel
    statuses: frozenset[str]
    due_field: str
    trigger: Q

    @property
    def key(self) -> str:
        return f"{self.stage.value}:{self.level.name.lower()}"


def rules(now: dt.datetime) -> list[Rule]:
    day = calendar.working_day_length()
    supervise_days = getattr(settings, "GONGZHI_WORK_ORDER_SUPERVISE_AFTER_DAYS", SUPERVISE_AFTER_DAYS)
    listing_days = getattr(settings, "GONGZHI_WORK_ORDER_PUBLIC_LISTING_AFTER_DAYS", PUBLIC_LISTING_AFTER_DAYS)
    supervise_cutoff = calendar.subtract_working_time(now, day * supervise_days)
    listing_cutoff = calendar.subtract_working_time(now, day * listing_days)
    unsigned = frozenset({Status.DISPATCHED})
    return [
        Rule(DeadlineStage.SIGN, SupervisionLevel.REMINDER, unsigned, "sign_due", Q(sign_remind_at__lte=now)),
        Rule(DeadlineStage.SIGN, SupervisionLevel.SUPERVISION, unsigned, "sign_due", Q(sign_due__lte=supervise_cutoff)),
        Rule(DeadlineStage.REPLY, SupervisionLevel.REMINDER, WITH_UNIT, "reply_due", Q(reply_remind_at__lte=now)),
        Rule(
            DeadlineStage.REPLY,
            SupervisionLevel.SUPERVISION,
            WITH_UNIT,
            "reply_due",
            Q(reply_due__lte=supervise_cutoff),
        ),
        Rule(
            DeadlineStage.REPLY,
            SupervisionLevel.PUBLIC_LISTING,
            WITH_UNIT,
            "reply_due",
            Q(reply_due__lte=listing_cutoff),
        ),
    ]


MESSAGES = {
    SupervisionLevel.REMINDER: gettext_noop("Reminder: work order %(number)s is due soon (%(stage)s)."),
    SupervisionLevel.SUPERVISION: gettext_noop("Supervision: work order %(number)s is overdue (%(stage)s)."),
    SupervisionLevel.PUBLIC_LISTING: gettext_noop(
        "Public listing: work order %(number)s is five working days overdue."
    ),
}
KINDS = {
    SupervisionLevel.REMINDER: NotificationKind.REMINDER,
    SupervisionLevel.SUPERVISION: NotificationKind.SUPERVISION,
    SupervisionLevel.PUBLIC_LISTING: NotificationKind.PUBLIC_LISTING,
}


class _IsoUtc(Func):
    """A timestamp as the text ``datetime.isoformat()`` gives for a UTC value (seconds precision)."""

    output_field = CharField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]  # PostgreSQL
        return super().as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%S+00:00', %(expressions)s)",
            **extra,
        )


def order_number(pk: str, submitted_at: str) -> Concat:
    """SQL for ``WorkOrder.number``: GZ + local submission date + ``-`` + id (at least 6 digits)."""
    tz = timezone.get_current_timezone()
    ymd = (
        ExtractYear(submitted_at, tzinfo=tz) * 10000
        + ExtractMonth(submitted_at, tzinfo=tz) * 100
        + ExtractDay(submitted_at, tzinfo=tz)
    )
    digits = Cast(pk, CharField())
    return Concat(
        Value("GZ"),
        Cast(ymd, CharField()),
        Value("-"),
        Case(When(**{f"{pk}__gte": 10**6}, then=digits), default=LPad(digits, 6, Value("0"))),
        output_field=CharField(),
    )


def _insert_select(model: type[models.Model], columns: list[str], queryset: Any, *, suffix: str = "") -> int:
    """``INSERT INTO model (columns) SELECT …`` with the SELECT compiled by the ORM (so it is
    right on PostgreSQL and SQLite); returns the number of rows inserted. The queryset's
    selected columns must be in the order of ``columns``."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(getattr(model._meta.get_field(c), "column", c))) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql} {suffix}", params)
        return max(cursor.rowcount, 0)


def _select(queryset: Any, **columns: Any) -> Any:
    """The queryset selecting exactly ``columns`` (name -> expression), in that order."""
    return (
        queryset.order_by()
        .annotate(**{f"x_{name}": expr for name, expr in columns.items()})
        .values_list(*[f"x_{name}" for name in columns])
    )


def check_from(order: WorkOrder) -> dt.datetime | None:
    """A lower bound of the moment an escalation can next become due for ``order`` as it is
    now (used by the actions on every change: no calendar arithmetic, the job makes it
    exact). A reminder comes no later than its deadline, and supervision after it, so the
    earliest stored reminder or deadline of a stage that applies is early enough. NULL when
    no rule applies (not with a unit, or on hold)."""
    if order.on_hold or order.status not in WITH_UNIT:
        return None
    stored = [order.reply_remind_at, order.reply_due]
    if order.status == Status.DISPATCHED:
        stored += [order.sign_remind_at, order.sign_due]
    moments = [m for m in stored if m is not None]
    return min(moments) if moments else None


@dataclass(frozen=True)
class Due:
    """The columns of a due order that :func:`next_check` reads."""

    pk: int
    status: str
    on_hold: bool
    round: int
    level: int
    sign_remind_at: dt.datetime | None
    sign_due: dt.datetime | None
    reply_remind_at: dt.datetime | None
    reply_due: dt.datetime | None


DUE_COLUMNS = (
    "pk",
    "status",
    "on_hold",
    "dispatch_count",
    "supervision_level",
    "sign_remind_at",
    "sign_due",
    "reply_remind_at",
    "reply_due",
)


RECHECK = dt.timedelta(minutes=1)


def next_check(order: Due, raised: set[tuple[str, int]], *, now: dt.datetime) -> dt.datetime | None:
    """The moment of the order's earliest rule not yet raised in its round (``raised``:
    (stage, level) pairs). Rules fire in order within a stage, so the calendar is consulted
    only for the first rule of each stage that is still open. A rule whose moment has come
    but that is not raised (it cannot happen while the cutoffs and moments agree) is looked
    at again one minute later rather than dropped."""
    best: dt.datetime | None = None
    for ladder in _ladders(order):
        pending = [level for level in ladder[1] if (ladder[0].value, int(level)) not in raised]
        if not pending:
            continue
        moment = _moment(order, ladder[0], pending[0])
        if moment is None:
            continue
        if moment <= now:
            moment = now + RECHECK
        best = moment if best is None else min(best, moment)
    return best


def _ladders(order: Due) -> list[tuple[DeadlineStage, list[SupervisionLevel]]]:
    """The rules that apply to ``order``, per stage in firing order."""
    if order.on_hold or order.status not in WITH_UNIT:
        return []
    ladders = [
        (
            DeadlineStage.REPLY,
            [SupervisionLevel.REMINDER, SupervisionLevel.SUPERVISION, SupervisionLevel.PUBLIC_LISTING],
        )
    ]
    if order.status == Status.DISPATCHED:
        ladders.append((DeadlineStage.SIGN, [SupervisionLevel.REMINDER, SupervisionLevel.SUPERVISION]))
    return ladders


def _moment(order: Due, stage: DeadlineStage, level: SupervisionLevel) -> dt.datetime | None:
    """When the rule (stage, level) fires for ``order``: the exact inverse of the cutoffs of
    :func:`rules` (``add_working_time(due, d) <= now`` exactly when
    ``due <= subtract_working_time(now, d)``)."""
    if level == SupervisionLevel.REMINDER:
        return order.sign_remind_at if stage == DeadlineStage.SIGN else order.reply_remind_at
    due = order.sign_due if stage == DeadlineStage.SIGN else order.reply_due
    if due is None:
        return None
    if level == SupervisionLevel.SUPERVISION:
        days = getattr(settings, "GONGZHI_WORK_ORDER_SUPERVISE_AFTER_DAYS", SUPERVISE_AFTER_DAYS)
    else:
        days = getattr(settings, "GONGZHI_WORK_ORDER_PUBLIC_LISTING_AFTER_DAYS", PUBLIC_LISTING_AFTER_DAYS)
    return calendar.add_working_time(due, calendar.working_day_length() * days)


def take_due(*, now: dt.datetime, batch_size: int) -> list[Due]:
    """The next ``batch_size`` due orders, locked; rows another worker holds are skipped
    (``SKIP LOCKED``; SQLite has no row locks and runs one writer at a time)."""
    rows = (
        WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list(*DUE_COLUMNS)[:batch_size]
    )
    return [Due(*row) for row in rows]


def apply_rule(run: EscalationRun, rule: Rule, ids: list[int], *, now: dt.datetime) -> int:
    """Raise the rule's escalations for the orders ``ids`` it matches, set-based: one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``, then one statement each for the timeline
    events and the notices of the escalations this run created."""
    already = Escalation.objects.filter(
        order_id=OuterRef("pk"), round=OuterRef("dispatch_count"), stage=rule.stage, level=rule.level
    )
    due = WorkOrder.objects.filter(rule.trigger, pk__in=ids, status__in=rule.statuses, on_hold=False).exclude(
        Exists(already)
    )
    at = Value(now, output_field=DateTimeField())
    rows = _select(
        due,
        order=F("pk"),
        round=F("dispatch_count"),
        stage=Value(rule.stage.value),
        level=Value(int(rule.level)),
        due=F(rule.due_field),
        run=Value(run.pk),
        created=at,
    )
    created = _insert_select(
        Escalation,
        ["order", "round", "stage", "level", "due_at", "run", "created_at"],
        rows,
        suffix="ON CONFLICT DO NOTHING",
    )
    if not created:
        return 0
    mine = Escalation.objects.filter(run=run, stage=rule.stage, level=rule.level, order_id__in=ids)
    events = _select(
        mine,
        order=F("order_id"),
        kind=Value(EventKind.ESCALATE.value),
        created=at,
        actor_label=Value("system"),
        organisation=F("order__lead_organisation_id"),
        from_status=Value(""),
        to_status=Value(""),
        note=Value(""),
        is_public=Value(False),
        data=JSONObject(stage=Value(rule.stage.value), level=Value(int(rule.level)), due=_IsoUtc("due_at")),
    )
    _insert_select(
        WorkOrderEvent,
        [
            "order",
            "kind",
            "created_at",
            "actor_label",
            "organisation",
            "from_status",
            "to_status",
            "note",
            "is_public",
            "data",
        ],
        events,
    )
    _notify(mine, rule)
    return created


def reschedule(run: EscalationRun, batch: list[Due], *, now: dt.datetime) -> None:
    """Store each order's next check time and raise its supervision level to the highest
    escalation this run raised for it, in one statement; rows whose values do not change
    are not rewritten."""
    raised: dict[int, set[tuple[str, int]]] = {}
    top: dict[int, int] = {}
    rounds = {o.pk: o.round for o in batch}
    for order_id, round_, stage, level, run_id in Escalation.objects.filter(order_id__in=list(rounds)).values_list(
        "order_id", "round", "stage", "level", "run_id"
    ):
        if round_ != rounds[order_id]:
            continue
        raised.setdefault(order_id, set()).add((stage, level))
        if run_id == run.pk:
            top[order_id] = max(top.get(order_id, 0), level)
    changes = [
        (o.pk, next_check(o, raised.get(o.pk, set()), now=now), max(o.level, top.get(o.pk, 0)), o.level) for o in batch
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE work_orders_workorder w
                    SET next_escalation_at = v.next_at,
                        supervision_level = v.level,
                        updated_at = CASE WHEN v.level <> w.supervision_level THEN %s ELSE w.updated_at END
                    FROM unnest(%s::bigint[], %s::timestamptz[], %s::smallint[]) AS v(id, next_at, level)
                    WHERE w.id = v.id
                      AND (w.next_escalation_at IS DISTINCT FROM v.next_at OR w.supervision_level <> v.level)""",
                [now, [c[0] for c in changes], [c[1] for c in changes], [c[2] for c in changes]],
            )
        return
    for pk, next_at, level, old in changes:
        fields: dict[str, Any] = {"next_escalation_at": next_at}
        if level != old:
            fields.update(supervision_level=level, updated_at=now)
        WorkOrder.objects.filter(pk=pk).update(**fields)


def run_due(run: EscalationRun, *, now: dt.datetime, batch_size: int) -> dict[str, int]:
    """Apply every rule to the due orders, one locked batch at a time, until none is due.
    Each batch leaves its orders with a next check time after ``now`` (or none), so the
    loop ends; the counts are per rule (``Rule.key``)."""
    the_rules = rules(now)
    counts = {rule.key: 0 for rule in the_rules}
    while batch := take_due(now=now, batch_size=batch_size):
        ids = [o.pk for o in batch]
        for rule in the_rules:
            counts[rule.key] += apply_rule(run, rule, ids, now=now)
        reschedule(run, batch, now=now)
    return counts


def _notify(mine: Any, rule: Rule) -> None:
    """One notice per (recipient, escalation): the active staff of the lead unit, and from
    supervision on also whoever dispatched the order. The (recipient, order, message) rows
    come from one set-based SELECT (the message, order number included, is built in SQL);
    they go to the notifications app (``notify_many``: each recipient's preferences, quiet
    hours, channels) in chunks, so memory stays flat however many orders escalate."""
    before, after = (gettext(MESSAGES[rule.level]) % {"number": "\x00", "stage": str(rule.stage.label)}).split("\x00")
    message = Concat(
        Value(before), order_number("order_id", "order__submitted_at"), Value(after), output_field=CharField()
    )

    def rows(queryset: Any, recipient: str) -> Any:
        return _select(queryset, recipient=F(recipient), order=F("order_id"), message=message)

    notices = rows(
        mine.filter(order__lead_organisation__role_grants__revoked_at__isnull=True),
        "order__lead_organisation__role_grants__user_id",
    )
    if rule.level >= SupervisionLevel.SUPERVISION:
        notices = notices.union(rows(mine.filter(order__dispatched_by__isnull=False), "order__dispatched_by_id"))
    else:
        notices = notices.distinct()
    kind = KINDS[rule.level]
    chunk: list[dict[str, Any]] = []
    for recipient, order, text in notices.iterator(chunk_size=NOTICE_CHUNK):
        chunk.append({"recipient_id": recipient, "order_id": order, "kind": kind, "message": text[:300]})
        if len(chunk) >= NOTICE_CHUNK:
            notify_many(chunk)
            chunk = []
    notify_many(chunk)
