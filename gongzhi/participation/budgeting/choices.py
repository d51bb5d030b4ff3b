"""Enums of participatory budgeting."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    PROPOSALS = "proposals", _("Project proposals")
    REVIEW = "review", _("Feasibility review")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")


#: The phase that follows each phase when staff advance the process (voting → results is the tally).
NEXT_PHASE = {
    Phase.PROPOSALS: Phase.REVIEW,
    Phase.REVIEW: Phase.VOTING,
    Phase.RESULTS: Phase.IMPLEMENTATION,
}


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval (tick up to a limit)")
    CUMULATIVE = "cumulative", _("Cumulative (share out points)")


class CountingRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy by votes")
    EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    FEASIBLE = "feasible", _("Feasible")
    INFEASIBLE = "infeasible", _("Not feasible")
    FUNDED = "funded", _("Funded")
    NOT_FUNDED = "not_funded", _("Not funded")


class FundingStage(models.TextChoices):
    NONE = "", _("—")
    EQUAL_SHARES = "equal_shares", _("Equal shares")
    COMPLETION = "completion", _("Completion with the remaining budget")
    GREEDY = "greedy", _("By votes")
