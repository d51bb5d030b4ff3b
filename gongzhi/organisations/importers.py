"""Import of organisations, the areas they serve and their duty lists from CSV/XLSX.

Columns: ``code, name, kind, seat_code`` (required), ``parent_code, serves,
contact_name, contact_phone, address, duties`` (optional). ``serves`` lists area codes
separated by ``;``. ``duties`` lists ``category_code@area_code`` (lead) or
``category_code@area_code@assist`` separated by ``;``; when the column is present it
is the organisation's whole duty list (lines not in it are removed). An absent
optional column leaves that data alone. Every row is validated first; any problem →
:class:`RowsInvalid` and nothing is written. Matching is by code, so re-importing the
same file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from gongzhi.organisations import actions
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation, OrganisationArea
from gongzhi.organisations.permissions import DutyAssignmentPolicy, OrganisationPolicy
from gongzhi.territory.importers import choice_lookup
from gongzhi.territory.models import Area
from gongzhi.territory.permissions import grant_reaches
from gongzhi.territory.tabular import ImportReport, RowError, RowsInvalid, read_table

REQUIRED = ["code", "name", "kind", "seat_code"]
OPTIONAL = ["parent_code", "serves", "contact_name", "contact_phone", "address", "duties"]
_SPLIT = re.compile(r"[;；]")


def _codes(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


@dataclass
class OrgRow:
    number: int
    code: str
    parent_code: str = ""
    seat: Area | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    serves: list[Area] | None = None
    duties: dict[tuple[int, int], tuple[MatterCategory, Area, str]] | None = None
    existing: Organisation | None = None


def _lookup_areas(codes: set[str]) -> dict[str, Area]:
    return {a.lc: a for a in Area.objects.annotate(lc=Lower("code")).filter(lc__in={c.lower() for c in codes})}


def _parse(table: Any, errors: list[RowError]) -> list[OrgRow]:
    kinds = choice_lookup(OrganisationKind)
    roles = choice_lookup(DutyRole)
    meta = Organisation._meta
    limits = {
        f: getattr(meta.get_field(f), "max_length", None) or 0
        for f in ("code", "name", "contact_name", "contact_phone", "address")
    }

    area_codes: set[str] = set()
    category_codes: set[str] = set()
    for raw in table.rows:
        v = raw.values
        area_codes.add(v["seat_code"])
        area_codes.update(_codes(v.get("serves", "")))
        for item in _codes(v.get("duties", "")):
            parts = item.split("@")
            category_codes.add(parts[0])
            if len(parts) > 1:
                area_codes.add(parts[1])
    areas = _lookup_areas(area_codes)
    categories = {c.code: c for c in MatterCategory.objects.filter(code__in=category_codes)}

    def area_for(n: int, column: str, code: str) -> Area | None:
        area = areas.get(code.lower())
        if area is None:
            errors.append(RowError(n, column, _("No area has the code %s.") % code[:32]))
        elif not area.is_active:
            errors.append(RowError(n, column, _("The area %s is inactive.") % code[:32]))
            return None
        return area

    rows: list[OrgRow] = []
    for raw in table.rows:
        v, n = raw.values, raw.number
        row = OrgRow(number=n, code=v["code"], parent_code=v.get("parent_code", ""))
        for column in ("code", "name", "contact_name", "contact_phone", "address"):
            if column in v and len(v[column]) > limits[column]:
                errors.append(RowError(n, column, _("At most %d characters.") % limits[column]))
        if not row.code:
            errors.append(RowError(n, "code", _("A code is required.")))
        if not v["name"]:
            errors.append(RowError(n, "name", _("A name is required.")))
        row.fields["name"] = v["name"]
        kind = kinds.get(v["kind"].lower())
        if kind is None:
            errors.append(RowError(n, "kind", _("Unknown kind %s.") % v["kind"][:40]))
        row.fields["kind"] = kind
        for column in ("contact_name", "contact_phone", "address"):
            if table.has(column):
                row.fields[column] = v[column]
        if not v["seat_code"]:
            errors.append(RowError(n, "seat_code", _("A seat area code is required.")))
        else:
            row.seat = area_for(n, "seat_code", v["seat_code"])
        if table.has("serves"):
            served = [area_for(n, "serves", code) for code in _codes(v["serves"])]
            row.serves = [a for a in served if a is not None]
        if table.has("duties"):
            row.duties = {}
            for item in _codes(v["duties"]):
                parts = [p.strip() for p in item.split("@")]
                if len(parts) not in (2, 3) or not all(parts):
                    errors.append(
                        RowError(n, "duties", _("Write duties as category_code@area_code[@assist]: %s") % item[:60])
                    )
                    continue
                category = categories.get(parts[0])
                if category is None or not category.is_active:
                    errors.append(
                        RowError(n, "duties", _("No active matter category has the code %s.") % parts[0][:32])
                    )
                    continue
                role = roles.get(parts[2].lower()) if len(parts) == 3 else DutyRole.LEAD
                if role is None:
                    errors.append(RowError(n, "duties", _("Unknown duty role %s.") % parts[2][:20]))
                    continue
                area = area_for(n, "duties", parts[1])
                if area is not None:
                    row.duties[(category.pk, area.pk)] = (category, area, role)
        rows.append(row)
    return rows


def _scope_problem(row: OrgRow, actor: Any, current: list[DutyAssignment]) -> tuple[str, str] | None:
    """Why this row reaches outside the actor's scope (column, message), or None."""
    org = row.existing
    assert row.seat is not None
    if org is None:
        allowed = OrganisationPolicy.can_add_at(actor, row.seat)
    else:
        allowed = OrganisationPolicy.can_change(actor, org) and (
            row.seat.pk == org.home_area_id or OrganisationPolicy.can_move_to(actor, org, row.seat)
        )
    if not allowed:
        return "seat_code", _("This organisation is outside your scope.")
    org_id = org.pk if org else None
    if row.serves is not None and not all(
        grant_reaches(actor, Organisation, "change", a.path, organisation_id=org_id) for a in row.serves
    ):
        return "serves", _("An area is outside your scope.")
    if row.duties is not None:
        stale = [d for d in current if (d.category_id, d.area_id) not in row.duties]
        present = {(d.category_id, d.area_id) for d in current}
        fresh = [area for key, (_c, area, _r) in row.duties.items() if key not in present]
        if not all(DutyAssignmentPolicy.can_delete(actor, d) for d in stale) or not all(
            grant_reaches(actor, DutyAssignment, "add", area.path, organisation_id=org_id) for area in fresh
        ):
            return "duties", _("A duty is outside your scope.")
    return None


