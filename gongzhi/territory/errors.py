"""Territory rule violations, each with a stable code the API returns."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class TerritoryErrorCode(StrEnum):
    CODE_TAKEN = "code_taken"
    LEVEL_MISMATCH = "level_mismatch"
    PARENT_INACTIVE = "parent_inactive"
    COMMUNITY_TYPE_NOT_ALLOWED = "community_type_not_allowed"
    INVALID_BOUNDARY = "invalid_boundary"
    INVALID_CENTRE = "invalid_centre"
    PATH_TOO_LONG = "path_too_long"
    MOVE_INTO_OWN_SUBTREE = "move_into_own_subtree"
    MOVE_TO_SAME_PARENT = "move_to_same_parent"
    CANNOT_MOVE_ROOT = "cannot_move_root"
    HAS_ACTIVE_CHILDREN = "has_active_children"
    ALREADY_INACTIVE = "already_inactive"
    NOT_A_GRID = "not_a_grid"
    AREA_INACTIVE = "area_inactive"
    BUILDING_NAME_TAKEN = "building_name_taken"
    UNIT_NUMBER_TAKEN = "unit_number_taken"
    ROOM_NUMBER_TAKEN = "room_number_taken"
    INVALID_VALUE = "invalid_value"


#: Codes that describe a clash with the current state rather than bad input.
_CONFLICTS = frozenset(
    {
        TerritoryErrorCode.CODE_TAKEN,
        TerritoryErrorCode.PARENT_INACTIVE,
        TerritoryErrorCode.MOVE_INTO_OWN_SUBTREE,
        TerritoryErrorCode.MOVE_TO_SAME_PARENT,
        TerritoryErrorCode.HAS_ACTIVE_CHILDREN,
        TerritoryErrorCode.ALREADY_INACTIVE,
        TerritoryErrorCode.AREA_INACTIVE,
        TerritoryErrorCode.BUILDING_NAME_TAKEN,
        TerritoryErrorCode.UNIT_NUMBER_TAKEN,
        TerritoryErrorCode.ROOM_NUMBER_TAKEN,
    }
)

MESSAGES = {
    TerritoryErrorCode.CODE_TAKEN: _("An area with this code already exists."),
    TerritoryErrorCode.LEVEL_MISMATCH: _("The level must be one below the parent's level."),
    TerritoryErrorCode.PARENT_INACTIVE: _("The parent area is inactive."),
    TerritoryErrorCode.COMMUNITY_TYPE_NOT_ALLOWED: _("Only communities have a community type."),
    TerritoryErrorCode.INVALID_BOUNDARY: _("The boundary must be a GeoJSON Polygon or MultiPolygon."),
    TerritoryErrorCode.INVALID_CENTRE: _("The centre needs both a latitude (-90 to 90) and a longitude (-180 to 180)."),
    TerritoryErrorCode.PATH_TOO_LONG: _("The area tree would become too deep for its codes."),
    TerritoryErrorCode.MOVE_INTO_OWN_SUBTREE: _("An area cannot be moved under itself or its descendants."),
    TerritoryErrorCode.MOVE_TO_SAME_PARENT: _("The area is already under this parent."),
    TerritoryErrorCode.CANNOT_MOVE_ROOT: _("A top-level area cannot be moved."),
    TerritoryErrorCode.HAS_ACTIVE_CHILDREN: _("Deactivate the areas under this one first."),
    TerritoryErrorCode.ALREADY_INACTIVE: _("The area is already inactive."),
    TerritoryErrorCode.NOT_A_GRID: _("Buildings belong to a grid."),
    TerritoryErrorCode.AREA_INACTIVE: _("The area is inactive."),
    TerritoryErrorCode.BUILDING_NAME_TAKEN: _("This grid already has a building with this name."),
    TerritoryErrorCode.UNIT_NUMBER_TAKEN: _("This building already has a unit with this number."),
    TerritoryErrorCode.ROOM_NUMBER_TAKEN: _("This unit already has a room with this number."),
    TerritoryErrorCode.INVALID_VALUE: _("Invalid value."),
}


class TerritoryError(DomainError):
    http_status = 400

    def __init__(
        self, code: TerritoryErrorCode, detail: str | None = None, *, field: str | None = None, **params: Any
    ) -> None:
        super().__init__(code, detail or str(MESSAGES.get(code, code.value)), field=field, **params)
        if code in _CONFLICTS:
            self.http_status = 409  # type: ignore[misc]
