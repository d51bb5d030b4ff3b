from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class PrivacyErrorCode(StrEnum):
    REVEAL_NOT_PERMITTED = "reveal_not_permitted"
    PURPOSE_REQUIRED = "purpose_required"
    FIELD_NOT_REVEALABLE = "field_not_revealable"
    CONSENT_ALREADY_GIVEN = "consent_already_given"
    CONSENT_ALREADY_WITHDRAWN = "consent_already_withdrawn"
    GUARDIAN_REQUIRED = "guardian_required"
    NOTICE_VERSION_EXISTS = "notice_version_exists"
    NO_CURRENT_NOTICE = "no_current_notice"


class PrivacyError(DomainError):
    http_status = 409
    messages = {
        PrivacyErrorCode.REVEAL_NOT_PERMITTED: _("You may not reveal this value."),
        PrivacyErrorCode.PURPOSE_REQUIRED: _("State why you need to see the full value."),
        PrivacyErrorCode.FIELD_NOT_REVEALABLE: _("This field cannot be revealed."),
        PrivacyErrorCode.CONSENT_ALREADY_GIVEN: _("Consent for this purpose is already on record."),
        PrivacyErrorCode.CONSENT_ALREADY_WITHDRAWN: _("This consent was already withdrawn."),
        PrivacyErrorCode.GUARDIAN_REQUIRED: _("A guardian must give consent for a child under 14."),
        PrivacyErrorCode.NOTICE_VERSION_EXISTS: _("A privacy notice with this version already exists."),
        PrivacyErrorCode.NO_CURRENT_NOTICE: _("No privacy notice has been published yet."),
    }


class PrivacyForbidden(PrivacyError):
    http_status = 403
