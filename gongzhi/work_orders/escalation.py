"""The deadline job's core (``actions.escalate_due_work_orders`` runs it batch by batch).

Rules, per handling round (``dispatch_count``):

- reminder (催办): the sign or reply reminder moment has passed (``*_remind_at``, set at
  dispatch: 20% of the time or one working day left, see deadlines.py);
- supervision (督办): the sign or reply deadline passed one working day ago or more;
- public listing (通报): the reply deadline passed five working days ago or more.

"N working days after the deadline" is turned into one cutoff per run
(``subtract_working_time``), so each rule is one comparison.

Index-driven: every order that may still escalate has a row in ``WorkOrderSchedule``
with the moment the job must next look at it. The actions set it to a lower bound
whenever they change the order (:func:`schedule`); the job takes only the rows whose
moment has come (index ``wo_schedule_next_check``), in batches locked with
``FOR UPDATE SKIP LOCKED`` so two workers never take the same order, and stores each
order's exact next moment (:func:`next_check`), or deletes the row when nothing is left.
Orders with nothing due are not read at all.

One batch (:func:`escalate_batch`, one transaction, called by an action) costs a fixed
number of statements whatever its size: take and lock the schedule rows; read the orders
and the escalations already raised in their round; decide in Python which rules fire
(plain comparisons) and each order's next moment (``calendar.WorkingDayShift``: constant
time per order); lock the orders that escalate (``SKIP LOCKED``: an order an action is
changing right now is looked at again a minute later); then, on PostgreSQL, one statement
inserts the escalations (``ON CONFLICT DO NOTHING``), their timeline events and raises the
supervision level of the rows that were new, one ``INSERT … SELECT`` writes the notices,
and one statement each rewrites and deletes the schedule rows. SQLite (embedded mode, one
writer) does the same through the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from gongzhi.core import calendar
from gongzhi.notifications import dispatch
from gongzhi.work_orders.choices import (
    WITH_UNIT,
    DeadlineStage,
    EventKind,
    NotificationKind,
    Status,
    SupervisionLevel,
)
from gongzhi.work_orders.models import (
    Escalation,
    EscalationRun,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderSchedule,
)
from gongzhi.work_orders.notifications import (
    URGENT_KINDS,
    kind_key,
    notify_escalations_sql,
    notify_many,
    unit_recipients_by_unit,
)

SUPERVISE_AFTER_DAYS = 1
PUBLIC_LISTING_AFTER_DAYS = 5
#: A rule whose moment has come but that could not be raised now (the order is being
#: changed by an action) is looked at again this much later.
RECHECK = dt.timedelta(minutes=1)


def _supervise_days() -> int:
    return int(getattr(settings, "GONGZHI_WORK_ORDER_SUPERVISE_AFTER_DAYS", SUPERVISE_AFTER_DAYS))


def _listing_days() -> int:
    return int(getattr(settings, "GONGZHI_WORK_ORDER_PUBLIC_LISTING_AFTER_DAYS", PUBLIC_LISTING_AFTER_DAYS))


@dataclass(frozen=True)
class Rule:
    """One rule: it fires for an order in ``statuses`` (not on hold) once its
    ``trigger_field`` is at or before ``cutoff``."""

    stage: DeadlineStage
    level: SupervisionLevel
    statuses: frozenset[str]
    due_field: str
    trigger_field: str
    cutoff: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.stage.value}:{self.level.name.lower()}"

    @cached_property
    def stage_value(self) -> str:
        return str(self.stage.value)

    @cached_property
    def level_value(self) -> int:
        return int(self.level)


def rules(now: dt.datetime) -> list[Rule]:
    day = calendar.working_day_length()
    supervise_cutoff = calendar.subtract_working_time(now, day * _supervise_days())
    listing_cutoff = calendar.subtract_working_time(now, day * _listing_days())
    unsigned = frozenset({Status.DISPATCHED})
    sign, reply = DeadlineStage.SIGN, DeadlineStage.REPLY
    return [
        Rule(sign, SupervisionLevel.REMINDER, unsigned, "sign_due", "sign_remind_at", now),
        Rule(sign, SupervisionLevel.SUPERVISION, unsigned, "sign_due", "sign_due", supervise_cutoff),
        Rule(reply, SupervisionLevel.REMINDER, WITH_UNIT, "reply_due", "reply_remind_at", now),
        Rule(reply, SupervisionLevel.SUPERVISION, WITH_UNIT, "reply_due", "reply_due", supervise_cutoff),
        Rule(reply, SupervisionLevel.PUBLIC_LISTING, WITH_UNIT, "reply_due", "reply_due", listing_cutoff),
    ]


def rule_keys() -> list[str]:
    """The keys of the rules' counts (``Rule.key``), in order."""
    return [
        f"{stage}:{level}"
        for stage, level in (
            ("sign", "reminder"),
            ("sign", "supervision"),
            ("reply", "reminder"),
            ("reply", "supervision"),
            ("reply", "public_listing"),
        )
    ]


