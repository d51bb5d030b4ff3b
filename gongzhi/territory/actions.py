"""Territory actions: every write to areas, buildings, units and rooms goes through one.

Each action is atomic and writes exactly one change record. Moving an area rewrites
the materialised path of its whole subtree and of every registered ``*_path`` copy
(see :mod:`gongzhi.territory.paths`) with bulk UPDATEs, still as one recorded change.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action
from gongzhi.territory import paths
from gongzhi.territory.choices import AreaLevel, BuildingUse
from gongzhi.territory.errors import TerritoryError, TerritoryErrorCode
from gongzhi.territory.geojson import BoundaryInvalid, validate_boundary
from gongzhi.territory.models import Area, Building, Room, Unit


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" (None is a real value: it clears a field).
UNSET: Any = _Unset()

_PATH_MAX = Area._meta.get_field("path").max_length or 255
_SIX_PLACES = Decimal("0.000001")


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """Field-level checks (lengths, formats, choices) before saving; raises ValidationError (→ 400)."""
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _save(obj: models.Model, code: TerritoryErrorCode, field: str, update_fields: list[str] | None = None) -> None:
    """Save, turning a unique-constraint race into the domain error the pre-check would have raised."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise TerritoryError(code, field=field) from exc


def _coordinate(value: Any, limit: int, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(_SIX_PLACES)
    except (InvalidOperation, ValueError) as exc:
        raise TerritoryError(TerritoryErrorCode.INVALID_CENTRE, field=field) from exc
    if not number.is_finite() or not -limit <= number <= limit:
        raise TerritoryError(TerritoryErrorCode.INVALID_CENTRE, field=field)
    return number


def _boundary(value: Any) -> dict[str, Any] | None:
    try:
        return validate_boundary(value)
    except BoundaryInvalid as exc:
        raise TerritoryError(TerritoryErrorCode.INVALID_BOUNDARY, field="boundary", reason=str(exc)) from exc


def _check_community_type(level: int, community_type: str) -> None:
    if community_type and level != AreaLevel.COMMUNITY:
        raise TerritoryError(TerritoryErrorCode.COMMUNITY_TYPE_NOT_ALLOWED, field="community_type")


def _check_centre(area: Area) -> None:
    if (area.centre_lat is None) != (area.centre_lng is None):
        raise TerritoryError(TerritoryErrorCode.INVALID_CENTRE, field="centre_lat")


def _code_taken(code: str, exclude_pk: int | None = None) -> bool:
    # Codes are compared case-insensitively: SQLite's LIKE (used for subtree lookups) is.
    return Area.objects.filter(code__iexact=code).exclude(pk=exclude_pk).exists()


def _check_can_deactivate(area: Area) -> None:
    if not area.is_active:
        raise TerritoryError(TerritoryErrorCode.ALREADY_INACTIVE)
    if area.children.filter(is_active=True).exists():
        raise TerritoryError(TerritoryErrorCode.HAS_ACTIVE_CHILDREN)


@action
def create_area(
    *,
    actor: Any,
    code: str,
    name: str,
    level: int,
    parent: Area | None = None,
    community_type: str = "",
    centre_lat: Any = None,
    centre_lng: Any = None,
    boundary: Any = None,
    population: int | None = None,
    address: str = "",
) -> Area:
    """Add an area under ``parent`` (or a top-level area). Its path is the parent's plus its code."""
    level = int(level)
    if parent is not None:
        if not parent.is_active:
            raise TerritoryError(TerritoryErrorCode.PARENT_INACTIVE, field="parent")
        if level != parent.level + 1:
            raise TerritoryError(TerritoryErrorCode.LEVEL_MISMATCH, field="level")
    _check_community_type(level, community_type or "")
    area = Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=Area.path_for(parent.path if parent else "", code),
        community_type=community_type or "",
        centre_lat=_coordinate(centre_lat, 90, "centre_lat"),
        centre_lng=_coordinate(centre_lng, 180, "centre_lng"),
        boundary=_boundary(boundary),
        population=population,
        address=address or "",
    )
    _check_centre(area)
    if len(area.path) > _PATH_MAX:
        raise TerritoryError(TerritoryErrorCode.PATH_TOO_LONG, field="code")
    _clean(area, exclude=["path"])
    if _code_taken(code):
        raise TerritoryError(TerritoryErrorCode.CODE_TAKEN, field="code")
    _save(area, TerritoryErrorCode.CODE_TAKEN, "code")
    record_change(area, verb="create_area", actor=actor, related=parent)
    return area


