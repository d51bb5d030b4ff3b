"""Domain errors of the deliberation hall, each with a stable code the API returns."""

from enum import StrEnum
from typing import ClassVar, cast

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class DeliberationErrorCode(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    VERIFICATION_REQUIRED = "verification_required"
    AREA_NOT_ALLOWED = "area_not_allowed"
    WRONG_PHASE = "wrong_phase"
    LAST_PHASE = "last_phase"
    STEPS_OPEN = "steps_open"
    STEP_OUT_OF_ORDER = "step_out_of_order"
    STEP_DONE = "step_done"
    NOT_FOUR_TWO = "not_four_two"
    TEXT_REQUIRED = "text_required"
    TEXT_TOO_LONG = "text_too_long"
    REASON_REQUIRED = "reason_required"
    ALREADY_SUPPORTED = "already_supported"
    OWN_PROPOSAL = "own_proposal"
    NOT_OPEN = "not_open"
    ALREADY_FOLLOWING = "already_following"
    NOT_FOLLOWING = "not_following"
    MERGE_TARGET_INVALID = "merge_target_invalid"
    MEETING_INVALID = "meeting_invalid"
    DEBATE_CLOSED = "debate_closed"
    REPLY_ELSEWHERE = "reply_elsewhere"
    NOT_AUTHOR = "not_author"
    AMENDMENT_DECIDED = "amendment_decided"
    NOT_HELD = "not_held"
    ALREADY_HIDDEN = "already_hidden"
    NOT_HIDDEN = "not_hidden"
    ALREADY_REPORTED = "already_reported"
    REPORT_CLOSED = "report_closed"
    WORD_EXISTS = "word_exists"
    RATE_LIMITED = "rate_limited"
    PROXY_NOT_ALLOWED = "proxy_not_allowed"


class DeliberationError(DomainError):
    """A deliberation rule was broken (409; 400 for input, 403 for eligibility, 429 for spam)."""

    http_status = 409
    # Lazy translations, resolved when an error is raised (in the request's language).
    messages: ClassVar[dict[str, str]] = cast(
        dict[str, str],
        {
            DeliberationErrorCode.NOT_ELIGIBLE.value: _("Only residents of this area can take part."),
            DeliberationErrorCode.VERIFICATION_REQUIRED.value: _(
                "This process requires a verified (real-name) account."
            ),
            DeliberationErrorCode.AREA_NOT_ALLOWED.value: _("You cannot do this for this area."),
            DeliberationErrorCode.WRONG_PHASE.value: _("This is not possible in the process's current phase."),
            DeliberationErrorCode.LAST_PHASE.value: _("The process is already in its last phase."),
            DeliberationErrorCode.STEPS_OPEN.value: _(
                "Complete the required steps of the four deliberations and two disclosures first."
            ),
            DeliberationErrorCode.STEP_OUT_OF_ORDER.value: _(
                "The steps of the four deliberations and two disclosures must be completed in order."
            ),
            DeliberationErrorCode.STEP_DONE.value: _("This step is already done."),
            DeliberationErrorCode.NOT_FOUR_TWO.value: _(
                "This process does not use the four deliberations and two disclosures template."
            ),
            DeliberationErrorCode.TEXT_REQUIRED.value: _("Please write something."),
            DeliberationErrorCode.TEXT_TOO_LONG.value: _("The text is too long."),
            DeliberationErrorCode.REASON_REQUIRED.value: _("A reason is required."),
            DeliberationErrorCode.ALREADY_SUPPORTED.value: _("You already support this proposal."),
            DeliberationErrorCode.OWN_PROPOSAL.value: _("You cannot support your own proposal."),
            DeliberationErrorCode.NOT_OPEN.value: _("This proposal is no longer open."),
            DeliberationErrorCode.ALREADY_FOLLOWING.value: _("You already follow this proposal."),
            DeliberationErrorCode.NOT_FOLLOWING.value: _("You do not follow this proposal."),
            DeliberationErrorCode.MERGE_TARGET_INVALID.value: _(
                "Merge into another open proposal of the same process."
            ),
            DeliberationErrorCode.MEETING_INVALID.value: _("Choose a planned meeting whose area covers this proposal."),
            DeliberationErrorCode.DEBATE_CLOSED.value: _("This debate is closed."),
            DeliberationErrorCode.REPLY_ELSEWHERE.value: _("A reply must be to a comment on the same page."),
            DeliberationErrorCode.NOT_AUTHOR.value: _("Only the proposal's author can decide on amendments."),
            DeliberationErrorCode.AMENDMENT_DECIDED.value: _("This amendment was already decided."),
            DeliberationErrorCode.NOT_HELD.value: _("This content is not held for review."),
            DeliberationErrorCode.ALREADY_HIDDEN.value: _("This content is already hidden."),
            DeliberationErrorCode.NOT_HIDDEN.value: _("This content is not hidden."),
            DeliberationErrorCode.ALREADY_REPORTED.value: _("You already reported this."),
            DeliberationErrorCode.REPORT_CLOSED.value: _("This report was already handled."),
            DeliberationErrorCode.WORD_EXISTS.value: _("This word is already on the list."),
            DeliberationErrorCode.RATE_LIMITED.value: _("You are posting too often. Please wait a while."),
            DeliberationErrorCode.PROXY_NOT_ALLOWED.value: _("You cannot enter this for a resident here."),
        },
    )

    STATUS = {
        DeliberationErrorCode.NOT_ELIGIBLE: 403,
        DeliberationErrorCode.VERIFICATION_REQUIRED: 403,
        DeliberationErrorCode.PROXY_NOT_ALLOWED: 403,
        DeliberationErrorCode.TEXT_REQUIRED: 400,
        DeliberationErrorCode.TEXT_TOO_LONG: 400,
        DeliberationErrorCode.REASON_REQUIRED: 400,
        DeliberationErrorCode.MERGE_TARGET_INVALID: 400,
        DeliberationErrorCode.REPLY_ELSEWHERE: 400,
        DeliberationErrorCode.RATE_LIMITED: 429,
    }

    def __init__(self, code: DeliberationErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.STATUS:
            self.http_status = self.STATUS[code]  # type: ignore[misc]
