"""Domain errors of the opinion map, each with a stable code the API returns."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class OpinionErrorCode(StrEnum):
    CLOSED = "closed"
    NOT_ELIGIBLE = "not_eligible"
    NOT_PUBLISHED = "not_published"
    ALREADY_MODERATED = "already_moderated"
    REASON_REQUIRED = "reason_required"
    INVALID_VOTE = "invalid_vote"
    EMPTY_TEXT = "empty_text"


class OpinionError(DomainError):
    """An opinion-map rule was broken (409 unless it is about the input: 400)."""

    http_status = 409
    messages = {
        OpinionErrorCode.CLOSED.value: _("This conversation is closed."),
        OpinionErrorCode.NOT_ELIGIBLE.value: _("Only residents of the conversation's area may take part."),
        OpinionErrorCode.NOT_PUBLISHED.value: _("This statement is not published."),
        OpinionErrorCode.ALREADY_MODERATED.value: _("This statement has already been reviewed."),
        OpinionErrorCode.REASON_REQUIRED.value: _("A reason is required."),
        OpinionErrorCode.INVALID_VOTE.value: _("A vote is agree (1), disagree (-1) or pass (0)."),
        OpinionErrorCode.EMPTY_TEXT.value: _("The statement is empty."),
    }

    def __init__(self, code: OpinionErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in {OpinionErrorCode.REASON_REQUIRED, OpinionErrorCode.INVALID_VOTE, OpinionErrorCode.EMPTY_TEXT}:
            self.http_status = 400  # type: ignore[misc]
