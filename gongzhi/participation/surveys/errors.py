"""Domain errors of polls and surveys, each with a stable code the API returns."""

from enum import StrEnum
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class SurveyErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    NOT_OPEN = "not_open"
    NOT_ELIGIBLE = "not_eligible"
    NOT_VERIFIED = "not_verified"
    NO_HOUSEHOLD = "no_household"
    ALREADY_RESPONDED = "already_responded"
    INVALID_ANSWER = "invalid_answer"
    ANSWER_REQUIRED = "answer_required"
    NO_QUESTIONS = "no_questions"
    BAD_QUESTION = "bad_question"
    BAD_TIMES = "bad_times"
    BAD_TARGET = "bad_target"
    AREA_NOT_ALLOWED = "area_not_allowed"
    FILE_TOO_LARGE = "file_too_large"


class SurveyError(DomainError):
    """A survey rule was broken (409, or 400 when the rule is about the input)."""

    http_status = 409
    messages: ClassVar[dict[str, Any]] = {
        SurveyErrorCode.ILLEGAL_TRANSITION.value: _("This step is not possible in the survey's current state."),
        SurveyErrorCode.NOT_OPEN.value: _("The survey is not open for responses."),
        SurveyErrorCode.NOT_ELIGIBLE.value: _("This survey is not addressed to you."),
        SurveyErrorCode.NOT_VERIFIED.value: _("This survey requires a verified (real-name) account."),
        SurveyErrorCode.NO_HOUSEHOLD.value: _("This survey is answered per household, and you are in no household."),
        SurveyErrorCode.ALREADY_RESPONDED.value: _("A response was already given."),
        SurveyErrorCode.INVALID_ANSWER.value: _("An answer is not valid for its question."),
        SurveyErrorCode.ANSWER_REQUIRED.value: _("A required question was not answered."),
        SurveyErrorCode.NO_QUESTIONS.value: _("A survey needs at least one question before it opens."),
        SurveyErrorCode.BAD_QUESTION.value: _("The question is not well formed."),
        SurveyErrorCode.BAD_TIMES.value: _("The closing time must be after the opening time."),
        SurveyErrorCode.BAD_TARGET.value: _(
            "Check the target group: known tags and roles only, and the minimum age not above the maximum."
        ),
        SurveyErrorCode.AREA_NOT_ALLOWED.value: _("You cannot run surveys for this area."),
        SurveyErrorCode.FILE_TOO_LARGE.value: _("The file is too large."),
    }

    INPUT_CODES = frozenset(
        {
            SurveyErrorCode.INVALID_ANSWER,
            SurveyErrorCode.ANSWER_REQUIRED,
            SurveyErrorCode.BAD_QUESTION,
            SurveyErrorCode.BAD_TIMES,
            SurveyErrorCode.BAD_TARGET,
            SurveyErrorCode.FILE_TOO_LARGE,
        }
    )

    def __init__(self, code: SurveyErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.INPUT_CODES:
            self.http_status = 400  # type: ignore[misc]
