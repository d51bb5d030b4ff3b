"""Enums of the deliberation hall."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Template(models.TextChoices):
    CUSTOM = "custom", _("Custom")
    FOUR_TWO = "four_two", _("Four deliberations, two disclosures")


class Phase(models.TextChoices):
    COLLECT = "collect", _("Collecting proposals")
    DELIBERATE = "deliberate", _("Deliberation")
    DECIDE = "decide", _("Decision")
    IMPLEMENT = "implement", _("Implementation")
    EVALUATE = "evaluate", _("Evaluation")


PHASE_ORDER = [Phase.COLLECT, Phase.DELIBERATE, Phase.DECIDE, Phase.IMPLEMENT, Phase.EVALUATE]


class StepKind(models.TextChoices):
    """The six steps of 四议两公开, in order."""

    PARTY_PROPOSES = "party_proposes", _("Proposal by the Party organisation")
    COMMITTEES_DELIBERATE = "committees_deliberate", _("Deliberation by the two committees")
    MEMBERS_REVIEW = "members_review", _("Review by Party members")
    RESIDENTS_RESOLVE = "residents_resolve", _("Resolution by the residents' meeting")
    PUBLISH_RESOLUTION = "publish_resolution", _("Resolution published")
    PUBLISH_RESULTS = "publish_results", _("Results published")


FOUR_TWO_STEPS = list(StepKind)
#: For the 四议两公开 template: the steps that must be done before leaving a phase.
STEPS_BEFORE_LEAVING = {
    Phase.DELIBERATE: [StepKind.PARTY_PROPOSES, StepKind.COMMITTEES_DELIBERATE, StepKind.MEMBERS_REVIEW],
    Phase.DECIDE: [StepKind.RESIDENTS_RESOLVE, StepKind.PUBLISH_RESOLUTION],
}
#: Steps that record a decision (a ledger event when done).
DECISION_STEPS = frozenset({StepKind.RESIDENTS_RESOLVE, StepKind.PUBLISH_RESOLUTION, StepKind.PUBLISH_RESULTS})


class ProposalStatus(models.TextChoices):
    HELD = "held", pgettext_lazy("proposal status", "Held for review")
    PUBLISHED = "published", pgettext_lazy("proposal status", "Gathering support")
    CONSIDERATION = "consideration", pgettext_lazy("proposal status", "Under official consideration")
    ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("proposal status", "Not accepted")
    MERGED = "merged", pgettext_lazy("proposal status", "Merged")
    WORK_ORDER = "work_order", pgettext_lazy("proposal status", "Turned into a request")
    AGENDA = "agenda", pgettext_lazy("proposal status", "On a meeting agenda")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")
    REMOVED = "removed", pgettext_lazy("proposal status", "Removed by moderation")


#: Proposals still open for support and an answer.
OPEN_PROPOSAL = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.CONSIDERATION})


class AnswerOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted (tracked as a result)")
    REJECTED = "rejected", _("Not accepted (with reason)")
    MERGED = "merged", _("Merged into another proposal")
    WORK_ORDER = "work_order", _("Turned into a request (work order)")
    AGENDA = "agenda", _("Put on a meeting's agenda")


class ContentStatus(models.TextChoices):
    HELD = "held", pgettext_lazy("content status", "Held for review")
    PUBLISHED = "published", pgettext_lazy("content status", "Published")
    REMOVED = "removed", pgettext_lazy("content status", "Removed by moderation")


class Position(models.TextChoices):
    NONE = "", pgettext_lazy("debate position", "No position")
    FOR = "for", pgettext_lazy("debate position", "For")
    AGAINST = "against", pgettext_lazy("debate position", "Against")


class DebateStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("debate status", "Open")
    CLOSED = "closed", pgettext_lazy("debate status", "Closed")


class AmendmentStatus(models.TextChoices):
    HELD = "held", pgettext_lazy("amendment status", "Held for review")
    PENDING = "pending", pgettext_lazy("amendment status", "Awaiting the author's decision")
    ACCEPTED = "accepted", pgettext_lazy("amendment status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("amendment status", "Not accepted")
    REMOVED = "removed", pgettext_lazy("amendment status", "Removed by moderation")


class ReportStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("report status", "Open")
    UPHELD = "upheld", pgettext_lazy("report status", "Upheld (content hidden)")
    DISMISSED = "dismissed", pgettext_lazy("report status", "Dismissed")


class ModerationAction(models.TextChoices):
    HELD = "held", _("Held by the sensitive-word filter")
    APPROVED = "approved", _("Approved")
    REMOVED = "removed", _("Held content removed")
    HIDDEN = "hidden", _("Hidden")
    UNHIDDEN = "unhidden", _("Shown again")
    REPORT_DISMISSED = "report_dismissed", _("Report dismissed")
    WORD_ADDED = "word_added", _("Sensitive word added")
    WORD_REMOVED = "word_removed", _("Sensitive word removed")


class TargetKind(models.TextChoices):
    """What moderation and reports can point at."""

    PROPOSAL = "proposal", _("Proposal")
    COMMENT = "comment", _("Comment")
    AMENDMENT = "amendment", _("Amendment")