def has_due(now: dt.datetime) -> bool:
    """Whether any order's check has come (one index probe)."""
    return WorkOrderSchedule.objects.filter(next_check_at__lte=now).exists()


def backlog_at_least(now: dt.datetime, count: int) -> bool:
    """Whether at least ``count`` orders are due (an index range read that stops at ``count``)."""
    due = WorkOrderSchedule.objects.filter(next_check_at__lte=now).order_by()
    return due[count - 1 : count].exists()


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


def check_from(order: WorkOrder) -> dt.datetime | None:
    """A lower bound of the moment an escalation can next become due for ``order`` as it is
    now (used by the actions on every change: no calendar arithmetic, the job makes it
    exact). A reminder comes no later than its deadline, and supervision after it, so the
    earliest stored reminder or deadline of a stage that applies is early enough. None when
    no rule applies (not with a unit, or on hold)."""
    if order.on_hold or order.status not in WITH_UNIT:
        return None
    stored = [order.reply_remind_at, order.reply_due]
    if order.status == Status.DISPATCHED:
        stored += [order.sign_remind_at, order.sign_due]
    moments = [m for m in stored if m is not None]
    return min(moments) if moments else None


def schedule(order: WorkOrder) -> None:
    """Store :func:`check_from` as the order's next check (one statement; called by the
    actions for every change of an order, under the order's row lock)."""
    moment = check_from(order)
    if moment is None:
        WorkOrderSchedule.objects.filter(order_id=order.pk).delete()
    else:
        WorkOrderSchedule.objects.bulk_create(
            [WorkOrderSchedule(order_id=order.pk, next_check_at=moment)],
            update_conflicts=True,
            unique_fields=["order"],
            update_fields=["next_check_at"],
        )


def next_check_of(order: WorkOrder) -> dt.datetime | None:
    """The order's stored next check (None when it is not scheduled)."""
    return WorkOrderSchedule.objects.filter(order_id=order.pk).values_list("next_check_at", flat=True).first()


@dataclass
class Due:
    """A due order as the job reads it."""

    pk: int
    status: str
    on_hold: bool
    round: int
    level: int
    sign_remind_at: dt.datetime | None
    sign_due: dt.datetime | None
    reply_remind_at: dt.datetime | None
    reply_due: dt.datetime | None
    lead_organisation_id: int | None
    dispatched_by_id: int | None
    submitted_at: dt.datetime | None
    raised: set[tuple[str, int]] = field(default_factory=set)

    @property
    def number(self) -> str:
        """``WorkOrder.number``, computed only for the orders a notice names."""
        return WorkOrder.format_number(self.pk, self.submitted_at)


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
    "lead_organisation_id",
    "dispatched_by_id",
    "submitted_at",
)


