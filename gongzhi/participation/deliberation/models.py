"""The deliberation hall (议事厅): processes with phases and the 四议两公开 steps, residents'
proposals with support, official answers, comments, amendments and follows; debates with
for/against positions; and moderation (sensitive words, reports, a moderator log).

Rows copy their process's area path (``area_path``) for scoping. Public pages show no
person: authors appear as "a resident", staff as their unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.participation.deliberation.choices import (
    AmendmentStatus,
    AnswerOutcome,
    ContentStatus,
    DebateStatus,
    ModerationAction,
    Phase,
    Position,
    ProposalStatus,
    ReportStatus,
    StepKind,
    TargetKind,
    Template,
)

USER = settings.AUTH_USER_MODEL


class Process(ScopedModel):
    """A participatory process for a community, street or building, moving through phases."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a process of one building: only its households take part."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.CharField(_("template"), max_length=16, choices=Template.choices, default=Template.CUSTOM)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.COLLECT)
    phase_changed_at = models.DateTimeField(_("phase since"), default=timezone.now)
    support_threshold = models.PositiveIntegerField(
        _("support threshold"),
        default=20,
        help_text=_("Supports a proposal needs to go to official consideration."),
    )
    requires_verified = models.BooleanField(_("verified (real-name) accounts only"), default=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        indexes = [models.Index(fields=["area_path", "id"], name="pdel_process_area")]
        constraints = [models.CheckConstraint(condition=Q(support_threshold__gte=1), name="pdel_process_threshold_min")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation_deliberation:process", args=[self.pk])


class ProcessStep(models.Model):
    """One of the six steps of 四议两公开, done in order."""

    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=24, choices=StepKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), max_length=4000, blank=True)

    class Meta:
        ordering = ["process_id", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [models.UniqueConstraint(fields=["process", "kind"], name="pdel_step_unique")]

    def __str__(self) -> str:
        return f"{self.process_id} {self.kind}"


class PhaseChange(models.Model):
    """The process's timeline: each phase transition, who made it and why."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="phase_changes"
    )
    from_phase = models.CharField(_("from"), max_length=16, choices=Phase.choices)
    to_phase = models.CharField(_("to"), max_length=16, choices=Phase.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")
    actor_unit = models.CharField(_("unit"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["process_id", "created_at", "id"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.process_id} {self.from_phase}→{self.to_phase}"


class Proposal(ScopedModel):
    """A resident's proposal or suggestion. Residents support it (once each); at the
    process's threshold it goes to official consideration and gets an official answer."""

    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="proposals")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=6000)
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(
        USER,
        verbose_name=_("entered by (staff, for a resident)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PUBLISHED
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    threshold_reached_at = models.DateTimeField(_("threshold reached at"), null=True, blank=True)
    answer_outcome = models.CharField(_("answer"), max_length=16, choices=AnswerOutcome.choices, blank=True)
    answer_text = models.TextField(_("official answer"), max_length=4000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_unit = models.CharField(_("answered by unit"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    work_order = models.ForeignKey(
        "work_orders.WorkOrder",
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agenda_item = models.ForeignKey(
        "participation_meetings.AgendaItem",
        verbose_name=_("meeting agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.ForeignKey(
        "participation_accountability.Result",
        verbose_name=_("tracked result"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeSpec(area_path="area_path", owner="author_id", owner_verbs=frozenset({"view"}))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["process", "status"], name="pdel_proposal_process_status"),
            models.Index(fields=["area_path", "status"], name="pdel_proposal_area_status"),
            models.Index(fields=["author", "created_at"], name="pdel_proposal_author_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=ProposalStatus.MERGED),
                name="pdel_proposal_merged_only",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="pdel_proposal_not_self_merged"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation_deliberation:proposal", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status not in (ProposalStatus.HELD, ProposalStatus.REMOVED)


class Support(models.Model):
    """One resident's support of a proposal: at most one per resident (a constraint)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(USER, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+")
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by (staff)"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["proposal_id", "id"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="pdel_support_one_per_resident")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class ProposalFollow(models.Model):
    """Someone told about a proposal's progress (its author follows it from the start)."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["proposal_id", "user_id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="pdel_follow_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} ⇢ {self.proposal_id}"


class Debate(ScopedModel):
    """A question argued for and against, closed by staff with a conclusion."""

    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="debates")
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    title = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("background"), max_length=6000, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=DebateStatus.choices, default=DebateStatus.OPEN)
    conclusion = models.TextField(_("conclusion"), max_length=4000, blank=True)
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    for_count = models.PositiveIntegerField(_("arguments for"), default=0)
    against_count = models.PositiveIntegerField(_("arguments against"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        indexes = [models.Index(fields=["process", "status"], name="pdel_debate_process_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DebateStatus.OPEN) | Q(closed_at__isnull=False), name="pdel_debate_closed_at"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation_deliberation:debate", args=[self.pk])


class Comment(ScopedModel):
    """A comment on a proposal or a debate (exactly one), optionally a reply to another."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    debate = models.ForeignKey(
        Debate, verbose_name=_("debate"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by (staff)"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_unit = models.CharField(_("official reply of"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=3000)
    position = models.CharField(
        _("position"), max_length=8, choices=Position.choices, default=Position.NONE, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    scope = ScopeSpec(area_path="area_path", owner="author_id")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["proposal", "created_at"], name="pdel_comment_proposal"),
            models.Index(fields=["debate", "created_at"], name="pdel_comment_debate"),
            models.Index(fields=["author", "created_at"], name="pdel_comment_author_time"),
            models.Index(fields=["status", "area_path"], name="pdel_comment_status_area"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(proposal__isnull=False) & Q(debate__isnull=True))
                | (Q(proposal__isnull=True) & Q(debate__isnull=False)),
                name="pdel_comment_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == ContentStatus.PUBLISHED


class Amendment(ScopedModel):
    """A resident's proposed change to a proposal; its author accepts or declines it."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="amendments"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("amendment"), max_length=3000)
    status = models.CharField(
        _("status"), max_length=12, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    scope = ScopeSpec(area_path="area_path", owner="author_id")

    class Meta:
        ordering = ["proposal_id", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status not in (AmendmentStatus.HELD, AmendmentStatus.REMOVED)


class SensitiveWord(models.Model):
    """A word that holds a text for review (never silently drops it)."""

    word = models.CharField(_("word"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["word"]
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")

    def __str__(self) -> str:
        return self.word


class Report(ScopedModel):
    """A resident's report of a proposal, comment or amendment (once per person and item)."""

    target_kind = models.CharField(_("reported"), max_length=12, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField(_("reported id"))
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    reporter = models.ForeignKey(USER, verbose_name=_("reported by"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    handled_by = models.ForeignKey(
        USER, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    scope = ScopeSpec(area_path="area_path", owner="reporter_id")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["status", "area_path"], name="pdel_report_status_area")]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_id", "reporter"], name="pdel_report_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_kind}#{self.target_id}"


class ModerationEntry(ScopedModel):
    """The moderator log: every hold, approval, hiding and dismissal, with its reason."""

    action = models.CharField(_("action"), max_length=20, choices=ModerationAction.choices)
    target_kind = models.CharField(_("content"), max_length=12, choices=TargetKind.choices, blank=True)
    target_id = models.PositiveBigIntegerField(_("content id"), null=True, blank=True)
    area_path = models.CharField(_("area path"), max_length=255, blank=True, editable=False)
    moderator = models.ForeignKey(
        USER, verbose_name=_("moderator"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    matched = models.JSONField(_("matched words"), default=list, blank=True)

    scope = ScopeSpec(area_path="area_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        indexes = [models.Index(fields=["area_path", "created_at"], name="pdel_modlog_area_time")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_kind}#{self.target_id}"
