"""Domain errors of participatory budgeting, each with a stable code the API returns."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class BudgetingErrorCode(StrEnum):
    WRONG_PHASE = "wrong_phase"
    NOT_ELIGIBLE = "not_eligible"
    NOT_VERIFIED = "not_verified"
    ALREADY_VOTED = "already_voted"
    TOO_MANY_CHOICES = "too_many_choices"
    EMPTY_BALLOT = "empty_ballot"
    POINTS_EXCEEDED = "points_exceeded"
    UNKNOWN_PROJECT = "unknown_project"
    COST_REQUIRED = "cost_required"
    NOTHING_TO_VOTE_ON = "nothing_to_vote_on"
    INVALID_SETTINGS = "invalid_settings"


class BudgetingError(DomainError):
    """A participatory-budgeting rule was broken (409 unless it is about the input: 400)."""

    http_status = 409
    messages = {
        BudgetingErrorCode.WRONG_PHASE.value: _("This is not possible in the process's current phase."),
        BudgetingErrorCode.NOT_ELIGIBLE.value: _("Only residents of the process's area may take part."),
        BudgetingErrorCode.NOT_VERIFIED.value: _(
            "This round requires a verified (real-name) account: ask your residents' committee to check "
            "your identity and link your account to the residents' register."
        ),
        BudgetingErrorCode.ALREADY_VOTED.value: _("This resident has already voted."),
        BudgetingErrorCode.TOO_MANY_CHOICES.value: _("Too many projects chosen."),
        BudgetingErrorCode.EMPTY_BALLOT.value: _("Choose at least one project."),
        BudgetingErrorCode.POINTS_EXCEEDED.value: _("More points given than a voter has."),
        BudgetingErrorCode.UNKNOWN_PROJECT.value: _("The ballot names a project that is not on the ballot."),
        BudgetingErrorCode.COST_REQUIRED.value: _("A feasible project needs a cost estimate."),
        BudgetingErrorCode.NOTHING_TO_VOTE_ON.value: _("No project passed the feasibility review."),
        BudgetingErrorCode.INVALID_SETTINGS.value: _("The ballot settings do not fit the ballot kind."),
    }

    def __init__(self, code: BudgetingErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in {
            BudgetingErrorCode.TOO_MANY_CHOICES,
            BudgetingErrorCode.EMPTY_BALLOT,
            BudgetingErrorCode.POINTS_EXCEEDED,
            BudgetingErrorCode.UNKNOWN_PROJECT,
            BudgetingErrorCode.COST_REQUIRED,
            BudgetingErrorCode.INVALID_SETTINGS,
        }:
            self.http_status = 400  # type: ignore[misc]