class Moments:
    """When each rule fires for an order: the exact inverse of the cutoffs of :func:`rules`
    (``add_working_time(due, d) <= now`` exactly when ``due <= subtract_working_time(now, d)``),
    computed with one ``WorkingDayShift`` per rule, so a batch of thousands costs
    microseconds per order."""

    def __init__(self) -> None:
        self.supervise = calendar.WorkingDayShift(_supervise_days())
        self.listing = calendar.WorkingDayShift(_listing_days())

    def of(self, order: Due, stage: DeadlineStage, level: SupervisionLevel) -> dt.datetime | None:
        if level == SupervisionLevel.REMINDER:
            return order.sign_remind_at if stage == DeadlineStage.SIGN else order.reply_remind_at
        due = order.sign_due if stage == DeadlineStage.SIGN else order.reply_due
        if due is None:
            return None
        return self.supervise(due) if level == SupervisionLevel.SUPERVISION else self.listing(due)


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


def next_check(order: Due, *, now: dt.datetime, moments: Moments) -> dt.datetime | None:
    """The moment of the order's earliest rule not yet raised in its round
    (``order.raised``: (stage, level) pairs). Rules fire in order within a stage, so only
    the first rule of each stage that is still open is looked at. A rule whose moment has
    come but that is not raised (the cutoffs and moments agree, so only when the order
    could not be locked) is looked at again one minute later rather than dropped."""
    best: dt.datetime | None = None
    for stage, ladder in _ladders(order):
        pending = [level for level in ladder if (stage.value, int(level)) not in order.raised]
        if not pending:
            continue
        moment = moments.of(order, stage, pending[0])
        if moment is None:
            continue
        if moment <= now:
            moment = now + RECHECK
        best = moment if best is None else min(best, moment)
    return best


