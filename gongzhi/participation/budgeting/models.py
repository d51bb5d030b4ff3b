"""Participatory budgeting (微实事): a process per area, its projects, and residents' ballots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.participation.budgeting.choices import (
    BallotKind,
    CountingRule,
    FundingStage,
    Phase,
    ProjectStatus,
)


class BudgetProcess(ScopedModel):
    """One round of participatory budgeting for an area (a community, street or building).

    Residents propose projects, staff review their feasibility and estimate costs, residents
    vote (approval with a limit, or cumulative points) and the tally funds projects with the
    chosen counting rule. ``area_path`` copies the area's path for scoping.
    """

    scope = ScopeSpec(area_path="area_path")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, editable=False, db_index=True)
    budget = models.PositiveBigIntegerField(_("budget (yuan)"))
    ballot_kind = models.CharField(_("ballot"), max_length=16, choices=BallotKind.choices, default=BallotKind.APPROVAL)
    max_choices = models.PositiveSmallIntegerField(_("projects a voter may approve"), default=3)
    points_per_voter = models.PositiveSmallIntegerField(_("points per voter"), default=10)
    counting_rule = models.CharField(
        _("counting rule"), max_length=16, choices=CountingRule.choices, default=CountingRule.EQUAL_SHARES
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.PROPOSALS)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), default=0)
    tallied_at = models.DateTimeField(_("tallied at"), null=True, blank=True)
    requires_verified = models.BooleanField(
        _("verified (real-name) voters only"),
        default=False,
        help_text=_("Only residents on the residents' register (identity checked by staff) may vote."),
    )
    #: Set when staff close the voting: no more ballots; the count runs in the background.
    counting_since = models.DateTimeField(_("counting since"), null=True, blank=True)
    counting_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counting requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Per-voter budget at which MES stopped (after add1 increments), as a fraction "p/q".
    voter_budget = models.CharField(_("per-voter budget at the end of equal shares"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("budgeting process")
        verbose_name_plural = _("budgeting processes")
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="pb_process_max_choices_positive"),
            models.CheckConstraint(condition=Q(points_per_voter__gte=1), name="pb_process_points_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class BudgetProject(ScopedModel):
    """A project proposed for funding; staff review its feasibility and cost, the tally funds it or not."""

    scope = ScopeSpec(area_path="area_path", owner="proposer_id")

    process = models.ForeignKey(
        BudgetProcess, verbose_name=_("process"), on_delete=models.CASCADE, related_name="projects"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.SUBMITTED
    )
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (yuan)"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    votes = models.PositiveIntegerField(_("votes or points"), default=0)
    voters = models.PositiveIntegerField(_("voters"), default=0)
    funding_stage = models.CharField(
        _("funded by"), max_length=16, choices=FundingStage.choices, default=FundingStage.NONE, blank=True
    )

    class Meta:
        ordering = ["process", "id"]
        verbose_name = _("budgeting project")
        verbose_name_plural = _("budgeting projects")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["feasible", "funded", "not_funded"]) | Q(estimated_cost__isnull=False),
                name="pb_project_cost_when_feasible",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tie_key(self) -> str:
        """The rules break ties by this key, as a string: the earlier proposal wins."""
        return f"{self.pk:012d}"


class Ballot(ScopedModel):
    """One resident's ballot in one process (one per resident: a database constraint).

    ``proxy`` is the staff member who entered the ballot for a resident without a phone.
    """

    scope = ScopeSpec(area_path="area_path", owner="voter_id")
    audit_redacted_fields = ("voter",)

    process = models.ForeignKey(
        BudgetProcess, verbose_name=_("process"), on_delete=models.CASCADE, related_name="ballots"
    )
    area_path = models.CharField(_("area path"), max_length=255, editable=False)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="+"
    )
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by (staff-assisted)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["process", "id"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["process", "voter"], name="pb_one_ballot_per_voter")]

    def __str__(self) -> str:
        return f"{self.process_id}#{self.pk}"


class BallotChoice(models.Model):
    """A project on a ballot with the points given (1 for an approval)."""

    ballot = models.ForeignKey(Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(BudgetProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"), default=1)

    class Meta:
        ordering = ["ballot", "project"]
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="pb_choice_once_per_ballot"),
            models.CheckConstraint(condition=Q(points__gte=1), name="pb_choice_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}→{self.project_id}:{self.points}"
