"""Domain errors of the Open311 interface; the views render them as GeoReport errors."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class Open311ErrorCode(StrEnum):
    INVALID_API_KEY = "invalid_api_key"
    UNKNOWN_SERVICE = "unknown_service"
    UNKNOWN_JURISDICTION = "unknown_jurisdiction"
    LOCATION_REQUIRED = "location_required"
    LOCATION_NOT_SERVED = "location_not_served"
    CONTACT_REQUIRED = "contact_required"
    DESCRIPTION_REQUIRED = "description_required"
    INVALID_VALUE = "invalid_value"
    INVALID_DATE = "invalid_date"
    DATE_RANGE_TOO_LONG = "date_range_too_long"
    NOT_FOUND = "not_found"
    REJECTED = "rejected"


class Open311Error(DomainError):
    """A GeoReport request broke a rule; ``http_status`` is per code (400, 403 or 404)."""

    messages = {
        Open311ErrorCode.INVALID_API_KEY.value: _("The api_key is missing, unknown or revoked."),
        Open311ErrorCode.UNKNOWN_SERVICE.value: _("Unknown service_code."),
        Open311ErrorCode.UNKNOWN_JURISDICTION.value: _("Unknown jurisdiction_id."),
        Open311ErrorCode.LOCATION_REQUIRED.value: _("Give lat and long, or an address_id."),
        Open311ErrorCode.LOCATION_NOT_SERVED.value: _("The location is outside the areas this client may report in."),
        Open311ErrorCode.CONTACT_REQUIRED.value: _("A phone number is required so that the resident can be reached."),
        Open311ErrorCode.DESCRIPTION_REQUIRED.value: _("A description is required."),
        Open311ErrorCode.INVALID_VALUE.value: _("Invalid value."),
        Open311ErrorCode.INVALID_DATE.value: _("Dates must be W3C date-times, e.g. 2026-11-01T00:00:00+08:00."),
        Open311ErrorCode.DATE_RANGE_TOO_LONG.value: _("start_date and end_date may be at most 90 days apart."),
        Open311ErrorCode.NOT_FOUND.value: _("Not found."),
        Open311ErrorCode.REJECTED.value: _("The request was not accepted."),
    }
    statuses = {
        Open311ErrorCode.INVALID_API_KEY: 403,
        Open311ErrorCode.NOT_FOUND: 404,
    }

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return self.statuses.get(self.code, 400)  # type: ignore[call-overload]