def _resolve(rows: list[OrgRow], errors: list[RowError], actor: Any, check_scope: bool) -> list[OrgRow]:
    by_code: dict[str, OrgRow] = {}
    for row in rows:
        if row.code in by_code:
            errors.append(
                RowError(row.number, "code", _("The code also appears in row %d.") % by_code[row.code].number)
            )
        elif row.code:
            by_code[row.code] = row
    wanted = {r.code for r in rows if r.code} | {r.parent_code for r in rows if r.parent_code}
    existing = {o.code: o for o in Organisation.objects.filter(code__in=wanted)}
    served_now: dict[int, list[str]] = {}
    for org_id, path in OrganisationArea.objects.filter(organisation__code__in=wanted).values_list(
        "organisation_id", "area__path"
    ):
        served_now.setdefault(org_id, []).append(path)
    duties_now: dict[int, list[DutyAssignment]] = {}
    for duty in DutyAssignment.objects.filter(organisation__code__in=wanted):
        duties_now.setdefault(duty.organisation_id, []).append(duty)
    for row in rows:
        row.existing = existing.get(row.code)

    ordered: list[OrgRow] = []
    state: dict[str, str] = {}

    def place(row: OrgRow) -> bool:
        if state.get(row.code) == "done":
            return row in ordered
        if state.get(row.code) == "visiting":
            errors.append(RowError(row.number, "parent_code", _("The parents form a cycle.")))
            return False
        state[row.code] = "visiting"
        ok = True
        if row.parent_code:
            if row.parent_code == row.code:
                errors.append(RowError(row.number, "parent_code", _("An organisation cannot be its own parent.")))
                ok = False
            elif row.parent_code in by_code:
                ok = place(by_code[row.parent_code])
            elif row.parent_code not in existing:
                errors.append(
                    RowError(row.number, "parent_code", _("No organisation has the code %s.") % row.parent_code[:40])
                )
                ok = False
        org = row.existing
        served = [a.path for a in row.serves] if row.serves is not None else served_now.get(org.pk, []) if org else []
        for _category, area, _role in (row.duties or {}).values():
            if not any(area.path.startswith(p) for p in served):
                errors.append(
                    RowError(
                        row.number,
                        "duties",
                        _("%(org)s does not serve %(area)s.") % {"org": row.code, "area": area.code},
                    )
                )
                ok = False
        if ok and check_scope and row.seat is not None:
            problem = _scope_problem(row, actor, duties_now.get(org.pk, []) if org else [])
            if problem is not None:
                errors.append(RowError(row.number, problem[0], problem[1]))
                ok = False
        state[row.code] = "done"
        if ok and row.seat is not None and row.fields.get("kind"):
            ordered.append(row)
        return ok

    for row in rows:
        if row.code and by_code.get(row.code) is row:
            place(row)
    return ordered


