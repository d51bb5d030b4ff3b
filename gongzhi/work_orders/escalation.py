"""The set-based core of the deadline job (called by ``actions.escalate_due_work_orders``).

Rules, per handling round (``dispatch_count``):

- reminder (催办): the sign or reply reminder moment has passed (``*_remind_at``, set at
  dispatch: 20% of the time or one working day left, see deadlines.py);
- supervision (督办): the sign or reply deadline passed one working day ago or more;
- public listing (通报): the reply deadline passed five working days ago or more.

"N working days after the deadline" is turned into one cutoff per run
(``subtract_working_time``), so each rule is a single indexed range query; orders are
walked in id order in batches, and each batch is a handful of bulk statements.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, gettext_noop

from gongzhi.access.models import RoleGrant
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


def _candidates(
    rule: Rule, batch_size: int
) -> Iterator[list[tuple[int, int, dt.datetime, int | None, int | None, dt.datetime]]]:
    already = Escalation.objects.filter(
        order_id=OuterRef("pk"), round=OuterRef("dispatch_count"), stage=rule.stage, level=rule.level
    )
    base = (
        WorkOrder.objects.filter(rule.trigger, status__in=rule.statuses, on_hold=False)
        .exclude(Exists(already))
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(
            base.filter(pk__gt=last).values_list(
                "pk", "dispatch_count", rule.due_field, "lead_organisation_id", "dispatched_by_id", "submitted_at"
            )[:batch_size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _unit_staff(org_ids: set[int]) -> dict[int, list[int]]:
    staff: dict[int, list[int]] = defaultdict(list)
    rows = RoleGrant.objects.filter(organisation_id__in=org_ids, revoked_at__isnull=True).values_list(
        "organisation_id", "user_id"
    )
    for org_id, user_id in rows:
        staff[org_id].append(user_id)
    return staff


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


def apply_rule(run: EscalationRun, rule: Rule, *, now: dt.datetime, batch_size: int) -> int:
    created_total = 0
    for batch in _candidates(rule, batch_size):
        Escalation.objects.bulk_create(
            [
                Escalation(
                    order_id=pk, round=rnd, stage=rule.stage, level=rule.level, due_at=due, run=run, created_at=now
                )
                for pk, rnd, due, _org, _by, _at in batch
            ],
            ignore_conflicts=True,
            batch_size=batch_size,
        )
        mine = set(
            Escalation.objects.filter(
                run=run, stage=rule.stage, level=rule.level, order_id__in=[row[0] for row in batch]
            ).values_list("order_id", flat=True)
        )
        if not mine:
            continue
        created_total += len(mine)
        rows = [row for row in batch if row[0] in mine]
        WorkOrder.objects.filter(pk__in=mine, supervision_level__lt=rule.level).update(
            supervision_level=rule.level, updated_at=now
        )
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(
                    order_id=pk,
                    kind=EventKind.ESCALATE,
                    created_at=now,
                    actor_label="system",
                    organisation_id=org,
                    is_public=False,
                    data={"stage": rule.stage.value, "level": int(rule.level), "due": due.isoformat()},
                )
                for pk, _rnd, due, org, _by, _at in rows
            ],
            batch_size=batch_size,
        )
        staff = _unit_staff({row[3] for row in rows if row[3]})
        notices = []
        for pk, _rnd, _due, org, by, submitted_at in rows:
            recipients = set(staff.get(org, [])) if org else set()
            if rule.level >= SupervisionLevel.SUPERVISION and by:
                recipients.add(by)
            number = WorkOrder(pk=pk, submitted_at=submitted_at).number
            message = gettext(MESSAGES[rule.level]) % {"number": number, "stage": rule.stage.label}
            notices += [
                {"recipient_id": uid, "order_id": pk, "kind": KINDS[rule.level], "message": message[:300]}
                for uid in sorted(recipients)
            ]
        notify_many(notices)
    return created_total
