"""The set-based core of the deadline job (called by ``actions.escalate_due_work_orders``).

Rules, per handling round (``dispatch_count``):

- reminder (催办): the sign or reply reminder moment has passed (``*_remind_at``, set at
  dispatch: 20% of the time or one working day left, see deadlines.py);
- supervision (督办): the sign or reply deadline passed one working day ago or more;
- public listing (通报): the reply deadline passed five working days ago or more.

"N working days after the deadline" is turned into one cutoff per run
(``subtract_working_time``), so each rule is a single indexed range query. The work is
set-based SQL: escalations are inserted by ``INSERT … SELECT … ON CONFLICT DO NOTHING`` over
id ranges, and the timeline events, supervision levels and notices of the escalations a
run created follow in one statement each; no order passes through Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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
    Max,
    Min,
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


def _id_ranges(rule: Rule, batch_size: int) -> Iterator[tuple[int, int]]:
    bounds = WorkOrder.objects.filter(status__in=rule.statuses).aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    lo = bounds["lo"]
    while lo <= bounds["hi"]:
        yield lo, lo + batch_size
        lo += batch_size


def apply_rule(run: EscalationRun, rule: Rule, *, now: dt.datetime, batch_size: int) -> int:
    """Raise the rule's escalations for every order it matches, set-based: one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per range of ``batch_size`` ids, then one
    statement each for the timeline events and the notices of the escalations this run
    created (rows another worker created first carry its run id). The supervision levels
    follow once for all rules (:func:`raise_levels`)."""
    already = Escalation.objects.filter(
        order_id=OuterRef("pk"), round=OuterRef("dispatch_count"), stage=rule.stage, level=rule.level
    )
    due = WorkOrder.objects.filter(rule.trigger, status__in=rule.statuses, on_hold=False).exclude(Exists(already))
    at = Value(now, output_field=DateTimeField())
    created = 0
    for lo, hi in _id_ranges(rule, batch_size):
        rows = _select(
            due.filter(pk__gte=lo, pk__lt=hi),
            order=F("pk"),
            round=F("dispatch_count"),
            stage=Value(rule.stage.value),
            level=Value(int(rule.level)),
            due=F(rule.due_field),
            run=Value(run.pk),
            created=at,
        )
        created += _insert_select(
            Escalation,
            ["order", "round", "stage", "level", "due_at", "run", "created_at"],
            rows,
            suffix="ON CONFLICT DO NOTHING",
        )
    if not created:
        return 0
    mine = Escalation.objects.filter(run=run, stage=rule.stage, level=rule.level)
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


def raise_levels(run: EscalationRun, *, now: dt.datetime) -> None:
    """Set each order's supervision level to the highest escalation this run raised for it,
    highest level first, so every order row is updated at most once per run (an UPDATE
    rewrites the row and all its index entries: the costly part of the job)."""
    for level in sorted(SupervisionLevel, reverse=True):
        if level == SupervisionLevel.NONE:
            continue
        raised = Escalation.objects.filter(run=run, level=level).values("order_id")
        WorkOrder.objects.filter(pk__in=raised, supervision_level__lt=level).update(
            supervision_level=level, updated_at=now
        )


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
