"""Import of the area tree from CSV/XLSX.

Columns: ``code, name, level`` (required), ``parent_code, community_type, centre_lat,
centre_lng, population, address`` (optional). Every row is validated first; if any
row is bad, :class:`RowsInvalid` lists every problem (row, column, message) and
nothing is written. Otherwise rows are created or updated through the actions, parents
before children, in one transaction. Rows are matched by code, so importing the same
file again changes nothing (and writes no change records). An optional column that is
absent is left alone; present but blank clears the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.territory import actions
from gongzhi.territory.choices import AreaLevel, CommunityType
from gongzhi.territory.models import Area, code_validator
from gongzhi.territory.permissions import AreaPolicy, grant_reaches
from gongzhi.territory.tabular import ImportReport, RowError, RowsInvalid, read_table

REQUIRED = ["code", "name", "level"]
OPTIONAL = ["parent_code", "community_type", "centre_lat", "centre_lng", "population", "address"]
_UPDATABLE = ["name", "community_type", "centre_lat", "centre_lng", "population", "address"]


def choice_lookup(choices: Any) -> dict[str, Any]:
    """Accept a choice by value, English label or Chinese label (case-insensitive)."""
    table: dict[str, Any] = {}
    for value, label in choices.choices:
        table[str(value).lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                table[str(label).lower()] = value
    return table


@dataclass
class AreaRow:
    number: int
    code: str
    values: dict[str, Any] = field(default_factory=dict)  # updatable fields present in the file
    name: str = ""
    level: int | None = None
    parent_code: str = ""
    existing: Area | None = None
    path: str = ""


def _decimal(text: str, limit: int) -> Decimal:
    number = Decimal(text).quantize(Decimal("0.000001"))
    if not number.is_finite() or not -limit <= number <= limit:
        raise InvalidOperation
    return number


def _parse(table: Any, errors: list[RowError]) -> list[AreaRow]:
    levels = choice_lookup(AreaLevel)
    types = choice_lookup(CommunityType)
    name_max = Area._meta.get_field("name").max_length or 100
    address_max = Area._meta.get_field("address").max_length or 200
    rows: list[AreaRow] = []
    for raw in table.rows:
        v, n = raw.values, raw.number
        row = AreaRow(number=n, code=v["code"])
        if not row.code:
            errors.append(RowError(n, "code", _("A code is required.")))
        else:
            try:
                code_validator(row.code)
            except Exception:
                errors.append(RowError(n, "code", _("Use 1-32 letters, digits or hyphens.")))
        row.name = v["name"]
        if not row.name or len(row.name) > name_max:
            errors.append(RowError(n, "name", _("A name of at most %d characters is required.") % name_max))
        row.values["name"] = row.name
        level = levels.get(v["level"].lower())
        if level is None:
            errors.append(RowError(n, "level", _("Unknown level %s.") % v["level"][:20]))
        row.level = level
        row.parent_code = v.get("parent_code", "")
        if table.has("community_type"):
            ctype = v["community_type"]
            value = types.get(ctype.lower(), None) if ctype else ""
            if value is None:
                errors.append(RowError(n, "community_type", _("Unknown community type %s.") % ctype[:30]))
            elif value and level is not None and level != AreaLevel.COMMUNITY:
                errors.append(RowError(n, "community_type", _("Only communities have a community type.")))
            row.values["community_type"] = value or ""
        for column, limit in (("centre_lat", 90), ("centre_lng", 180)):
            if table.has(column):
                text = v[column]
                try:
                    row.values[column] = _decimal(text, limit) if text else None
                except (InvalidOperation, ValueError):
                    errors.append(RowError(n, column, _("Give a number between -%(n)d and %(n)d.") % {"n": limit}))
        if table.has("centre_lat") != table.has("centre_lng") or (
            table.has("centre_lat") and (v["centre_lat"] == "") != (v["centre_lng"] == "")
        ):
            errors.append(RowError(n, "centre_lat", _("Give both centre_lat and centre_lng, or neither.")))
        if table.has("population"):
            text = v["population"]
            if text and not (text.isdigit() and int(text) < 2**31):
                errors.append(RowError(n, "population", _("Give a whole number of people.")))
            row.values["population"] = int(text) if text.isdigit() and int(text) < 2**31 else None
        if table.has("address"):
            if len(v["address"]) > address_max:
                errors.append(RowError(n, "address", _("At most %d characters.") % address_max))
            row.values["address"] = v["address"]
        rows.append(row)
    return rows


def _resolve(rows: list[AreaRow], errors: list[RowError], actor: Any, check_scope: bool) -> list[AreaRow]:
    """Check the rows against each other and the database; return them parents first."""
    by_code: dict[str, AreaRow] = {}
    for row in rows:
        key = row.code.lower()
        if key and key in by_code:
            errors.append(RowError(row.number, "code", _("The code also appears in row %d.") % by_code[key].number))
        elif key:
            by_code[key] = row
    wanted = {r.code.lower() for r in rows if r.code} | {r.parent_code.lower() for r in rows if r.parent_code}
    existing = {a.lc: a for a in Area.objects.annotate(lc=Lower("code")).filter(lc__in=wanted)}
    for row in rows:
        row.existing = existing.get(row.code.lower())

    ordered: list[AreaRow] = []
    state: dict[str, str] = {}  # code -> "visiting" | "done"

    def place(row: AreaRow) -> bool:
        """Resolve ``row``'s parent (file or database) and its path; False if it cannot be placed."""
        key = row.code.lower()
        if state.get(key) == "done":
            return bool(row.path)
        if state.get(key) == "visiting":
            errors.append(RowError(row.number, "parent_code", _("The parents form a cycle.")))
            return False
        state[key] = "visiting"
        parent_level: int | None = None
        parent_path = ""
        ok = True
        pkey = row.parent_code.lower()
        if pkey:
            in_file = by_code.get(pkey)
            if in_file is not None:
                ok = place(in_file)
                parent_level, parent_path = in_file.level, in_file.path
            elif pkey in existing:
                parent_level, parent_path = existing[pkey].level, existing[pkey].path
                if not existing[pkey].is_active:
                    errors.append(RowError(row.number, "parent_code", _("The parent area is inactive.")))
                    ok = False
            else:
                errors.append(RowError(row.number, "parent_code", _("No area has the code %s.") % row.parent_code[:32]))
                ok = False
        if ok and row.level is not None and pkey and parent_level is not None and row.level != parent_level + 1:
            errors.append(RowError(row.number, "level", _("The level must be one below the parent's level.")))
            ok = False
        if ok and row.existing is not None:
            current_parent = row.existing.path[: -len(row.existing.code) - 1]
            if current_parent != parent_path:
                errors.append(RowError(row.number, "parent_code", _("Importing cannot move an area; use “move”.")))
                ok = False
            elif row.level is not None and row.level != row.existing.level:
                errors.append(RowError(row.number, "level", _("The level of an existing area cannot change.")))
                ok = False
        if ok and check_scope:
            if row.existing is not None:
                allowed = grant_reaches(actor, Area, "change", row.existing.path)
            elif parent_path:
                allowed = grant_reaches(actor, Area, "add", parent_path)
            else:
                allowed = AreaPolicy.can_add_under(actor, None)
            if not allowed:
                errors.append(RowError(row.number, "code", _("This area is outside your scope.")))
                ok = False
        state[key] = "done"
        if ok and row.code:
            row.path = Area.path_for(parent_path, row.code)
            ordered.append(row)
        return ok

    for row in rows:
        if row.code and by_code.get(row.code.lower()) is row:
            place(row)
    return ordered


