"""Organisation actions: organisations, the areas they serve, duty lists (权责清单) and
matter categories. Each is atomic and writes exactly one change record."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action
from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.errors import OrganisationError, OrganisationErrorCode
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation, OrganisationArea
from gongzhi.territory.models import Area


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" (None is a real value).
UNSET: Any = _Unset()

MAX_CATEGORY_LEVEL = 3


def _clean(obj: models.Model) -> None:
    obj.full_clean(validate_unique=False, validate_constraints=False)


def _save(obj: models.Model, code: OrganisationErrorCode, field: str, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise OrganisationError(code, field=field) from exc


def _check_parent(org: Organisation | None, parent: Organisation | None) -> None:
    """Walk up from ``parent``: meeting ``org`` means a cycle."""
    seen: set[int] = set()
    node = parent
    while node is not None:
        if org is not None and node.pk == org.pk:
            raise OrganisationError(OrganisationErrorCode.PARENT_CYCLE, field="parent")
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


@action
def create_organisation(
    *,
    actor: Any,
    kind: str,
    name: str,
    code: str,
    seat: Area,
    parent: Organisation | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Organisation:
    """Register an organisation seated in ``seat`` (its home area; scoping uses its path)."""
    if not seat.is_active:
        raise OrganisationError(OrganisationErrorCode.SEAT_INACTIVE, field="seat")
    org = Organisation(
        kind=kind,
        name=name,
        code=code,
        parent=parent,
        home_area=seat,
        home_area_path=seat.path,
        contact_name=contact_name or "",
        contact_phone=contact_phone or "",
        address=address or "",
    )
    _clean(org)
    if Organisation.objects.filter(code=code).exists():
        raise OrganisationError(OrganisationErrorCode.CODE_TAKEN, field="code")
    _save(org, OrganisationErrorCode.CODE_TAKEN, "code")
    record_change(org, verb="create_organisation", actor=actor, related=seat)
    return org


@action
def update_organisation(
    org: Organisation,
    *,
    actor: Any,
    kind: Any = UNSET,
    name: Any = UNSET,
    seat: Any = UNSET,
    parent: Any = UNSET,
    contact_name: Any = UNSET,
    contact_phone: Any = UNSET,
    address: Any = UNSET,
    is_active: Any = UNSET,
) -> Organisation:
    """Change an organisation; a new ``seat`` also moves its seat path."""
    before = snapshot(org)
    changes: dict[str, Any] = {}
    if seat is not UNSET and seat.pk != org.home_area_id:
        if not seat.is_active:
            raise OrganisationError(OrganisationErrorCode.SEAT_INACTIVE, field="seat")
        changes.update(home_area=seat, home_area_path=seat.path)
    if parent is not UNSET:
        _check_parent(org, parent)
        changes["parent"] = parent
    for field, value in (("kind", kind), ("name", name), ("is_active", is_active)):
        if value is not UNSET:
            changes[field] = value
    for field, value in (("contact_name", contact_name), ("contact_phone", contact_phone), ("address", address)):
        if value is not UNSET:
            changes[field] = value or ""
    for field, value in changes.items():
        setattr(org, field, value)
    _clean(org)
    org.save(update_fields=[*changes, "updated_at"])
    record_change(org, verb="update_organisation", actor=actor, before=before)
    return org


def _served_paths(org: Organisation) -> list[str]:
    return list(OrganisationArea.objects.filter(organisation=org).values_list("area__path", flat=True))


def _covered(path: str, served: list[str]) -> bool:
    return any(path.startswith(p) for p in served)


@action
def set_served_areas(org: Organisation, *, actor: Any, areas: list[Area]) -> Organisation:
    """Replace the areas ``org`` serves (each covers its whole subtree).

    Refused if a duty of the organisation would fall outside the new areas: remove or
    move those duties first, so a duty list never names an area its holder does not serve.
    """
    current = {link.area_id: link for link in OrganisationArea.objects.filter(organisation=org).select_related("area")}
    wanted = {area.pk: area for area in areas}
    for pk, area in wanted.items():
        if pk not in current and not area.is_active:
            raise OrganisationError(OrganisationErrorCode.AREA_INACTIVE, field="areas")
    new_paths = [a.path for a in wanted.values()]
    for duty_path in DutyAssignment.objects.filter(organisation=org).values_list("area_path", flat=True):
        if not _covered(duty_path, new_paths):
            raise OrganisationError(OrganisationErrorCode.DUTY_AREA_NOT_SERVED, field="areas")
    before = {"served_areas": sorted(link.area.code for link in current.values())}
    OrganisationArea.objects.filter(organisation=org).exclude(area_id__in=wanted).delete()
    OrganisationArea.objects.bulk_create(
        [OrganisationArea(organisation=org, area=area) for pk, area in wanted.items() if pk not in current]
    )
    record_change(
        org,
        verb="set_served_areas",
        actor=actor,
        before=before,
        after={"served_areas": sorted(a.code for a in wanted.values())},
    )
    return org


@action
def add_duty(
    org: Organisation,
    *,
    actor: Any,
    category: MatterCategory,
    area: Area,
    duty_role: str = DutyRole.LEAD,
    basis: str = "",
    note: str = "",
) -> DutyAssignment:
    """Add a line to ``org``'s duty list: it handles ``category`` in the ``area`` subtree."""
    if not org.is_active:
        raise OrganisationError(OrganisationErrorCode.ORGANISATION_INACTIVE, field="organisation")
    if not category.is_active:
        raise OrganisationError(OrganisationErrorCode.CATEGORY_INACTIVE, field="category")
    if not area.is_active:
        raise OrganisationError(OrganisationErrorCode.AREA_INACTIVE, field="area")
    if not _covered(area.path, _served_paths(org)):
        raise OrganisationError(OrganisationErrorCode.DUTY_AREA_NOT_SERVED, field="area")
    duty = DutyAssignment(
        organisation=org,
        category=category,
        area=area,
        area_path=area.path,
        duty_role=duty_role,
        basis=basis or "",
        note=note or "",
    )
    _clean(duty)
    if DutyAssignment.objects.filter(organisation=org, category=category, area=area).exists():
        raise OrganisationError(OrganisationErrorCode.DUTY_EXISTS)
    _save(duty, OrganisationErrorCode.DUTY_EXISTS, "category")
    record_change(duty, verb="add_duty", actor=actor, related=org)
    return duty


