"""Domain errors of meetings and owners' votes, each with a stable code the API returns."""

from enum import StrEnum
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class MeetingErrorCode(StrEnum):
    ILLEGAL_TRANSITION = "illegal_transition"
    ALREADY_REMINDED = "already_reminded"
    AREA_NOT_ALLOWED = "area_not_allowed"
    NOT_INVITED = "not_invited"
    BAD_TOKEN = "bad_token"  # noqa: S105  (an error code)
    ALREADY_SIGNED_IN = "already_signed_in"
    NOT_PRESENT = "not_present"
    QUORUM_NOT_REACHED = "quorum_not_reached"
    ALREADY_VOTED = "already_voted"
    NOT_AN_OWNER = "not_an_owner"
    ROOM_NOT_IN_ESTATE = "room_not_in_estate"
    ROOM_ALREADY_OWNED = "room_already_owned"
    MISSING_FLOOR_AREA = "missing_floor_area"
    EMPTY_ROLL = "empty_roll"
    EVIDENCE_REQUIRED = "evidence_required"
    NOT_OWNED_BY = "not_owned_by"
    BAD_METHOD = "bad_method"
    FILE_TOO_LARGE = "file_too_large"


class MeetingError(DomainError):
    http_status = 409
    messages: ClassVar[dict[str, Any]] = {
        MeetingErrorCode.ILLEGAL_TRANSITION.value: _("This step is not possible in the current state."),
        MeetingErrorCode.NOT_OWNED_BY.value: _("These rooms are not on this owner's record."),
        MeetingErrorCode.ALREADY_REMINDED.value: _("The invitees of this meeting have already been reminded."),
        MeetingErrorCode.AREA_NOT_ALLOWED.value: _("You cannot do this for this area."),
        MeetingErrorCode.NOT_INVITED.value: _("You are not invited to this meeting."),
        MeetingErrorCode.BAD_TOKEN.value: _("The sign-in code is not valid for this meeting, or has expired."),
        MeetingErrorCode.ALREADY_SIGNED_IN.value: _("Already signed in."),
        MeetingErrorCode.NOT_PRESENT.value: _("Only attendees who signed in may vote."),
        MeetingErrorCode.QUORUM_NOT_REACHED.value: _("The meeting has not reached its quorum."),
        MeetingErrorCode.ALREADY_VOTED.value: _("A vote was already cast."),
        MeetingErrorCode.NOT_AN_OWNER.value: _("You are not on this estate's owner roll."),
        MeetingErrorCode.ROOM_NOT_IN_ESTATE.value: _("The room is not in this estate."),
        MeetingErrorCode.ROOM_ALREADY_OWNED.value: _("The room is already on another owner's record."),
        MeetingErrorCode.MISSING_FLOOR_AREA.value: _("A room on the roll has no floor area."),
        MeetingErrorCode.EMPTY_ROLL.value: _("The estate's owner roll is empty."),
        MeetingErrorCode.EVIDENCE_REQUIRED.value: _("Written and proxy votes need the evidence seen."),
        MeetingErrorCode.BAD_METHOD.value: _("This way of voting is not allowed here."),
        MeetingErrorCode.FILE_TOO_LARGE.value: _("The file is too large."),
    }

    INPUT_CODES = frozenset(
        {MeetingErrorCode.EVIDENCE_REQUIRED, MeetingErrorCode.BAD_METHOD, MeetingErrorCode.FILE_TOO_LARGE}
    )

    def __init__(self, code: MeetingErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.INPUT_CODES:
            self.http_status = 400  # type: ignore[misc]
