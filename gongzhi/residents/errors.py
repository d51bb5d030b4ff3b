from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class ResidentErrorCode(StrEnum):
    DUPLICATE_ID_NUMBER = "duplicate_id_number"
    ALREADY_MEMBER = "already_member"
    NOT_A_MEMBER = "not_a_member"
    MOVE_OUT_BEFORE_MOVE_IN = "move_out_before_move_in"
    HOUSEHOLD_PLACE_REQUIRED = "household_place_required"
    AREA_NOT_A_GRID = "area_not_a_grid"
    TAG_ALREADY_SET = "tag_already_set"
    TAG_ALREADY_REMOVED = "tag_already_removed"
    GRADE_REQUIRED = "grade_required"
    CONSENT_REQUIRED = "consent_required"
    GUARDIAN_CONSENT_REQUIRED = "guardian_consent_required"
    HEALTH_FILE_EXISTS = "health_file_exists"
    FOLLOW_UP_ALREADY_DONE = "follow_up_already_done"
    NOT_IN_HOUSEHOLD = "not_in_household"
    REQUEST_ALREADY_OPEN = "request_already_open"
    REQUEST_NOT_OPEN = "request_not_open"
    REASON_REQUIRED = "reason_required"
    RESOLUTION_REQUIRED = "resolution_required"
    LEGAL_HOLD = "legal_hold"
    ALREADY_ANONYMISED = "already_anonymised"
    AGREEMENT_NOT_VALID = "agreement_not_valid"
    AGREEMENT_NOT_DRAFT = "agreement_not_draft"
    SELF_APPROVAL = "self_approval"
    ALREADY_APPROVED = "already_approved"
    POLICE_REQUEST_REQUIRED = "police_request_required"
    POLICE_REQUEST_NOT_USABLE = "police_request_not_usable"
    POLICE_REQUEST_NOT_PENDING = "police_request_not_pending"
    NOT_POLICE = "not_police"
    IMPORT_NOT_RUNNING = "import_not_running"
    IMPORT_NOT_ROLLBACKABLE = "import_not_rollbackable"
    IMPORT_COLUMNS_MISSING = "import_columns_missing"
    IMPORT_NOT_QUEUED = "import_not_queued"
    IMPORT_NOT_RESUMABLE = "import_not_resumable"
    IMPORT_UPLOAD_GONE = "import_upload_gone"
    REVIEW_ALREADY_DECIDED = "review_already_decided"


class ResidentError(DomainError):
    http_status = 409
    messages = {
        ResidentErrorCode.DUPLICATE_ID_NUMBER: _("A resident with this ID number is already registered."),
        ResidentErrorCode.ALREADY_MEMBER: _("This person already lives in this household."),
        ResidentErrorCode.NOT_A_MEMBER: _("This person is not a current member of the household."),
        ResidentErrorCode.MOVE_OUT_BEFORE_MOVE_IN: _("The move-out date is before the move-in date."),
        ResidentErrorCode.HOUSEHOLD_PLACE_REQUIRED: _("A household needs a room or an address."),
        ResidentErrorCode.AREA_NOT_A_GRID: _("Choose a grid."),
        ResidentErrorCode.TAG_ALREADY_SET: _("This tag is already set."),
        ResidentErrorCode.TAG_ALREADY_REMOVED: _("This tag was already removed."),
        ResidentErrorCode.GRADE_REQUIRED: _("A disability tag needs a grade from 1 to 4."),
        ResidentErrorCode.CONSENT_REQUIRED: _("The person has not given separate consent for health and care data."),
        ResidentErrorCode.GUARDIAN_CONSENT_REQUIRED: _("A guardian must consent for a child under 14."),
        ResidentErrorCode.HEALTH_FILE_EXISTS: _("This person already has a health and care file."),
        ResidentErrorCode.FOLLOW_UP_ALREADY_DONE: _("This follow-up is already done."),
        ResidentErrorCode.NOT_IN_HOUSEHOLD: _("This person does not belong to the visited household."),
        ResidentErrorCode.REQUEST_ALREADY_OPEN: _("A request of this kind is already being handled."),
        ResidentErrorCode.REQUEST_NOT_OPEN: _("This request has already been handled."),
        ResidentErrorCode.REASON_REQUIRED: _("Give the reason for refusing the request."),
        ResidentErrorCode.RESOLUTION_REQUIRED: _("Describe what was corrected."),
        ResidentErrorCode.LEGAL_HOLD: _("The record is under legal hold and cannot be deleted now."),
        ResidentErrorCode.ALREADY_ANONYMISED: _("This record has already been anonymised."),
        ResidentErrorCode.AGREEMENT_NOT_VALID: _("The sharing agreement is not approved, has expired or was revoked."),
        ResidentErrorCode.AGREEMENT_NOT_DRAFT: _("Only an agreement awaiting approval can be approved."),
        ResidentErrorCode.SELF_APPROVAL: _("You cannot approve what you created or requested yourself."),
        ResidentErrorCode.ALREADY_APPROVED: _("You have already approved this."),
        ResidentErrorCode.POLICE_REQUEST_REQUIRED: _("The police receive data only through an approved request."),
        ResidentErrorCode.POLICE_REQUEST_NOT_USABLE: _("This police request is not approved or has expired."),
        ResidentErrorCode.POLICE_REQUEST_NOT_PENDING: _("This police request has already been decided."),
        ResidentErrorCode.NOT_POLICE: _("Only a police station can file this request."),
        ResidentErrorCode.IMPORT_NOT_RUNNING: _(
            "This import set is not running: it is finished, failed, cancelled or rolled back."
        ),
        ResidentErrorCode.IMPORT_NOT_ROLLBACKABLE: _("Only an import that wrote data can be rolled back."),
        ResidentErrorCode.IMPORT_COLUMNS_MISSING: _("The file lacks columns that the profile maps."),
        ResidentErrorCode.IMPORT_NOT_QUEUED: _("This import set is not waiting to be run."),
        ResidentErrorCode.IMPORT_NOT_RESUMABLE: _("Only a failed import set can be resumed."),
        ResidentErrorCode.IMPORT_UPLOAD_GONE: _("The uploaded file is no longer kept; upload it again."),
        ResidentErrorCode.REVIEW_ALREADY_DECIDED: _("This match has already been decided."),
    }


class SharingForbidden(ResidentError):
    """A disclosure refused by rule (no valid basis): 403, with a stable code."""

    http_status = 403