@action
def update_duty(
    duty: DutyAssignment, *, actor: Any, duty_role: Any = UNSET, basis: Any = UNSET, note: Any = UNSET
) -> DutyAssignment:
    """Change a duty line's role (lead/assist), basis or note."""
    before = snapshot(duty)
    changes: dict[str, Any] = {}
    if duty_role is not UNSET:
        changes["duty_role"] = duty_role
    if basis is not UNSET:
        changes["basis"] = basis or ""
    if note is not UNSET:
        changes["note"] = note or ""
    for field, value in changes.items():
        setattr(duty, field, value)
    _clean(duty)
    duty.save(update_fields=[*changes, "updated_at"])
    record_change(duty, verb="update_duty", actor=actor, before=before)
    return duty


@action
def remove_duty(duty: DutyAssignment, *, actor: Any) -> None:
    """Strike a line from a duty list (the change record keeps what it said)."""
    before = snapshot(duty)
    record_change(duty, verb="remove_duty", actor=actor, before=before, after=None, related=duty.organisation)
    duty.delete()


# --- matter categories ----------------------------------------------------------------


@action
def create_category(
    *, actor: Any, code: str, name: str, name_en: str = "", parent: MatterCategory | None = None
) -> MatterCategory:
    """Add a matter category; levels follow the parent (at most three)."""
    level = 1 if parent is None else parent.level + 1
    if level > MAX_CATEGORY_LEVEL:
        raise OrganisationError(OrganisationErrorCode.CATEGORY_TOO_DEEP, field="parent")
    if parent is not None and not parent.is_active:
        raise OrganisationError(OrganisationErrorCode.CATEGORY_INACTIVE, field="parent")
    category = MatterCategory(code=code, name=name, name_en=name_en or "", parent=parent, level=level)
    _clean(category)
    if MatterCategory.objects.filter(code=code).exists():
        raise OrganisationError(OrganisationErrorCode.CATEGORY_CODE_TAKEN, field="code")
    _save(category, OrganisationErrorCode.CATEGORY_CODE_TAKEN, "code")
    record_change(category, verb="create_category", actor=actor, related=parent)
    return category


@action
def update_category(
    category: MatterCategory, *, actor: Any, name: Any = UNSET, name_en: Any = UNSET, is_active: Any = UNSET
) -> MatterCategory:
    """Rename or (de)activate a category. Its place in the tree does not change."""
    before = snapshot(category)
    changes: dict[str, Any] = {}
    if name is not UNSET:
        changes["name"] = name
    if name_en is not UNSET:
        changes["name_en"] = name_en or ""
    if is_active is not UNSET:
        changes["is_active"] = bool(is_active)
    for field, value in changes.items():
        setattr(category, field, value)
    _clean(category)
    category.save(update_fields=[*changes, "updated_at"])
    record_change(category, verb="update_category", actor=actor, before=before)
    return category