@action
def update_area(
    area: Area,
    *,
    actor: Any,
    name: Any = UNSET,
    community_type: Any = UNSET,
    centre_lat: Any = UNSET,
    centre_lng: Any = UNSET,
    boundary: Any = UNSET,
    population: Any = UNSET,
    address: Any = UNSET,
    is_active: Any = UNSET,
) -> Area:
    """Change an area's descriptive fields. Code, level and parent do not change here
    (moving is :func:`move_area`); ``is_active=False`` follows :func:`deactivate_area`'s rules."""
    before = snapshot(area)
    changes: dict[str, Any] = {}
    if name is not UNSET:
        changes["name"] = name
    if community_type is not UNSET:
        _check_community_type(area.level, community_type or "")
        changes["community_type"] = community_type or ""
    if centre_lat is not UNSET:
        changes["centre_lat"] = _coordinate(centre_lat, 90, "centre_lat")
    if centre_lng is not UNSET:
        changes["centre_lng"] = _coordinate(centre_lng, 180, "centre_lng")
    if boundary is not UNSET:
        changes["boundary"] = _boundary(boundary)
    if population is not UNSET:
        changes["population"] = population
    if address is not UNSET:
        changes["address"] = address or ""
    if is_active is not UNSET and bool(is_active) != area.is_active:
        if is_active:
            if area.parent_id and not Area.objects.filter(pk=area.parent_id, is_active=True).exists():
                raise TerritoryError(TerritoryErrorCode.PARENT_INACTIVE, field="is_active")
        else:
            _check_can_deactivate(area)
        changes["is_active"] = bool(is_active)
    for field, value in changes.items():
        setattr(area, field, value)
    _check_centre(area)
    _clean(area, exclude=["path"])
    area.save(update_fields=[*changes, "updated_at"])
    record_change(area, verb="update_area", actor=actor, before=before)
    return area


@action
def move_area(area: Area, *, actor: Any, new_parent: Area) -> Area:
    """Re-parent ``area`` and its subtree under ``new_parent`` (which must be one level up).

    One UPDATE rewrites the paths of the subtree; one UPDATE per registered ``*_path``
    column (buildings, role grants, organisations, duty lists, …) follows. The change
    record names the old and new path and how many rows each column changed.
    """
    area = Area.objects.select_for_update().get(pk=area.pk)
    if area.parent_id is None:
        raise TerritoryError(TerritoryErrorCode.CANNOT_MOVE_ROOT)
    if new_parent.pk == area.parent_id:
        raise TerritoryError(TerritoryErrorCode.MOVE_TO_SAME_PARENT, field="parent")
    if new_parent.path.startswith(area.path):
        raise TerritoryError(TerritoryErrorCode.MOVE_INTO_OWN_SUBTREE, field="parent")
    if new_parent.level != area.level - 1:
        raise TerritoryError(TerritoryErrorCode.LEVEL_MISMATCH, field="parent")
    if not new_parent.is_active:
        raise TerritoryError(TerritoryErrorCode.PARENT_INACTIVE, field="parent")
    old_path = area.path
    new_path = Area.path_for(new_parent.path, area.code)
    subtree = Area.objects.filter(path__startswith=old_path)
    longest = subtree.aggregate(longest=Max(Length("path")))["longest"] or len(old_path)
    if longest - len(old_path) + len(new_path) > _PATH_MAX:
        raise TerritoryError(TerritoryErrorCode.PATH_TOO_LONG, field="parent")
    before = snapshot(area)
    moved_areas = subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
        updated_at=timezone.now(),
    )
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    copies = paths.rewrite_registered(old_path, new_path)
    area.refresh_from_db()
    record_change(
        area,
        verb="move_area",
        actor=actor,
        before=before,
        after={**snapshot(area), "moved": {"territory.Area.path": moved_areas, **copies}},  # type: ignore[dict-item]
        related=new_parent,
    )
    return area


@action
def deactivate_area(area: Area, *, actor: Any) -> Area:
    """Retire an area (areas are never deleted: records keep pointing at them)."""
    before = snapshot(area)
    _check_can_deactivate(area)
    area.is_active = False
    area.save(update_fields=["is_active", "updated_at"])
    record_change(area, verb="deactivate_area", actor=actor, before=before)
    return area


# --- buildings, units, rooms ----------------------------------------------------------


def _check_grid(grid: Area) -> None:
    if grid.level != AreaLevel.GRID:
        raise TerritoryError(TerritoryErrorCode.NOT_A_GRID, field="grid")
    if not grid.is_active:
        raise TerritoryError(TerritoryErrorCode.AREA_INACTIVE, field="grid")


def _building_name_taken(grid: Area, name: str, exclude_pk: int | None = None) -> bool:
    return Building.objects.filter(grid=grid, name=name).exclude(pk=exclude_pk).exists()


@action
def create_building(
    grid: Area,
    *,
    actor: Any,
    name: str,
    address: str,
    use: str = BuildingUse.RESIDENTIAL,
    floors: int | None = None,
    built_year: int | None = None,
    has_lift: bool = False,
    lat: Any = None,
    lng: Any = None,
) -> Building:
    """Add a building to a grid; it copies the grid's path for scoping."""
    _check_grid(grid)
    building = Building(
        grid=grid,
        area_path=grid.path,
        name=name,
        address=address,
        use=use,
        floors=floors,
        built_year=built_year,
        has_lift=has_lift,
        lat=_coordinate(lat, 90, "lat"),
        lng=_coordinate(lng, 180, "lng"),
    )
    _clean(building)
    if _building_name_taken(grid, name):
        raise TerritoryError(TerritoryErrorCode.BUILDING_NAME_TAKEN, field="name")
    _save(building, TerritoryErrorCode.BUILDING_NAME_TAKEN, "name")
    record_change(building, verb="create_building", actor=actor, related=grid)
    return building