def _changes(row: AreaRow) -> dict[str, Any]:
    area = row.existing
    assert area is not None
    return {f: v for f, v in row.values.items() if getattr(area, f) != v}


def import_areas(
    data: bytes, filename: str, *, actor: Any, dry_run: bool = False, check_scope: bool = True
) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) create/update areas in one transaction.

    ``check_scope``: each row must lie in the actor's add/change scope (the API and the
    admin); the management command runs as the system and turns it off.
    """
    table = read_table(data, filename, required=REQUIRED, optional=OPTIONAL)
    errors = list(table.errors)
    rows = _parse(table, errors)
    ordered = _resolve(rows, errors, actor, check_scope)
    if errors:
        raise RowsInvalid(errors)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        by_path: dict[str, Area] = {}
        for row in ordered:
            if row.existing is None:
                report.created += 1
                if dry_run:
                    continue
                parent_path = row.path[: -len(row.code) - 1]
                parent = by_path.get(parent_path) or (Area.objects.get(path=parent_path) if parent_path else None)
                area = actions.create_area(
                    actor=actor, code=row.code, level=row.level or 0, parent=parent, **row.values
                )
                by_path[area.path] = area
                continue
            by_path[row.existing.path] = row.existing
            changes = _changes(row)
            if not changes:
                report.unchanged += 1
                continue
            report.updated += 1
            if not dry_run:
                actions.update_area(row.existing, actor=actor, **changes)
    return report
