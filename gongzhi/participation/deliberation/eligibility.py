"""Who may take part in a process: residents of its area (from their resident grant or
home area), of its building when it is a building's process (from the residents register),
and verified (real-name, on the register) when the process requires it. Staff act for
residents without a phone (proxy) inside the area of their grant."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.access.queries import grants_with_permission
from gongzhi.participation.deliberation.errors import DeliberationError, DeliberationErrorCode
from gongzhi.participation.deliberation.models import Process
from gongzhi.residents.queries import is_on_register

PREFIX = "participation_deliberation"
E = DeliberationErrorCode


def grant_paths(user: Any, perm: str) -> list[str]:
    """Area paths of the user's grants holding ``participation_deliberation.<perm>``."""
    return [g.area_path or "" for g in grants_with_permission(user, f"{PREFIX}.{perm}")]


def covers(user: Any, perm: str, area_path: str) -> bool:
    return any(area_path.startswith(path) for path in grant_paths(user, perm))


def overlaps(user: Any, perm: str, area_path: str) -> bool:
    """A grant of ``perm`` covers the area, or lies inside it (a grid in a community)."""
    return any(area_path.startswith(p) or p.startswith(area_path) for p in grant_paths(user, perm))


def area_q(user: Any, perm: str, field: str = "area_path") -> Q | None:
    """Rows under any area where the user holds ``perm``; None when nowhere."""
    paths = grant_paths(user, perm)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def home_paths(user: Any) -> list[str]:
    """Where a resident lives: the areas of their resident grants, and their home area."""
    paths = grant_paths(user, "add_proposal")
    home = getattr(user, "home_area", None)
    if home is not None:
        paths.append(home.path)
    return paths


def lives_in_building(user: Any, building_id: int) -> bool:
    from gongzhi.residents.models import HouseholdMembership

    return HouseholdMembership.objects.filter(
        resident__user=user, moved_out_on__isnull=True, household__room__unit__building_id=building_id
    ).exists()


def check_resident(user: Any, process: Process, perm: str = "add_proposal") -> None:
    """Raise unless ``user`` is a resident who may take part in ``process``."""
    if not getattr(user, "is_authenticated", False) or not grant_paths(user, perm):
        raise DeliberationError(E.NOT_ELIGIBLE)
    if not any(path.startswith(process.area_path) for path in home_paths(user)):
        raise DeliberationError(E.NOT_ELIGIBLE)
    if process.building_id and not lives_in_building(user, process.building_id):
        raise DeliberationError(E.NOT_ELIGIBLE)
    if process.requires_verified and not is_on_register(user):
        raise DeliberationError(E.VERIFICATION_REQUIRED)


def may_take_part(user: Any, process: Process, perm: str = "add_proposal") -> bool:
    try:
        check_resident(user, process, perm)
    except DeliberationError:
        return False
    return True


def participant(actor: Any, process: Process, on_behalf_of: Any, perm: str) -> tuple[Any, Any]:
    """(the resident taking part, the staff member entering it or None).

    Without ``on_behalf_of`` the actor takes part themselves. With it, the actor must hold
    ``proxy_proposal`` over the process's area or over where the resident lives (a grid
    worker for the residents of their grid), and the resident must be eligible."""
    if on_behalf_of is None:
        check_resident(actor, process, perm)
        return actor, None
    staff_paths = grant_paths(actor, "proxy_proposal")
    resident_home = home_paths(on_behalf_of)
    if not any(process.area_path.startswith(p) or any(h.startswith(p) for h in resident_home) for p in staff_paths):
        raise DeliberationError(E.PROXY_NOT_ALLOWED, field="on_behalf_of")
    check_resident(on_behalf_of, process, perm)
    return on_behalf_of, actor
