"""Reads: scoped lists, blind-index lookups, the household file, masking for the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from gongzhi.access.queries import grants_with_permission
from gongzhi.privacy import crypto
from gongzhi.privacy.masking import mask_id_number, mask_name, mask_phone
from gongzhi.residents.models import Household, HouseholdMembership, Resident, ResidentTag, Visit


@dataclass
class Viewer:
    """What one user may see, computed once per request (no query per row)."""

    user: Any
    identify_paths: list[str] = field(default_factory=list)
    health_paths: list[str] = field(default_factory=list)
    reveal_paths: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, user: Any) -> Viewer:
        def paths(perm: str) -> list[str]:
            return [g.area_path for g in grants_with_permission(user, perm)]

        return cls(
            user,
            paths("residents.identify_resident"),
            paths("residents.view_healthfile"),
            paths("residents.reveal_resident"),
        )

    def _at(self, paths: list[str], area_path: str) -> bool:
        return any(area_path.startswith(p) for p in paths)

    def is_self(self, resident: Resident) -> bool:
        return resident.user_id is not None and resident.user_id == getattr(self.user, "pk", None)

    def may_identify(self, resident: Resident) -> bool:
        return self.is_self(resident) or self._at(self.identify_paths, resident.area_path)

    def may_reveal(self, resident: Resident) -> bool:
        return self._at(self.reveal_paths, resident.area_path)

    def may_see_health(self, area_path: str) -> bool:
        return self._at(self.health_paths, area_path)


def present_resident(resident: Resident, viewer: Viewer) -> dict[str, Any]:
    """The resident as this viewer may see them: ID numbers and phones are always masked
    (full values only through ``privacy.actions.reveal``) except for the person themself."""
    own = viewer.is_self(resident)
    return {
        "id": resident.pk,
        "name": resident.name if viewer.may_identify(resident) else mask_name(resident.name),
        "gender": resident.gender,
        "birth_year": resident.date_of_birth.year if resident.date_of_birth else None,
        "age": resident.age(),
        "id_number": resident.id_number if own else mask_id_number(resident.id_number),
        "phone": resident.phone if own else mask_phone(resident.phone),
        "ethnicity": resident.ethnicity,
        "occupation": resident.occupation,
        "contact_preference": resident.contact_preference,
        "grid": resident.grid_id,
        "anonymised": resident.anonymised_at is not None,
        "can_reveal": viewer.may_reveal(resident),
    }


def list_residents(user: Any) -> QuerySet[Resident]:
    return Resident.objects.restrict(user, "view").prefetch_related(
        Prefetch("tags", queryset=ResidentTag.objects.filter(removed_at__isnull=True), to_attr="active_tags")
    )


def find_by_id_number(qs: QuerySet[Resident], id_number: str) -> QuerySet[Resident]:
    return qs.filter(id_number_index=crypto.blind_index(id_number, kind="id_number"))


def find_by_phone(qs: QuerySet[Resident], phone: str) -> QuerySet[Resident]:
    return qs.filter(phone_index=crypto.blind_index(phone, kind="phone"))


@dataclass
class HouseholdFile:
    """Everything about one household that the viewer may see ("一户一案")."""

    household: Household
    members: list[dict[str, Any]]
    former_members: list[dict[str, Any]]
    visits: list[Visit]
    show_visit_notes: bool


def get_household_file(household: Household, user: Any) -> HouseholdFile:
    viewer = Viewer.of(user)
    memberships = list(
        HouseholdMembership.objects.filter(household=household)
        .select_related("resident")
        .prefetch_related(
            Prefetch(
                "resident__tags",
                queryset=ResidentTag.objects.filter(removed_at__isnull=True).select_related("set_by"),
                to_attr="active_tags",
            )
        )
        .order_by("moved_out_on", "relation", "id")
    )
    visible_ids = set(
        Resident.objects.restrict(user, "view").filter(memberships__household=household).values_list("pk", flat=True)
    )
    members, former = [], []
    for membership in memberships:
        if membership.resident_id not in visible_ids:
            continue
        row = {
            "membership": membership,
            "resident": present_resident(membership.resident, viewer),
            "tags": membership.resident.active_tags,
        }
        (members if membership.is_current else former).append(row)
    visits = list(
        Visit.objects.restrict(user, "view").filter(household=household).select_related("visitor", "resident")[:20]
    )
    return HouseholdFile(household, members, former, visits, viewer.may_see_health(household.area_path))
