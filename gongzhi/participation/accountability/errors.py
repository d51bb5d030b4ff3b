"""Domain errors of accountability, each with a stable code the API returns."""

from enum import StrEnum
from typing import ClassVar, cast

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class AccountabilityErrorCode(StrEnum):
    RESULT_CLOSED = "result_closed"
    PROGRESS_OUT_OF_RANGE = "progress_out_of_range"
    PROGRESS_BACKWARDS = "progress_backwards"
    TEXT_REQUIRED = "text_required"
    REASON_REQUIRED = "reason_required"
    MILESTONE_DONE = "milestone_done"
    MILESTONES_OPEN = "milestones_open"
    ALREADY_FOLLOWING = "already_following"
    NOT_FOLLOWING = "not_following"
    TOO_MANY_EVIDENCE = "too_many_evidence"
    EVIDENCE_TOO_LARGE = "evidence_too_large"
    EVIDENCE_TYPE_NOT_ALLOWED = "evidence_type_not_allowed"
    AREA_NOT_ALLOWED = "area_not_allowed"


class AccountabilityError(DomainError):
    """An accountability rule was broken (409, or 400 when the input is at fault)."""

    http_status = 409
    # Lazy translations, resolved when an error is raised (in the request's language).
    messages: ClassVar[dict[str, str]] = cast(
        dict[str, str],
        {
            AccountabilityErrorCode.RESULT_CLOSED.value: _("This result is completed or cancelled."),
            AccountabilityErrorCode.PROGRESS_OUT_OF_RANGE.value: _("Progress must be between 0 and 100."),
            AccountabilityErrorCode.PROGRESS_BACKWARDS.value: _("Progress cannot go down without a reason."),
            AccountabilityErrorCode.TEXT_REQUIRED.value: _("Please describe what was done."),
            AccountabilityErrorCode.REASON_REQUIRED.value: _("A reason is required."),
            AccountabilityErrorCode.MILESTONE_DONE.value: _("This milestone is already done."),
            AccountabilityErrorCode.MILESTONES_OPEN.value: _("Complete or remove the open milestones first."),
            AccountabilityErrorCode.ALREADY_FOLLOWING.value: _("You already follow this result."),
            AccountabilityErrorCode.NOT_FOLLOWING.value: _("You do not follow this result."),
            AccountabilityErrorCode.TOO_MANY_EVIDENCE.value: _("Too many files for this result."),
            AccountabilityErrorCode.EVIDENCE_TOO_LARGE.value: _("The file is too large."),
            AccountabilityErrorCode.EVIDENCE_TYPE_NOT_ALLOWED.value: _("This type of file is not accepted."),
            AccountabilityErrorCode.AREA_NOT_ALLOWED.value: _("You cannot create results for this area."),
        },
    )

    INPUT_STATUS = {
        AccountabilityErrorCode.PROGRESS_OUT_OF_RANGE: 400,
        AccountabilityErrorCode.PROGRESS_BACKWARDS: 400,
        AccountabilityErrorCode.TEXT_REQUIRED: 400,
        AccountabilityErrorCode.REASON_REQUIRED: 400,
        AccountabilityErrorCode.EVIDENCE_TOO_LARGE: 400,
        AccountabilityErrorCode.EVIDENCE_TYPE_NOT_ALLOWED: 400,
    }

    def __init__(self, code: AccountabilityErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.INPUT_STATUS:
            self.http_status = self.INPUT_STATUS[code]  # type: ignore[misc]
