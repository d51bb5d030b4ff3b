"""Organisation rule violations, each with a stable code the API returns."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class OrganisationErrorCode(StrEnum):
    CODE_TAKEN = "code_taken"
    SEAT_INACTIVE = "seat_inactive"
    PARENT_CYCLE = "parent_cycle"
    AREA_INACTIVE = "area_inactive"
    DUTY_EXISTS = "duty_exists"
    DUTY_AREA_NOT_SERVED = "duty_area_not_served"
    CATEGORY_CODE_TAKEN = "category_code_taken"
    CATEGORY_TOO_DEEP = "category_too_deep"
    CATEGORY_INACTIVE = "category_inactive"
    ORGANISATION_INACTIVE = "organisation_inactive"


_CONFLICTS = frozenset(
    {
        OrganisationErrorCode.CODE_TAKEN,
        OrganisationErrorCode.SEAT_INACTIVE,
        OrganisationErrorCode.AREA_INACTIVE,
        OrganisationErrorCode.DUTY_EXISTS,
        OrganisationErrorCode.CATEGORY_CODE_TAKEN,
        OrganisationErrorCode.CATEGORY_INACTIVE,
        OrganisationErrorCode.ORGANISATION_INACTIVE,
    }
)

MESSAGES = {
    OrganisationErrorCode.CODE_TAKEN: _("An organisation with this code already exists."),
    OrganisationErrorCode.SEAT_INACTIVE: _("The seat area is inactive."),
    OrganisationErrorCode.PARENT_CYCLE: _("An organisation cannot be its own parent or ancestor."),
    OrganisationErrorCode.AREA_INACTIVE: _("The area is inactive."),
    OrganisationErrorCode.DUTY_EXISTS: _("This organisation already has this duty in this area."),
    OrganisationErrorCode.DUTY_AREA_NOT_SERVED: _("The organisation does not serve this area."),
    OrganisationErrorCode.CATEGORY_CODE_TAKEN: _("A matter category with this code already exists."),
    OrganisationErrorCode.CATEGORY_TOO_DEEP: _("Matter categories are at most three levels deep."),
    OrganisationErrorCode.CATEGORY_INACTIVE: _("The matter category is inactive."),
    OrganisationErrorCode.ORGANISATION_INACTIVE: _("The organisation is inactive."),
}


class OrganisationError(DomainError):
    http_status = 400

    def __init__(
        self, code: OrganisationErrorCode, detail: str | None = None, *, field: str | None = None, **params: Any
    ) -> None:
        super().__init__(code, detail or str(MESSAGES.get(code, code.value)), field=field, **params)
        if code in _CONFLICTS:
            self.http_status = 409  # type: ignore[misc]