@action
def update_building(
    building: Building,
    *,
    actor: Any,
    grid: Any = UNSET,
    name: Any = UNSET,
    address: Any = UNSET,
    use: Any = UNSET,
    floors: Any = UNSET,
    built_year: Any = UNSET,
    has_lift: Any = UNSET,
    lat: Any = UNSET,
    lng: Any = UNSET,
) -> Building:
    """Change a building; giving another ``grid`` moves it there (and its path with it)."""
    before = snapshot(building)
    changes: dict[str, Any] = {}
    if grid is not UNSET and grid.pk != building.grid_id:
        _check_grid(grid)
        changes.update(grid=grid, area_path=grid.path)
    for field, value in (
        ("name", name),
        ("address", address),
        ("use", use),
        ("floors", floors),
        ("built_year", built_year),
        ("has_lift", has_lift),
    ):
        if value is not UNSET:
            changes[field] = value
    if lat is not UNSET:
        changes["lat"] = _coordinate(lat, 90, "lat")
    if lng is not UNSET:
        changes["lng"] = _coordinate(lng, 180, "lng")
    for field, value in changes.items():
        setattr(building, field, value)
    _clean(building)
    if ("name" in changes or "grid" in changes) and _building_name_taken(building.grid, building.name, building.pk):
        raise TerritoryError(TerritoryErrorCode.BUILDING_NAME_TAKEN, field="name")
    _save(building, TerritoryErrorCode.BUILDING_NAME_TAKEN, "name", update_fields=[*changes, "updated_at"])
    record_change(building, verb="update_building", actor=actor, before=before)
    return building


@action
def create_unit(building: Building, *, actor: Any, number: str) -> Unit:
    """Add a unit (单元) to a building."""
    unit = Unit(building=building, number=number)
    _clean(unit)
    if Unit.objects.filter(building=building, number=number).exists():
        raise TerritoryError(TerritoryErrorCode.UNIT_NUMBER_TAKEN, field="number")
    _save(unit, TerritoryErrorCode.UNIT_NUMBER_TAKEN, "number")
    record_change(unit, verb="create_unit", actor=actor, related=building)
    return unit


@action
def update_unit(unit: Unit, *, actor: Any, number: str) -> Unit:
    """Renumber a unit."""
    before = snapshot(unit)
    unit.number = number
    _clean(unit)
    if Unit.objects.filter(building_id=unit.building_id, number=number).exclude(pk=unit.pk).exists():
        raise TerritoryError(TerritoryErrorCode.UNIT_NUMBER_TAKEN, field="number")
    _save(unit, TerritoryErrorCode.UNIT_NUMBER_TAKEN, "number", update_fields=["number", "updated_at"])
    record_change(unit, verb="update_unit", actor=actor, before=before)
    return unit


def _floor_area(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise TerritoryError(TerritoryErrorCode.INVALID_VALUE, field="floor_area") from exc
    if not number.is_finite() or number <= 0:
        raise TerritoryError(TerritoryErrorCode.INVALID_VALUE, field="floor_area")
    return number


@action
def create_room(unit: Unit, *, actor: Any, number: str, floor: int | None = None, floor_area: Any = None) -> Room:
    """Add a room (室) to a unit."""
    room = Room(unit=unit, number=number, floor=floor, floor_area=_floor_area(floor_area))
    _clean(room)
    if Room.objects.filter(unit=unit, number=number).exists():
        raise TerritoryError(TerritoryErrorCode.ROOM_NUMBER_TAKEN, field="number")
    _save(room, TerritoryErrorCode.ROOM_NUMBER_TAKEN, "number")
    record_change(room, verb="create_room", actor=actor, related=unit)
    return room


@action
def update_room(room: Room, *, actor: Any, number: Any = UNSET, floor: Any = UNSET, floor_area: Any = UNSET) -> Room:
    """Change a room's number, floor or floor area."""
    before = snapshot(room)
    changes: dict[str, Any] = {}
    if number is not UNSET:
        changes["number"] = number
    if floor is not UNSET:
        changes["floor"] = floor
    if floor_area is not UNSET:
        changes["floor_area"] = _floor_area(floor_area)
    for field, value in changes.items():
        setattr(room, field, value)
    _clean(room)
    if (
        "number" in changes
        and Room.objects.filter(unit_id=room.unit_id, number=room.number).exclude(pk=room.pk).exists()
    ):
        raise TerritoryError(TerritoryErrorCode.ROOM_NUMBER_TAKEN, field="number")
    _save(room, TerritoryErrorCode.ROOM_NUMBER_TAKEN, "number", update_fields=[*changes, "updated_at"])
    record_change(room, verb="update_room", actor=actor, before=before)
    return room
