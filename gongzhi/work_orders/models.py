"""Work orders (工单): residents' requests handled in a closed loop, with their timeline,
assignments to units, attachments, ratings, deadline policies and escalations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.choices import ORGANISATION_SCOPED_ROLES
from gongzhi.accounts.models import mask_phone
from gongzhi.core.models import ScopedModel, TimeStampedModel
from gongzhi.core.scoping import RestrictedManager, ScopeSpec
from gongzhi.work_orders.choices import (
    WITH_UNIT,
    AssignmentRole,
    Channel,
    DeadlineStage,
    DurationUnit,
    EventKind,
    ExtensionStatus,
    OrderType,
    Satisfaction,
    Status,
    SupervisionLevel,
    Urgency,
)

NUMBER_RE = re.compile(r"^GZ(\d{8})-(\d{6,})$")


def _assisting_unit(grant: Any, verb: str) -> Q | None:
    """Organisation-scoped roles also see orders their unit assists on (协办)."""
    if grant.role not in ORGANISATION_SCOPED_ROLES or not grant.organisation_id:
        return None
    assisting = Assignment.objects.filter(
        order_id=OuterRef("pk"),
        organisation_id=grant.organisation_id,
        role=AssignmentRole.ASSIST,
        ended_at__isnull=True,
    )
    q = Q(Exists(assisting))
    if grant.area_path:
        q &= Q(area_path__startswith=grant.area_path)
    return q


# What the staff-inbox indexes carry besides their keys (the scope and deadline filters read
# them), and the open states they cover: shared by ``wo_open_inbox`` and ``wo_inbox_urgency_order``.
_INBOX_COLUMNS = [
    "area_path",
    "submitter",
    "lead_organisation",
    "sign_due",
    "reply_due",
    "reply_remind_at",
    "followed_up_at",
    "on_hold",
]
_OPEN = ~Q(status__in=[Status.CLOSED, Status.REJECTED, Status.MERGED])


class WorkOrder(ScopedModel):
    """A request from a resident (or a grid worker's report) and everything done about it.

    The number (``GZ20261128-000123``) is derived from the local creation date and the
    id, so creating an order needs no counter row. ``area_path`` copies the area's path
    for scoping; ``lead_organisation`` is the unit currently handling it (主办).
    """

    order_type = models.CharField(_("type"), max_length=16, choices=OrderType.choices)
    category = models.ForeignKey(
        "organisations.MatterCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,  # covered by wo_category_dispatched / wo_category_closed (category first)
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000)

    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "territory.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    room = models.ForeignKey(
        "territory.Room", verbose_name=_("room"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_work_orders",
        db_index=False,  # covered by wo_submitter / wo_submitter_closed (submitter first)
        help_text=_("The resident who raised it; empty for anonymous reports and patrol reports."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    is_public = models.BooleanField(_("may appear on the public board"), default=False)
    # Anonymous (匿名): the submitter's identity is kept for the submitter's own view and
    # follow-up, but hidden from everyone handling the order; the contact is shown masked.
    # db_default: rows written by raw SQL (bench loaders, imports) get False too.
    is_anonymous = models.BooleanField(_("anonymous"), default=False, db_default=False)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_work_orders",
        db_index=False,  # covered by wo_lead_status (lead_organisation first)
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    master = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )

    # Deadlines, computed at dispatch from the DeadlinePolicy on the working-day calendar.
    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True)
    sign_remind_at = models.DateTimeField(_("sign reminder at"), null=True, blank=True)
    contact_due = models.DateTimeField(_("contact resident by"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply by"), null=True, blank=True)
    reply_remind_at = models.DateTimeField(_("reply reminder at"), null=True, blank=True)
    follow_up_due = models.DateTimeField(_("follow up by"), null=True, blank=True)
    rating_due = models.DateTimeField(_("rating window ends"), null=True, blank=True)

    # When each step happened (first dispatch keeps the clock start for KPIs).
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)

    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    reply_text = models.TextField(_("reply"), max_length=4000, blank=True)
    follow_up_resolved = models.BooleanField(_("resolved (follow-up)"), null=True, blank=True)
    follow_up_note = models.CharField(_("follow-up note"), max_length=500, blank=True)
    review_pending = models.BooleanField(_("dissatisfaction awaiting review"), default=False)

    # Flags and counters (KPIs count them without reading the timeline).
    supervision_level = models.PositiveSmallIntegerField(
        _("supervision level"), choices=SupervisionLevel.choices, default=SupervisionLevel.NONE
    )
    on_hold = models.BooleanField(_("on hold"), default=False)
    hold_reason = models.CharField(_("reason for hold"), max_length=300, blank=True)
    # When the current hold began: on resume the open deadlines move by the working time since.
    held_at = models.DateTimeField(_("on hold since"), null=True, blank=True)
    extension_status = models.CharField(
        _("extension"), max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.NONE, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.CharField(_("reason for extension"), max_length=500, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("times transferred"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    dispatch_count = models.PositiveSmallIntegerField(_("times dispatched"), default=0)
    # Working minutes from the (latest) dispatch, stored by the actions because working
    # time cannot be computed in SQL; the KPIs average and take percentiles of them.
    response_minutes = models.PositiveIntegerField(_("working minutes to first contact"), null=True, blank=True)
    handling_minutes = models.PositiveIntegerField(_("working minutes to reply"), null=True, blank=True)
    # Set at intake (kpis.mark_repeats): an earlier order of the same resident, or of the
    # same category within about 100 m, was closed in the 30 days before this submission.
    is_repeat = models.BooleanField(_("repeat of a recently closed request"), default=False)
    scope = ScopeSpec(
        area_path="area_path",
        organisation="lead_organisation_id",
        owner="submitter_id",
        owner_verbs=frozenset({"view", "rate", "attach"}),
        extra=_assisting_unit,
    )
    audit_redacted_fields = frozenset({"contact_name", "contact_phone", "lat", "lng", "address", "description"})

    def hides_submitter_from(self, user: Any) -> bool:
        """An anonymous order shows its submitter and full contact only to the submitter."""
        return self.is_anonymous and getattr(user, "pk", None) != self.submitter_id

    def contact_for(self, user: Any) -> tuple[str, str]:
        """(name, phone) as ``user`` may see them: masked on anonymous orders."""
        if self.hides_submitter_from(user):
            return "", mask_phone(self.contact_phone) if self.contact_phone else ""
        return self.contact_name, self.contact_phone

    class Meta:
        ordering = ["-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["status", "area_path"], name="wo_status_area"),
            models.Index(fields=["area_path", "id"], name="wo_area_id"),
            models.Index(fields=["lead_organisation", "status"], name="wo_lead_status"),
            models.Index(fields=["status", "sign_due"], name="wo_status_sign_due"),
            models.Index(fields=["status", "reply_due"], name="wo_status_reply_due"),
            models.Index(fields=["status", "reply_remind_at"], name="wo_status_reply_remind"),
            models.Index(fields=["status", "follow_up_due"], name="wo_status_follow_up_due"),
            models.Index(fields=["submitter", "id"], name="wo_submitter"),
            models.Index(fields=["category", "dispatched_at"], name="wo_category_dispatched"),
            models.Index(fields=["submitted_at", "area_path"], name="wo_submitted_area"),
            # The repeat-complaint KPI looks for closures in the 30 days before a submission.
            models.Index(fields=["category", "closed_at"], name="wo_category_closed"),
            models.Index(fields=["submitter", "closed_at"], name="wo_submitter_closed"),
            # Staff inboxes (queries.inbox_q): every open-state inbox is a range of this
            # partial index, which also carries the columns the scope and the deadline
            # filters and the UI's urgency-first order read, so inbox counts and the ids
            # of a page are index-only scans (docs/performance.md).
            models.Index(
                fields=["status", "id"],
                include=["urgency", *_INBOX_COLUMNS],
                condition=_OPEN,
                name="wo_open_inbox",
            ),
            # The UI inbox page's order (urgent first, then oldest): within one status the
            # first page is the first entries of this index, read in order and stopped after
            # 25 matches, instead of a top-N sort of every order of the inbox (74 ms for an
            # in-progress inbox at 1,000,000 orders). Inboxes of several statuses read one
            # range per status and merge them (CappedPaginator ``branches``). Same INCLUDE
            # list as ``wo_open_inbox`` so the scope and deadline filters stay index-only.
            models.Index(
                fields=["status", "-urgency", "id"],
                include=_INBOX_COLUMNS,
                condition=_OPEN,
                name="wo_inbox_urgency_order",
            ),
            # The "to review" inbox (不满意待复核): few rows, read by area, newest first.
            models.Index(fields=["area_path", "id"], name="wo_review_pending", condition=Q(review_pending=True)),
            # The dashboard's overdue list (kpis.overdue): open orders with a unit in reply-
            # deadline order, so the 20 most overdue are the first entries read.
            models.Index(
                fields=["reply_due", "id"],
                condition=Q(status__in=sorted(WITH_UNIT), on_hold=False),
                name="wo_overdue_reply_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90)), name="wo_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | (Q(lng__gte=-180) & Q(lng__lte=180)), name="wo_lng_range"
            ),
            models.CheckConstraint(
                condition=Q(master__isnull=True) | Q(status=Status.MERGED), name="wo_master_only_merged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    #: Not a field: set by ``submit_work_order`` on the instance it returns (the new order's
    #: only event, so the 201 body needs no timeline query).
    submit_event: WorkOrderEvent | None = None

    @property
    def number(self) -> str:
        return self.format_number(self.pk, self.submitted_at)

    @staticmethod
    def format_number(pk: int | None, submitted_at: dt.datetime | None) -> str:
        """GZ + local submission date + ``-`` + id (at least 6 digits)."""
        created = submitted_at or timezone.now()
        return f"GZ{timezone.localtime(created):%Y%m%d}-{pk or 0:06d}"

    @staticmethod
    def pk_from_number(number: str) -> int | None:
        match = NUMBER_RE.match(number.strip().upper())
        return int(match.group(2)) if match else None


class WorkOrderSchedule(models.Model):
    """When the deadline job must next look at an open order: one row per order that may
    still escalate, none once nothing can (not with a unit, on hold, or every rule of the
    round raised).

    The actions set it to a lower bound whenever they change the order
    (``escalation.check_from``); the job reads only the rows whose moment has come and
    stores the exact next moment. It is a narrow table of its own so that rescheduling a
    million orders rewrites a million 40-byte rows and two index entries each, not the wide
    order row and its twenty-odd indexes (docs/performance.md, helper wodeadline).
    """

    order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("work order"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="schedule",
    )
    next_check_at = models.DateTimeField(_("next deadline check"))

    class Meta:
        ordering = ["next_check_at"]
        verbose_name = _("deadline check")
        verbose_name_plural = _("deadline checks")
        indexes = [models.Index(fields=["next_check_at"], name="wo_schedule_next_check")]

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.next_check_at:%Y-%m-%d %H:%M}"


class IntakePending(models.Model):
    """A submitted order whose after-commit half of intake (repeat flag, receipt notice, intake
    hooks such as text analysis) has not run yet: written in the submission's transaction,
    deleted in the transaction that completes it (``actions.complete_queued_intake``).

    A queue in the database rather than one Celery message per order: a worker completes the
    waiting orders in batches (one set-based repeat-flag update, one notice insert for the
    batch), and an order whose nudge was lost is still found by the scheduled run. A narrow
    table of its own, so that neither queuing nor completing touches the order row and its
    indexes (docs/performance.md, helper intake).
    """

    order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("work order"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("intake to complete")
        verbose_name_plural = _("intakes to complete")

    def __str__(self) -> str:
        return str(self.order_id)


class WorkOrderEvent(models.Model):
    """One line of the order's timeline: who did what, from which state to which, with a note."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # covered by wo_event_order_time (order first)
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # wo_event_actor: partial, system events (no actor) add no entry
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    # Internal notes (e.g. escalations, transfers between units) are hidden from the resident.
    is_public = models.BooleanField(_("shown to the resident"), default=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(
        area_path="order__area_path", organisation="order__lead_organisation_id", owner="order__submitter_id"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [
            models.Index(fields=["order", "created_at"], name="wo_event_order_time"),
            # Only events with an actor: the deadline job's system events (hundreds of
            # thousands in a catch-up) have none, and nothing looks up a NULL actor.
            models.Index(fields=["actor"], name="wo_event_actor", condition=models.Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """A unit handling the order, as lead (主办, one at a time) or assisting (协办)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="assignments"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=16, blank=True)

    class Meta:
        ordering = ["order_id", "assigned_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(role=AssignmentRole.LEAD, ended_at__isnull=True),
                name="wo_assignment_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["order", "organisation"], condition=Q(ended_at__isnull=True), name="wo_assignment_unique_active"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "ended_at"], name="wo_assignment_org_active"),
            # The assisting-unit scope (_assisting_unit) of department staff: a tiny index.
            models.Index(
                fields=["organisation", "order"],
                condition=Q(role=AssignmentRole.ASSIST, ended_at__isnull=True),
                name="wo_assignment_assisting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.organisation_id} ({self.role})"


def attachment_path(instance: Attachment, filename: str) -> str:
    today = timezone.localdate()
    return f"work_orders/{today:%Y/%m}/{instance.order_id}/{filename}"


class Attachment(TimeStampedModel):
    """A photo or document. Images are re-encoded on upload (EXIF stripped unless the
    resident chose to keep the photo's location)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        WorkOrderEvent,
        verbose_name=_("timeline event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    kept_location = models.BooleanField(_("photo location kept"), default=False)
    # Shown on the public board with the order (only when the order itself is public).
    is_public = models.BooleanField(_("shown on the public board"), default=False, db_default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedManager()
    scope = ScopeSpec(
        area_path="order__area_path", organisation="order__lead_organisation_id", owner="order__submitter_id"
    )

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Rating(models.Model):
    """The resident's rating of a reply, one per round (a reopened order is rated again)."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    satisfaction = models.CharField(_("satisfaction"), max_length=24, choices=Satisfaction.choices)
    resolved = models.BooleanField(_("resolved"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        ordering = ["order_id", "round"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.UniqueConstraint(fields=["order", "round"], name="wo_rating_one_per_round")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.round} {self.satisfaction}"


#: What the KPI dashboard reads of a fact row besides its index keys (docs/kpis.md): carried
#: by both indexes of ``KpiFact`` so a month's dashboard is an index-only scan on PostgreSQL.
KPI_FACT_COLUMNS = [
    "order_id",  # COUNT(order_id) FILTER (…): the counted column must be in the index too
    "day",
    "submitted_at",
    "submitter_id",
    "is_dispatched",
    "is_signed",
    "is_signed_on_time",
    "sign_due",
    "is_contacted",
    "is_contacted_on_time",
    "contact_due",
    "is_replied",
    "is_replied_on_time",
    "reply_due",
    "rating_due",
    "is_closed",
    "follow_up_resolved",
    "satisfaction",
    "rated_resolved",
    "is_repeat",
    "is_reopened",
    "is_extended",
    "is_followed_up",
    "response_minutes",
    "handling_minutes",
    "lead_assignments",
    "returned_leads",
    "single_lead_unit",
]


class KpiFactQuerySet(models.QuerySet["KpiFact"]):
    def restrict(self, user: Any, verb: str = "view") -> KpiFactQuerySet:
        """The facts of the orders ``user`` may ``verb``: the work order's own scope rule,
        which reads only columns the fact copies (area path, lead unit, submitter, and the
        order id for assisting units), so it applies unchanged."""
        from gongzhi.core.scoping import scope_q

        q = scope_q(user, WorkOrder, verb)
        return self.none() if q is None else self.filter(q)


class KpiFact(models.Model):
    """One narrow row per work order holding exactly what the KPIs count (docs/kpis.md).

    Derived from the order, its latest rating and nothing else, by ``kpi_facts.refresh``
    whenever an action saves the order (in the action's transaction) and by
    ``manage.py rebuild_kpi_facts`` for rows written otherwise (imports, benchmarks). The
    dashboard aggregates these rows instead of the wide order table, with no correlated
    "latest rating" lookups. Deadlines are kept as times (not yes/no) because whether
    one has passed depends on the moment the KPIs are asked for.
    """

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("work order"), primary_key=True, on_delete=models.CASCADE, related_name="kpi_fact"
    )
    # Local (Asia/Shanghai) month as yyyymm and day of month of the submission: the period
    # filter and the trend buckets read them without converting time zones per row.
    month = models.PositiveIntegerField(_("month submitted (yyyymm)"))
    day = models.PositiveSmallIntegerField(_("day of month submitted"))
    submitted_at = models.DateTimeField(_("submitted at"))
    area_path = models.CharField(_("area path"), max_length=255)
    # Plain ids, not foreign keys: copies for scoping and grouping, no constraint to check.
    lead_organisation_id = models.BigIntegerField(_("lead unit"), null=True, blank=True)
    submitter_id = models.BigIntegerField(_("submitted by"), null=True, blank=True)
    is_merged = models.BooleanField(_("merged into another"), default=False)
    is_dispatched = models.BooleanField(_("dispatched"), default=False)
    is_signed = models.BooleanField(_("signed"), default=False)
    is_signed_on_time = models.BooleanField(_("signed on time"), default=False)
    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True)
    is_contacted = models.BooleanField(_("contacted"), default=False)
    is_contacted_on_time = models.BooleanField(_("contacted on time"), default=False)
    contact_due = models.DateTimeField(_("contact resident by"), null=True, blank=True)
    is_replied = models.BooleanField(_("replied"), default=False)
    is_replied_on_time = models.BooleanField(_("replied on time"), default=False)
    reply_due = models.DateTimeField(_("reply by"), null=True, blank=True)
    rating_due = models.DateTimeField(_("rating window ends"), null=True, blank=True)
    is_closed = models.BooleanField(_("closed"), default=False)
    follow_up_resolved = models.BooleanField(_("resolved (follow-up)"), null=True, blank=True)
    # The latest rating (highest round). NULL, not "", when never rated: it is what the
    # "latest rating" subquery gave, and "rated" is "satisfaction IS NOT NULL".
    satisfaction = models.CharField(  # noqa: DJ001
        _("satisfaction"), max_length=24, choices=Satisfaction.choices, blank=True, null=True
    )
    rated_resolved = models.BooleanField(_("resolved (rating)"), null=True, blank=True)
    is_repeat = models.BooleanField(_("repeat"), default=False)
    is_reopened = models.BooleanField(_("reopened"), default=False)
    is_extended = models.BooleanField(_("extended"), default=False)
    is_followed_up = models.BooleanField(_("followed up"), default=False)
    response_minutes = models.PositiveIntegerField(_("working minutes to first contact"), null=True, blank=True)
    handling_minutes = models.PositiveIntegerField(_("working minutes to reply"), null=True, blank=True)
    # The return rate (退单率) counts lead assignments. Most orders only ever had one lead
    # unit: then ``single_lead_unit`` names it and the counts below are all its own, so the
    # rate per unit is a sum over facts; only orders led by several units in turn
    # (``single_lead_unit`` NULL, ``lead_assignments`` > 0) are looked up in the assignments.
    lead_assignments = models.PositiveSmallIntegerField(_("lead assignments"), default=0)
    returned_leads = models.PositiveSmallIntegerField(_("lead assignments returned"), default=0)
    single_lead_unit = models.BigIntegerField(_("the one lead unit"), null=True, blank=True)

    objects = KpiFactQuerySet.as_manager()

    class Meta:
        ordering = ["order_id"]
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")
        indexes = [
            # A period under an area (the district / street / community dashboard).
            # varchar_pattern_ops (PostgreSQL only; other databases ignore opclasses): the
            # area's LIKE 'path%' is a range of the index under a non-C collation.
            models.Index(
                fields=["month", "area_path"],
                opclasses=["int4_ops", "varchar_pattern_ops"],
                include=["lead_organisation_id", *KPI_FACT_COLUMNS],
                condition=Q(is_merged=False),
                name="wo_kpifact_month_area",
            ),
            # A period of one unit (主办单位).
            models.Index(
                fields=["month", "lead_organisation_id"],
                include=["area_path", *KPI_FACT_COLUMNS],
                condition=Q(is_merged=False),
                name="wo_kpifact_month_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.month}"


class DeadlinePolicy(ScopedModel):
    """Time limits for a category (and its subcategories), type and urgency. Empty
    selectors match anything; the most specific active row wins, and the built-in
    defaults from the issue apply when none matches."""

    category = models.ForeignKey(
        "organisations.MatterCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    order_type = models.CharField(_("type"), max_length=16, choices=OrderType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    sign_value = models.PositiveIntegerField(_("sign within"))
    sign_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices)
    contact_value = models.PositiveIntegerField(_("first contact within"))
    contact_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices)
    reply_value = models.PositiveIntegerField(_("reply within"))
    reply_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices)
    follow_up_value = models.PositiveIntegerField(_("follow up within"), default=2)
    follow_up_unit = models.CharField(
        _("unit"), max_length=16, choices=DurationUnit.choices, default=DurationUnit.WORKING_DAYS
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope = ScopeSpec(extra=lambda grant, verb: Q())

    class Meta:
        ordering = ["category_id", "order_type", "urgency"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "order_type", "urgency"],
                condition=Q(is_active=True),
                name="wo_deadline_policy_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} · {self.order_type or '*'} · {self.urgency or '*'}"


class EscalationRun(models.Model):
    """One run of the deadline job; its escalations point to it so the run knows which
    rows it created (and notifies about those only), however many workers race."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateTimeField(_("deadlines compared with"))
    counts = models.JSONField(_("escalations created"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("escalation run")
        verbose_name_plural = _("escalation runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}"


class Escalation(models.Model):
    """A reminder, supervision or public listing raised for one deadline of one order.
    Unique per (order, round, stage, level), so the job can run any number of times.

    Written only by the deadline job (``escalation.escalate_batch``), append-only. Its two
    references are checked by the job once per batch rather than by a foreign-key trigger
    per row (``db_constraint=False``; a catch-up writes hundreds of thousands of rows and the
    two triggers were a fifth of its write statement): the batch writes escalations only for
    orders it has locked (``lock_orders``, FOR NO KEY UPDATE: the row exists and cannot be
    deleted before the batch commits), and every escalation gets a timeline event for the same
    order, whose foreign key still rejects a missing order; the run is checked and locked
    once per batch (``check_run``). Deleting an order or a run through Django still cascades /
    sets NULL (``on_delete`` is applied by Django)."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="escalations",
        db_index=False,  # covered by wo_escalation_unique (order first)
        db_constraint=False,  # checked per batch by the job, see above
    )
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    stage = models.CharField(_("deadline"), max_length=16, choices=DeadlineStage.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=SupervisionLevel.choices)
    due_at = models.DateTimeField(_("deadline"))
    run = models.ForeignKey(
        EscalationRun,
        verbose_name=_("run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # checked per batch by the job, see above
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        ordering = ["order_id", "round", "level"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["order", "round", "stage", "level"], name="wo_escalation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.stage} {self.level}"


class Subscription(models.Model):
    """Someone who gets the resident-visible notices of an order (e.g. the submitter of a
    duplicate merged into it)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["order_id", "user_id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="wo_subscription_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ⇢ {self.order_id}"