def _write(
    row: OrgRow, org: Organisation | None, parent: Organisation | None, actor: Any, report: ImportReport
) -> None:
    assert row.seat is not None  # rows without a seat never reach writing
    if org is None:
        org = actions.create_organisation(actor=actor, seat=row.seat, code=row.code, parent=parent, **row.fields)
        report.created += 1
        changed = True
    else:
        changes = {k: v for k, v in row.fields.items() if getattr(org, k) != v}
        if row.seat is not None and row.seat.pk != org.home_area_id:
            changes["seat"] = row.seat
        if (parent.pk if parent else None) != org.parent_id:
            changes["parent"] = parent
        if changes:
            actions.update_organisation(org, actor=actor, **changes)
        changed = bool(changes)
    if row.duties is not None:
        current = {(d.category_id, d.area_id): d for d in DutyAssignment.objects.filter(organisation=org)}
        for key, duty in current.items():
            if key not in row.duties:
                actions.remove_duty(duty, actor=actor)
                changed = True
    if row.serves is not None:
        now = set(OrganisationArea.objects.filter(organisation=org).values_list("area_id", flat=True))
        if now != {a.pk for a in row.serves}:
            actions.set_served_areas(org, actor=actor, areas=row.serves)
            changed = True
    if row.duties is not None:
        current = {(d.category_id, d.area_id): d for d in DutyAssignment.objects.filter(organisation=org)}
        for key, (category, area, role) in row.duties.items():
            duty = current.get(key)
            if duty is None:
                actions.add_duty(org, actor=actor, category=category, area=area, duty_role=role)
                changed = True
            elif duty.duty_role != role:
                actions.update_duty(duty, actor=actor, duty_role=role)
                changed = True
    if row.existing is not None:
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _would_change(row: OrgRow) -> bool:
    """For a dry run: would importing this existing row change anything? (A few queries per row.)"""
    org = row.existing
    assert org is not None
    if any(getattr(org, k) != v for k, v in row.fields.items()) or (row.seat and row.seat.pk != org.home_area_id):
        return True
    parent_id = (
        Organisation.objects.filter(code=row.parent_code).values_list("pk", flat=True).first()
        if row.parent_code
        else None
    )
    if parent_id != org.parent_id:
        return True
    if row.serves is not None:
        now = set(OrganisationArea.objects.filter(organisation=org).values_list("area_id", flat=True))
        if now != {a.pk for a in row.serves}:
            return True
    if row.duties is not None:
        now_duties = {(d.category_id, d.area_id): d.duty_role for d in DutyAssignment.objects.filter(organisation=org)}
        if now_duties != {key: role for key, (_c, _a, role) in row.duties.items()}:
            return True
    return False


def import_organisations(
    data: bytes, filename: str, *, actor: Any, dry_run: bool = False, check_scope: bool = True
) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) create/update in one transaction."""
    table = read_table(data, filename, required=REQUIRED, optional=OPTIONAL)
    errors = list(table.errors)
    rows = _parse(table, errors)
    ordered = _resolve(rows, errors, actor, check_scope)
    if errors:
        raise RowsInvalid(errors)
    report = ImportReport(dry_run=dry_run)
    if dry_run:
        for row in ordered:
            if row.existing is None:
                report.created += 1
            elif _would_change(row):
                report.updated += 1
            else:
                report.unchanged += 1
        return report
    with transaction.atomic():
        by_code: dict[str, Organisation] = {}
        for row in ordered:
            parent = None
            if row.parent_code:
                parent = by_code.get(row.parent_code) or Organisation.objects.get(code=row.parent_code)
            existing = row.existing
            if existing is not None:
                existing = Organisation.objects.get(pk=existing.pk)
            _write(row, existing, parent, actor, report)
            by_code[row.code] = existing or Organisation.objects.get(code=row.code)
    return report
