"""Territory policies: who may view, add, change, move and deactivate areas and buildings.

Scope checks here run in memory against the user's cached grants (no query): a grant
reaches an object when the object's area path lies in the grant's subtree (a grant
without an area is system-wide). State checks (active, not a root) come on top.

| verb        | needs                                                                    |
|-------------|--------------------------------------------------------------------------|
| view        | ``view_<model>`` on a grant whose subtree holds the object               |
| add         | ``add_<model>`` on a grant whose subtree holds the parent / grid         |
| change      | ``change_<model>`` reaching the object                                   |
| move        | ``change_area`` reaching the area *and* the new parent; not a top-level  |
| deactivate  | ``change_area`` strictly inside a grant (not the grant's own area); active|
| import      | ``import_area`` anywhere (each row is then checked against scope)        |
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gongzhi.access.choices import ORGANISATION_SCOPED_ROLES
from gongzhi.access.policy import Policy
from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.territory.models import Area, Building, Room, Unit


def grant_reaches(
    user: Any,
    model: type[models.Model],
    verb: str,
    path: str,
    *,
    organisation_id: Any = None,
    strictly_inside: bool = False,
) -> bool:
    """Does one of the user's grants holding ``<verb>_<model>`` cover ``path``?

    ``organisation_id``: for organisation-scoped roles (department handler, property
    staff …) the grant must also be for that organisation. ``strictly_inside``: the
    grant's own area does not count (nobody retires or moves the area they are granted on).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    for grant in grants_with_permission(user, permission_name(model, verb)):
        scoped_to_organisation = grant.role in ORGANISATION_SCOPED_ROLES and grant.organisation_id
        if organisation_id is not None and scoped_to_organisation and grant.organisation_id != organisation_id:
            continue
        if not grant.area_path:
            return True
        if path.startswith(grant.area_path) and not (strictly_inside and path == grant.area_path):
            return True
    return False


class AreaPolicy(Policy):
    model = Area

    @classmethod
    def can_view(cls, user: Any, area: Area | None) -> bool:
        return cls.has_permission(user, "view") if area is None else grant_reaches(user, Area, "view", area.path)

    @classmethod
    def can_add(cls, user: Any, parent: Area | None = None) -> bool:
        """Without a parent: may the user add areas at all (list-level check)."""
        return cls.has_permission(user, "add")

    @classmethod
    def can_add_under(cls, user: Any, parent: Area | None) -> bool:
        """A top-level area needs a system-wide grant; otherwise the parent must be in add scope."""
        if parent is None:
            return any(not g.area_path for g in grants_with_permission(user, permission_name(Area, "add")))
        return grant_reaches(user, Area, "add", parent.path)

    @classmethod
    def can_change(cls, user: Any, area: Area | None) -> bool:
        return cls.has_permission(user, "change") if area is None else grant_reaches(user, Area, "change", area.path)

    @classmethod
    def can_move(cls, user: Any, area: Area | None) -> bool:
        if area is None:
            return cls.has_permission(user, "change")
        return area.parent_id is not None and grant_reaches(user, Area, "change", area.path, strictly_inside=True)

    @classmethod
    def can_move_to(cls, user: Any, area: Area, new_parent: Area) -> bool:
        """Both ends of the move lie in the user's change scope: nothing leaves it."""
        return cls.can_move(user, area) and grant_reaches(user, Area, "change", new_parent.path)

    @classmethod
    def can_deactivate(cls, user: Any, area: Area | None) -> bool:
        if area is None:
            return cls.has_permission(user, "change")
        return area.is_active and grant_reaches(user, Area, "change", area.path, strictly_inside=True)

    @classmethod
    def can_import(cls, user: Any, obj: Any = None) -> bool:
        return cls.has_permission(user, "import")


class BuildingPolicy(Policy):
    model = Building

    @classmethod
    def can_view(cls, user: Any, building: Building | None) -> bool:
        if building is None:
            return cls.has_permission(user, "view")
        return grant_reaches(user, Building, "view", building.area_path)

    @classmethod
    def can_add_in(cls, user: Any, grid: Area) -> bool:
        return grant_reaches(user, Building, "add", grid.path)

    @classmethod
    def can_change(cls, user: Any, building: Building | None) -> bool:
        if building is None:
            return cls.has_permission(user, "change")
        return grant_reaches(user, Building, "change", building.area_path)

    @classmethod
    def can_move_to(cls, user: Any, building: Building, grid: Area) -> bool:
        return cls.can_change(user, building) and grant_reaches(user, Building, "change", grid.path)


class UnitPolicy(Policy):
    model = Unit

    @classmethod
    def can_add_in(cls, user: Any, building: Building) -> bool:
        return grant_reaches(user, Unit, "add", building.area_path)

    @classmethod
    def can_change(cls, user: Any, unit: Unit | None) -> bool:
        if unit is None:
            return cls.has_permission(user, "change")
        return grant_reaches(user, Unit, "change", unit.building.area_path)


class RoomPolicy(Policy):
    model = Room

    @classmethod
    def can_add_in(cls, user: Any, unit: Unit) -> bool:
        return grant_reaches(user, Room, "add", unit.building.area_path)

    @classmethod
    def can_change(cls, user: Any, room: Room | None) -> bool:
        if room is None:
            return cls.has_permission(user, "change")
        return grant_reaches(user, Room, "change", room.unit.building.area_path)
