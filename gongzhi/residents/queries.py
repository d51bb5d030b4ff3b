"""Reads: scoped lists, blind-index lookups, the household file, masking for the viewer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.queries import grants_with_permission
from gongzhi.privacy import crypto
from gongzhi.privacy.choices import ConsentGiver, ConsentPurpose
from gongzhi.privacy.masking import mask_id_number, mask_name, mask_phone
from gongzhi.privacy.queries import list_consents, list_reveals
from gongzhi.residents.choices import (
    ContactPreference,
    Gender,
    Relation,
    RequestKind,
    RequestStatus,
    ResidenceType,
    TagKind,
    VisitKind,
)
from gongzhi.residents.models import (
    DataSubjectRequest,
    Disclosure,
    HealthFile,
    Household,
    HouseholdMembership,
    Resident,
    ResidentTag,
    Visit,
)


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


def is_on_register(user: Any) -> bool:
    """A verified (real-name) account: linked to a person on the residents' register who is not
    anonymised, whose identity staff checked when they registered them. Participation uses this
    wherever a matter requires verified participants."""
    return bool(user.is_authenticated) and Resident.objects.filter(user=user, anonymised_at__isnull=True).exists()


def find_by_id_number(qs: QuerySet[Resident], id_number: str) -> QuerySet[Resident]:
    return qs.filter(id_number_index__in=crypto.blind_indexes(id_number, kind="id_number"))


def find_by_phone(qs: QuerySet[Resident], phone: str) -> QuerySet[Resident]:
    return qs.filter(phone_index__in=crypto.blind_indexes(phone, kind="phone"))


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
    members: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
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


# --- data-subject access (PIPL art. 45) --------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def collect_resident_data(resident: Resident) -> dict[str, Any]:
    """Everything the register holds about one person, unmasked, as plain JSON types.

    Sections: the person, households (memberships), tags, the health and care file,
    visits to them, consents, who read their full values (reveal log) and their own
    data-subject requests. Other domains add sections as they land.
    """
    person = {
        "id": resident.pk,
        "name": resident.name,
        "gender": resident.gender,
        "date_of_birth": _iso(resident.date_of_birth),
        "id_number": resident.id_number,
        "phone": resident.phone,
        "ethnicity": resident.ethnicity,
        "occupation": resident.occupation,
        "employer": resident.employer,
        "contact_preference": resident.contact_preference,
        "grid": str(resident.grid),
        "registered_at": _iso(resident.created_at),
        "anonymised_at": _iso(resident.anonymised_at),
    }
    memberships = [
        {
            "household": m.household.address,
            "relation": m.relation,
            "residence_type": m.residence_type,
            "moved_in_on": _iso(m.moved_in_on),
            "moved_out_on": _iso(m.moved_out_on),
        }
        for m in HouseholdMembership.objects.filter(resident=resident).select_related("household")
    ]
    tags = [
        {
            "kind": t.kind,
            "grade": t.grade,
            "note": t.note,
            "set_at": _iso(t.created_at),
            "removed_at": _iso(t.removed_at),
        }
        for t in ResidentTag.objects.filter(resident=resident)
    ]
    health = HealthFile.objects.filter(resident=resident).first()
    health_data = (
        {
            f: getattr(health, f)
            for f in ("chronic_conditions", "disability_details", "care_needs", "emergency_contacts")
        }
        if health
        else None
    )
    visits = [
        {"visited_on": _iso(v.visited_on), "kind": v.kind, "notes": v.notes, "follow_up": v.follow_up}
        for v in Visit.objects.filter(resident=resident)
    ]
    consents = [
        {
            "purpose": c.purpose,
            "notice_version": c.notice.version,
            "given_by": c.given_by,
            "granted_at": _iso(c.granted_at),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in list_consents(resident)
    ]
    reveals = [
        {"at": _iso(r.created_at), "by": r.actor_label, "field": r.field, "purpose": r.purpose}
        for r in list_reveals(resident)
    ]
    requests = [
        {
            "id": r.pk,
            "kind": r.kind,
            "status": r.status,
            "submitted_at": _iso(r.created_at),
            "due_on": _iso(r.due_on),
            "resolution": r.resolution,
            "refusal_reason": r.refusal_reason,
        }
        for r in DataSubjectRequest.objects.filter(resident=resident)
    ]
    disclosures = [
        {
            "at": _iso(d.created_at),
            "organisation": d.organisation.name,
            "fields": ", ".join(d.fields),
            "purpose": d.purpose,
        }
        for d in Disclosure.objects.filter(resident=resident).select_related("organisation")
    ]
    return {
        "generated_at": _iso(timezone.now()),
        "person": person,
        "households": memberships,
        "tags": tags,
        "health_file": health_data,
        "visits": visits,
        "consents": consents,
        "access_log": reveals,
        "disclosures": disclosures,
        "requests": requests,
    }


_EXPORT_LABELS = {
    "id": _("number"),
    "name": _("name"),
    "gender": _("gender"),
    "date_of_birth": _("date of birth"),
    "id_number": _("ID number"),
    "phone": _("phone"),
    "ethnicity": _("ethnicity"),
    "occupation": _("occupation"),
    "employer": _("employer"),
    "contact_preference": _("contact preference"),
    "grid": _("grid"),
    "registered_at": _("registered at"),
    "anonymised_at": _("anonymised at"),
    "household": _("household"),
    "relation": _("relation to head"),
    "residence_type": _("residence type"),
    "moved_in_on": _("moved in on"),
    "moved_out_on": _("moved out on"),
    "kind": _("kind"),
    "grade": _("grade"),
    "note": _("note"),
    "set_at": _("set at"),
    "removed_at": _("removed at"),
    "chronic_conditions": _("chronic conditions"),
    "disability_details": _("disability details"),
    "care_needs": _("care needs"),
    "emergency_contacts": _("emergency contacts"),
    "visited_on": _("visited on"),
    "notes": _("notes"),
    "follow_up": _("follow-up"),
    "purpose": _("purpose"),
    "notice_version": _("notice version"),
    "given_by": _("given by"),
    "granted_at": _("granted at"),
    "withdrawn_at": _("withdrawn at"),
    "at": _("time"),
    "by": _("by"),
    "field": _("field"),
    "status": _("status"),
    "submitted_at": _("submitted at"),
    "due_on": _("due on"),
    "resolution": _("resolution"),
    "refusal_reason": _("reason for refusal"),
    "organisation": _("organisation"),
    "agreement": _("agreement"),
    "fields": _("fields"),
}
_EXPORT_CHOICES: dict[str, dict[str, Any]] = {
    "gender": dict(Gender.choices),
    "contact_preference": dict(ContactPreference.choices),
    "relation": dict(Relation.choices),
    "residence_type": dict(ResidenceType.choices),
    "purpose": dict(ConsentPurpose.choices),
    "given_by": dict(ConsentGiver.choices),
    "status": dict(RequestStatus.choices),
}
_KIND_CHOICES = {"tags": TagKind, "visits": VisitKind, "requests": RequestKind}


def humanise_export(data: dict[str, Any]) -> dict[str, Any]:
    """The export with translated labels and choice names, for the readable (HTML) copy."""

    def row(values: dict[str, Any], section: str) -> dict[str, Any]:
        choices = dict(_EXPORT_CHOICES)
        if section in _KIND_CHOICES:
            choices["kind"] = dict(_KIND_CHOICES[section].choices)
        return {
            str(_EXPORT_LABELS.get(key, key)): choices[key].get(value, value) if key in choices else value
            for key, value in values.items()
        }

    out: dict[str, Any] = {"generated_at": data["generated_at"]}
    for section, value in data.items():
        if isinstance(value, dict):
            out[section] = row(value, section)
        elif isinstance(value, list):
            out[section] = [row(item, section) for item in value]
    return out


# --- sharing ------------------------------------------------------------------------------------


def common_area_path(paths: list[str]) -> str:
    """The deepest area containing every path (paths end with the separator)."""
    if not paths:
        return ""
    first = paths[0]
    cut = len(first)
    for other in paths[1:]:
        cut = min(cut, len(other))
        for i in range(cut):
            if first[i] != other[i]:
                cut = i
                break
    prefix = first[:cut]
    # back off to a whole segment
    sep = first[-1]
    return prefix if prefix.endswith(sep) else prefix[: prefix.rfind(sep) + 1]


def shared_values(resident: Resident, fields: list[str]) -> dict[str, Any]:
    """Only ``fields`` of the person (unmasked: the agreement or request is the basis)."""
    values: dict[str, Any] = {"ref": resident.pk}
    membership = None
    if "address" in fields or "residence_type" in fields:
        current = [m for m in getattr(resident, "current_memberships", []) if m.moved_out_on is None]
        membership = current[0] if current else None
    for name in fields:
        if name == "birth_year":
            values[name] = resident.date_of_birth.year if resident.date_of_birth else None
        elif name == "date_of_birth":
            values[name] = _iso(resident.date_of_birth)
        elif name == "address":
            values[name] = membership.household.address if membership else ""
        elif name == "residence_type":
            values[name] = membership.residence_type if membership else ""
        elif name == "tags":
            values[name] = [t.kind for t in getattr(resident, "active_tags", [])]
        else:
            values[name] = getattr(resident, name)
    return values


def residents_for_sharing(area_paths: list[str]) -> QuerySet[Resident]:
    """People in any of ``area_paths``, with what ``shared_values`` reads prefetched."""
    q = Q()
    for path in area_paths:
        q |= Q(area_path__startswith=path)
    if not area_paths:
        return Resident.objects.none()
    return (
        Resident.objects.filter(q, anonymised_at__isnull=True)
        .prefetch_related(
            Prefetch("tags", queryset=ResidentTag.objects.filter(removed_at__isnull=True), to_attr="active_tags"),
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.filter(moved_out_on__isnull=True).select_related("household"),
                to_attr="current_memberships",
            ),
        )
        .order_by("pk")
    )


def list_access_events(
    resident: Resident, since: datetime.datetime | None = None, until: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """Who accessed the person's data between ``since`` and ``until``: full-value reads and
    exports (reveal log) and disclosures to other organisations, newest first."""
    reveals = list_reveals(resident)
    disclosures = Disclosure.objects.filter(resident=resident).select_related("organisation")
    if since is not None:
        reveals = reveals.filter(created_at__gte=since)
        disclosures = disclosures.filter(created_at__gte=since)
    if until is not None:
        reveals = reveals.filter(created_at__lt=until)
        disclosures = disclosures.filter(created_at__lt=until)
    events = [
        {
            "at": r.created_at,
            "kind": "reveal",
            "actor": r.actor_id,
            "actor_label": r.actor_label,
            "organisation": None,
            "fields": [r.field],
            "purpose": r.purpose,
        }
        for r in reveals
    ] + [
        {
            "at": d.created_at,
            "kind": "police_request" if d.police_request_id else "agreement",
            "actor": d.actor_id,
            "actor_label": d.actor_label,
            "organisation": d.organisation.name,
            "fields": d.fields,
            "purpose": d.purpose,
        }
        for d in disclosures
    ]
    return sorted(events, key=lambda e: e["at"], reverse=True)
