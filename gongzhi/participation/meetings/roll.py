"""Importing an estate's owners' roll from a CSV/XLSX export (a property company's or the
housing authority's list): one row per room, rows with the same owner name and evidence make
one owner of several rooms. Every row is validated first (the room must exist in the estate,
carry a floor area — from the register or the file — and be on no other record, nor twice in
the file); bad rows are reported by spreadsheet row and column and nothing is written. Then,
unless it is a dry run, each owner is registered through ``actions.register_owner`` in one
transaction (one audit record per owner; floor areas missing on the register are filled in
through ``territory.actions.update_room``, audited there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.participation.meetings import actions
from gongzhi.participation.meetings.models import Ownership
from gongzhi.territory import actions as territory_actions
from gongzhi.territory.models import Area, Room
from gongzhi.territory.tabular import (
    ImportReport,
    RowError,
    RowsInvalid,
    Table,
    TabularError,
    TabularErrorCode,
    read_table,
)

REQUIRED = ["building", "unit", "room", "name", "evidence"]
OPTIONAL = ["floor_area", "phone"]
#: Chinese headers as the exports usually have them.
ALIASES = {
    "楼栋": "building",
    "单元": "unit",
    "房号": "room",
    "业主姓名": "name",
    "产权证明": "evidence",
    "建筑面积": "floor_area",
    "手机号": "phone",
}


@dataclass
class _Owner:
    name: str
    evidence: str
    phone: str
    rooms: list[Room] = field(default_factory=list)
    fill_area: dict[int, Decimal] = field(default_factory=dict)


def _area(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and Decimal("0") < value < Decimal("100000") else None


def _read(data: bytes, filename: str) -> Table:
    """The table with our column names; the usual Chinese headers of the exports are accepted."""
    table = read_table(data, filename, required=[], optional=REQUIRED + OPTIONAL + list(ALIASES))
    table.columns = [ALIASES.get(c, c) for c in table.columns]
    if len(set(table.columns)) != len(table.columns):
        raise TabularError(TabularErrorCode.DUPLICATE_COLUMNS)
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise TabularError(
            TabularErrorCode.MISSING_COLUMNS, _("Missing columns: %s") % ", ".join(missing), columns=missing
        )
    for row in table.rows:
        row.values = {ALIASES.get(k, k): v for k, v in row.values.items()}
    return table


def import_owner_roll(data: bytes, filename: str, *, actor: Any, estate: Area, dry_run: bool = False) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) register the owners in one transaction."""
    table = _read(data, filename)
    errors: list[RowError] = list(table.errors)
    rooms = {
        (r.unit.building.name, r.unit.number, r.number): r
        for r in Room.objects.filter(unit__building__area_path__startswith=estate.path).select_related("unit__building")
    }
    owned = set(Ownership.objects.filter(room__in=list(rooms.values())).values_list("room_id", flat=True))
    seen: dict[int, int] = {}
    owners: dict[tuple[str, str], _Owner] = {}
    for row in table.rows:
        v = row.values
        for column in REQUIRED:
            if not v.get(column):
                errors.append(RowError(row.number, column, _("This value is required.")))
        room = rooms.get((v.get("building", ""), v.get("unit", ""), v.get("room", "")))
        if room is None:
            if all(v.get(c) for c in ("building", "unit", "room")):
                errors.append(RowError(row.number, "room", _("No such room in this estate.")))
            continue
        if room.pk in owned:
            errors.append(RowError(row.number, "room", _("This room is already on the owners' roll.")))
        if room.pk in seen:
            errors.append(RowError(row.number, "room", _("This room is also in row %s.") % seen[room.pk]))
        seen.setdefault(room.pk, row.number)
        given = v.get("floor_area", "")
        area = _area(given) if given else None
        if given and area is None:
            errors.append(RowError(row.number, "floor_area", _("Enter a floor area in m², e.g. 89.50.")))
        elif area is not None and room.floor_area is not None and area != room.floor_area:
            errors.append(RowError(row.number, "floor_area", _("Differs from the register (%s m²).") % room.floor_area))
        elif area is None and room.floor_area is None:
            errors.append(RowError(row.number, "floor_area", _("The register has no floor area for this room.")))
        key = (v.get("name", "")[:64], v.get("evidence", "")[:200])
        owner = owners.setdefault(key, _Owner(name=key[0], evidence=key[1], phone=v.get("phone", "")))
        owner.rooms.append(room)
        if area is not None and room.floor_area is None:
            owner.fill_area[room.pk] = area
    if errors:
        raise RowsInvalid(errors)
    report = ImportReport(dry_run=dry_run, created=len(owners))
    if dry_run:
        return report
    users = get_user_model().objects
    with transaction.atomic():
        for owner in owners.values():
            for room in owner.rooms:
                if room.pk in owner.fill_area:
                    territory_actions.update_room(room, actor=actor, floor_area=owner.fill_area[room.pk])
                    room.floor_area = owner.fill_area[room.pk]
            account = users.filter(phone=owner.phone).first() if owner.phone else None
            actions.register_owner(
                actor=actor, estate=estate, name=owner.name, rooms=owner.rooms, evidence=owner.evidence, user=account
            )
    return report