def _pg_array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of ids, small numbers, datetimes or plain words (no
    spaces, quotes, commas or braces), sent as one string parameter and cast in SQL:
    psycopg's client-side binding quotes a Python list element by element in Python
    (regular expressions per element: a sixth of the job's Python time, measured)."""
    return (
        "{"
        + ",".join("NULL" if v is None else v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in values)
        + "}"
    )


def _among(ids: list[int], column: str = "id") -> Any:
    """``column IN ids`` as one array parameter on PostgreSQL (a list of thousands of
    parameters costs more to send than the query to run)."""
    if connection.vendor == "postgresql":
        sql = f"{connection.ops.quote_name(column)} = ANY(%s::bigint[])"
        return RawSQL(sql, (_pg_array(ids),), output_field=BooleanField())  # noqa: S611 (a column name of ours, ids as a parameter)
    return Q(**{f"{'pk' if column == 'id' else column}__in": ids})


def take_due(*, now: dt.datetime, batch_size: int) -> list[int]:
    """Ids of the next ``batch_size`` due orders, their schedule rows locked; rows another
    worker (or an action) holds are skipped (SQLite has no row locks and one writer)."""
    return list(
        WorkOrderSchedule.objects.select_for_update(skip_locked=True)
        .filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("order_id", flat=True)[:batch_size]
    )


def _rows(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset, fetched with a plain cursor (the ORM's
    per-row iteration was a tenth of a batch's time). SQLite needs the ORM's converters
    (it stores datetimes as text).

    On PostgreSQL the cursor parses ``timestamptz`` with psycopg's own loader (C in
    psycopg[binary]) instead of Django's, a pure-Python subclass that psycopg cannot
    replace by its C version: 21 µs per value under cProfile, five per due order, about
    half of the job's Python time (measured). Both give the same instant in UTC."""
    if connection.vendor != "postgresql":
        return list(queryset)
    from psycopg.types.datetime import TimestamptzLoader

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_due(ids: list[int]) -> list[Due]:
    """The orders and what was already raised in their current round (two queries). Read
    after their schedule rows are locked: an action changing one of them must rewrite its
    schedule row, so it either committed before (and is seen here) or waits for this batch."""
    orders = WorkOrder.objects.filter(_among(ids)).order_by()
    found = {row[0]: Due(*row) for row in _rows(orders.values_list(*DUE_COLUMNS))}
    raised = Escalation.objects.filter(_among(ids, "order_id")).order_by()
    for order_id, round_, stage, level in _rows(raised.values_list("order_id", "round", "stage", "level")):
        order = found.get(order_id)
        if order is not None and round_ == order.round:
            order.raised.add((stage, level))
    return list(found.values())


class Raise(NamedTuple):
    """An escalation the batch raises."""

    order: Due
    rule: Rule
    due_at: dt.datetime


def fired(order: Due, the_rules: list[Rule]) -> list[Raise]:
    """The rules that fire for ``order`` now and are not raised yet in its round."""
    if order.on_hold:
        return []
    found = []
    for rule in the_rules:
        if order.status not in rule.statuses or (rule.stage_value, rule.level_value) in order.raised:
            continue
        trigger = getattr(order, rule.trigger_field)
        due = getattr(order, rule.due_field)
        if trigger is not None and due is not None and trigger <= rule.cutoff:
            found.append(Raise(order, rule, due))
    return found


def lock_orders(ids: Iterable[int]) -> set[int]:
    """Lock the order rows about to escalate; rows an action holds are skipped (never
    waited for: the action may be waiting for this batch's schedule rows)."""
    wanted = sorted(ids)
    if not wanted:
        return set()
    return set(
        WorkOrder.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(_among(wanted))
        .order_by()
        .values_list("pk", flat=True)
    )


def check_run(run: EscalationRun) -> None:
    """The foreign key of the batch's escalations to their run, checked once per batch
    (``Escalation.run`` has no database constraint): the run row must exist, and on
    PostgreSQL it is locked FOR KEY SHARE, as the foreign-key trigger would lock it for
    every row, so it cannot be deleted before the batch commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM work_orders_escalationrun WHERE id = %s FOR KEY SHARE", [run.pk])
            found = cursor.fetchone() is not None
    else:
        found = EscalationRun.objects.filter(pk=run.pk).exists()
    if not found:
        raise IntegrityError(f"escalation run {run.pk} does not exist")


def escalate_batch(run: EscalationRun, *, now: dt.datetime, batch_size: int) -> tuple[int, dict[str, int]] | None:
    """One batch of the job, in the caller's transaction: (orders taken, escalations
    raised per rule), or None when nothing is due.

    The escalations' two references have no foreign-key constraint (see ``Escalation``):
    they are checked here once per batch. The run by :func:`check_run`; the orders by
    :func:`lock_orders` — an escalation is written only for an order row this transaction
    holds locked (it exists and cannot be deleted before the commit) — and, again, by the
    foreign key of the timeline event written with every escalation."""
    ids = take_due(now=now, batch_size=batch_size)
    if not ids:
        return None
    check_run(run)
    the_rules = rules(now)
    orders = read_due(ids)
    raises = [r for order in orders for r in fired(order, the_rules)]
    wanted = {r.order.pk for r in raises}
    busy = wanted - lock_orders(wanted)
    raises = [r for r in raises if r.order.pk not in busy]
    created = _write(run, raises, now=now)
    counts = {rule.key: 0 for rule in the_rules}
    for r in created:
        counts[r.rule.key] += 1
    for r in raises:  # raised now, by this batch or (a conflict) by another worker just before
        r.order.raised.add((r.rule.stage_value, r.rule.level_value))
    moments = Moments()
    later = now + RECHECK
    nexts = {o.pk: later if o.pk in busy else next_check(o, now=now, moments=moments) for o in orders}
    for pk in set(ids) - nexts.keys():  # the order is gone: nothing to check
        nexts[pk] = None
    _reschedule(nexts)
    return len(ids), counts


def _message_parts() -> dict[tuple[str, int], tuple[str, str]]:
    """(text before the order number, text after it) per (stage, level), translated once."""
    parts = {}
    for stage in DeadlineStage:
        for level in (SupervisionLevel.REMINDER, SupervisionLevel.SUPERVISION, SupervisionLevel.PUBLIC_LISTING):
            text = gettext(MESSAGES[level]) % {"number": "\x00", "stage": str(stage.label)}
            before, after = text.split("\x00")
            parts[(stage.value, int(level))] = (before, after)
    return parts


def _write(run: EscalationRun, raises: list[Raise], *, now: dt.datetime) -> list[Raise]:
    """Insert the escalations (those another worker raised first are skipped), their
    timeline events, the raised supervision levels and the notices; returns the
    escalations this batch created."""
    if not raises:
        return []
    if connection.vendor == "postgresql":
        return _write_postgresql(run, raises, now=now)
    return _write_orm(run, raises, now=now)


ESCALATE_SQL = """
WITH raise(order_id, round, stage, level, due_at, organisation_id) AS (
    SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::text[], %s::smallint[], %s::timestamptz[], %s::bigint[])
), created AS (
    INSERT INTO work_orders_escalation (order_id, round, stage, level, due_at, run_id, created_at)
    SELECT order_id, round, stage, level, due_at, %s, %s FROM raise
    ON CONFLICT DO NOTHING
    RETURNING order_id, stage, level, due_at
), events AS (
    INSERT INTO work_orders_workorderevent
        (order_id, kind, created_at, actor_label, organisation_id, from_status, to_status, note, is_public, data)
    SELECT c.order_id, %s, %s, 'system', r.organisation_id, '', '', '', false,
           jsonb_build_object('stage', c.stage, 'level', c.level,
                              'due', to_char(c.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
    FROM created c JOIN raise r USING (order_id, stage, level)
), levels AS (
    UPDATE work_orders_workorder w SET supervision_level = top.level, updated_at = %s
    FROM (SELECT order_id, max(level) AS level FROM created GROUP BY order_id) top
    WHERE w.id = top.order_id AND w.supervision_level < top.level
)
SELECT order_id, stage, level FROM created
"""

# One notice per (recipient, escalation): the active staff of the lead unit, and from
# supervision on also whoever dispatched the order (UNION: once if they are both); except
# for the (recipient, kind) pairs the batch summarises in one notice (see _summarise).
NOTICES_SQL = """
WITH summarised(user_id, kind) AS (SELECT * FROM unnest(%s::bigint[], %s::text[]))
SELECT n.* FROM (
    SELECT g.user_id, e.order_id, e.kind, e.title
    FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS e(order_id, organisation_id, kind, title)
    JOIN unnest(%s::bigint[], %s::bigint[]) AS g(organisation_id, user_id) ON g.organisation_id = e.organisation_id
    UNION
    SELECT e.dispatcher_id, e.order_id, e.kind, e.title
    FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS e(order_id, dispatcher_id, kind, title)
    WHERE e.dispatcher_id IS NOT NULL
) n
WHERE NOT EXISTS (SELECT 1 FROM summarised s WHERE s.user_id = n.user_id AND s.kind = n.kind)
"""

#: More notices of one kind than this for one recipient in one batch are replaced by one
#: summary notice (``GONGZHI_WORK_ORDER_NOTICE_SUMMARY_AFTER``; 0 = never summarise).
SUMMARY_AFTER = 20
#: Order numbers listed in a summary's text (the rest are counted).
SUMMARY_LISTED = 100
SUMMARY_TITLES = {
    SupervisionLevel.REMINDER: gettext_noop("Reminder: %(count)s work orders are due soon."),
    SupervisionLevel.SUPERVISION: gettext_noop("Supervision: %(count)s work orders are overdue."),
    SupervisionLevel.PUBLIC_LISTING: gettext_noop(
        "Public listing: %(count)s work orders are five working days overdue."
    ),
}
SUMMARY_MORE = gettext_noop("and %(count)s more")
#: The inbox a summary links to, per level.
SUMMARY_INBOX = {
    SupervisionLevel.REMINDER: "due_soon",
    SupervisionLevel.SUPERVISION: "overdue",
    SupervisionLevel.PUBLIC_LISTING: "overdue",
}


def summary_after() -> int:
    return int(getattr(settings, "GONGZHI_WORK_ORDER_NOTICE_SUMMARY_AFTER", SUMMARY_AFTER))


def _unsummarised_recipient(r: Raise, staff: dict[int, set[int]], summarised: set[tuple[int, str]]) -> bool:
    """Whether some recipient of ``r``'s notice is not covered by a summary."""
    kind = KINDS[r.rule.level].value
    unit = r.order.lead_organisation_id
    users = staff.get(unit, set()) if unit is not None else set()
    if any((user, kind) not in summarised for user in users):
        return True
    dispatcher = r.order.dispatched_by_id
    return (
        r.rule.level >= SupervisionLevel.SUPERVISION and dispatcher is not None and (dispatcher, kind) not in summarised
    )


def _summarise(run: EscalationRun, created: list[Raise], staff: dict[int, set[int]]) -> list[tuple[int, str]]:
    """Write one summary notice per (recipient, kind) that would get more than
    :func:`summary_after` notices from this batch (a catch-up raises thousands per unit:
    one notice each is noise to the recipient and most of the job's writes), and return
    those (recipient, kind) pairs so the per-order notices skip them. The summary counts the
    escalations, lists their order numbers (up to ``SUMMARY_LISTED``), links to the unit's
    inbox and is about the run; the per-order escalations and timeline events are written
    as always. The recipients are exactly those of the per-order notices."""
    threshold = summary_after()
    if threshold <= 0:
        return []
    per: dict[tuple[int, str], list[Raise]] = {}
    for r in created:
        kind = KINDS[r.rule.level].value
        unit = r.order.lead_organisation_id
        users = staff.get(unit, set()) if unit is not None else set()
        for user in users:
            per.setdefault((user, kind), []).append(r)
        dispatcher = r.order.dispatched_by_id
        if r.rule.level >= SupervisionLevel.SUPERVISION and dispatcher is not None and dispatcher not in users:
            per.setdefault((dispatcher, kind), []).append(r)
    many = {key: raises for key, raises in per.items() if len(raises) > threshold}
    if not many:
        return []
    base = reverse("work_orders:inbox")
    drafts = []
    for (user, kind), raises in sorted(many.items()):
        level = raises[0].rule.level
        orders = sorted({r.order.pk: r.order for r in raises}.items())
        body = ", ".join(order.number for _pk, order in orders[:SUMMARY_LISTED])
        if len(orders) > SUMMARY_LISTED:
            body += " " + gettext(SUMMARY_MORE) % {"count": len(orders) - SUMMARY_LISTED}
        drafts.append(
            dispatch.Draft(
                recipient_id=user,
                kind=kind_key(kind),
                title=gettext(SUMMARY_TITLES[level]) % {"count": len(orders)},
                body=body,
                url=f"{base}?inbox={SUMMARY_INBOX[level]}",
                source_type_id=ContentType.objects.get_for_model(EscalationRun).pk,
                source_id=run.pk,
                urgent=KINDS[level] in URGENT_KINDS,
            )
        )
    dispatch.notify_many(drafts)
    return sorted(many)


def _write_postgresql(run: EscalationRun, raises: list[Raise], *, now: dt.datetime) -> list[Raise]:
    with connection.cursor() as cursor:
        cursor.execute(
            ESCALATE_SQL,
            [
                _pg_array(r.order.pk for r in raises),
                _pg_array(r.order.round for r in raises),
                _pg_array(r.rule.stage_value for r in raises),
                _pg_array(r.rule.level_value for r in raises),
                _pg_array(r.due_at for r in raises),
                _pg_array(r.order.lead_organisation_id for r in raises),
                run.pk,
                now,
                EventKind.ESCALATE.value,
                now,
                now,
            ],
        )
        new = {(order_id, stage, level) for order_id, stage, level in cursor.fetchall()}
    created = [r for r in raises if (r.order.pk, r.rule.stage.value, int(r.rule.level)) in new]
    if not created:
        return created
    staff = unit_recipients_by_unit(
        {r.order.lead_organisation_id for r in created if r.order.lead_organisation_id is not None}
    )
    summarised = set(_summarise(run, created, staff))
    # The escalations someone still gets a notice of their own about (in a catch-up, few or none).
    single = [r for r in created if _unsummarised_recipient(r, staff, summarised)]
    if not single:
        return created
    parts = _message_parts()
    titles = []
    for r in single:
        before, after = parts[(r.rule.stage.value, int(r.rule.level))]
        titles.append(f"{before}{r.order.number}{after}"[:300])
    units = {r.order.lead_organisation_id for r in single}
    grants = [(unit, user) for unit, users in staff.items() if unit in units for user in users]
    supervised = [(r, t) for r, t in zip(single, titles, strict=True) if r.rule.level >= SupervisionLevel.SUPERVISION]
    recipients = {user for _unit, user in grants} | {
        r.order.dispatched_by_id for r, _t in supervised if r.order.dispatched_by_id is not None
    }
    notify_escalations_sql(
        NOTICES_SQL,
        [
            [user for user, _kind in sorted(summarised)],
            [kind for _user, kind in sorted(summarised)],
            [r.order.pk for r in single],
            [r.order.lead_organisation_id for r in single],
            [KINDS[r.rule.level].value for r in single],
            titles,
            [unit for unit, _user in grants],
            [user for _unit, user in grants],
            [r.order.pk for r, _t in supervised],
            [r.order.dispatched_by_id for r, _t in supervised],
            [KINDS[r.rule.level].value for r, _t in supervised],
            [t for _r, t in supervised],
        ],
        recipients=recipients,
        kinds=set(KINDS.values()),
    )
    return created


def _write_orm(run: EscalationRun, raises: list[Raise], *, now: dt.datetime) -> list[Raise]:
    """The same through the ORM, for SQLite (one writer at a time, so what is not raised
    yet when read is created now)."""
    Escalation.objects.bulk_create(
        [
            Escalation(
                order_id=r.order.pk,
                round=r.order.round,
                stage=r.rule.stage,
                level=r.rule.level,
                due_at=r.due_at,
                run=run,
                created_at=now,
            )
            for r in raises
        ],
        ignore_conflicts=True,
    )
    WorkOrderEvent.objects.bulk_create(
        [
            WorkOrderEvent(
                order_id=r.order.pk,
                kind=EventKind.ESCALATE,
                created_at=now,
                actor_label="system",
                organisation_id=r.order.lead_organisation_id,
                is_public=False,
                data={
                    "stage": r.rule.stage.value,
                    "level": int(r.rule.level),
                    "due": r.due_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                },
            )
            for r in raises
        ]
    )
    top: dict[int, int] = {}
    for r in raises:
        top[r.order.pk] = max(top.get(r.order.pk, 0), int(r.rule.level))
    for pk, level in top.items():
        WorkOrder.objects.filter(pk=pk, supervision_level__lt=level).update(supervision_level=level, updated_at=now)
    parts = _message_parts()
    staff = unit_recipients_by_unit(
        {r.order.lead_organisation_id for r in raises if r.order.lead_organisation_id is not None}
    )
    summarised = set(_summarise(run, raises, staff))
    rows = []
    for r in raises:
        before, after = parts[(r.rule.stage.value, int(r.rule.level))]
        users = set(staff.get(r.order.lead_organisation_id, ()))  # type: ignore[arg-type]
        if r.rule.level >= SupervisionLevel.SUPERVISION and r.order.dispatched_by_id is not None:
            users.add(r.order.dispatched_by_id)
        message = f"{before}{r.order.number}{after}"[:300]
        kind = KINDS[r.rule.level]
        rows += [
            {"recipient_id": u, "order_id": r.order.pk, "kind": kind, "message": message}
            for u in sorted(users)
            if (u, kind.value) not in summarised
        ]
    notify_many(rows)
    return raises


def _reschedule(nexts: dict[int, dt.datetime | None]) -> None:
    """Store each taken order's next check, or delete its row when nothing is left (two
    statements on PostgreSQL)."""
    later = {pk: at for pk, at in nexts.items() if at is not None}
    done = [pk for pk, at in nexts.items() if at is None]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if later:
                cursor.execute(
                    """UPDATE work_orders_workorderschedule s SET next_check_at = v.next_at
                       FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(order_id, next_at)
                       WHERE s.order_id = v.order_id""",
                    [_pg_array(later), _pg_array(later.values())],
                )
            if done:
                cursor.execute(
                    "DELETE FROM work_orders_workorderschedule WHERE order_id = ANY(%s::bigint[])", [_pg_array(done)]
                )
        return
    for pk, at in later.items():
        WorkOrderSchedule.objects.filter(order_id=pk).update(next_check_at=at)
    WorkOrderSchedule.objects.filter(order_id__in=done).delete()
