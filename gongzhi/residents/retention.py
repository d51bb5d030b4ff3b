"""Retention periods of the register (the inventory's ``retention`` column, in code).

Each rule names the rows past their period on a given day; ``actions.apply_retention``
deletes or anonymises them. A resident under legal hold (``Resident.legal_hold``) is
left alone by every rule, including their visits, tags, health file and requests.
``tests/test_retention.py`` checks every rule against docs/data-inventory.csv.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.privacy.models import Consent, RevealLog
from gongzhi.residents.models import (
    DataSubjectRequest,
    Disclosure,
    HealthFile,
    HouseholdMembership,
    Resident,
    ResidentTag,
    Visit,
)

YEAR = 365


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Rule:
    name: str
    model: str  # the inventory's model label
    fields: tuple[str, ...]  # inventory rows whose retention text says ...
    phrase: str  # ... this
    effect: str  # "anonymise" or "delete"


RULES = (
    Rule("residents_moved_away", "residents.Resident", ("name", "id_number", "phone"), "+ 3 years", "anonymise"),
    Rule("visits", "residents.Visit", ("notes", "visited_on"), "5 years", "delete"),
    Rule("removed_tags", "residents.ResidentTag", ("kind", "note"), "+ 3 years", "delete"),
    Rule(
        "health_files_without_basis",
        "residents.HealthFile",
        ("chronic_conditions", "care_needs"),
        "until consent is withdrawn or the person leaves",
        "delete",
    ),
    Rule(
        "closed_requests", "residents.DataSubjectRequest", ("details",), "3 years after the request is closed", "delete"
    ),
    Rule("reveal_log", "privacy.RevealLog", ("actor", "purpose"), "3 years", "delete"),
    Rule("disclosures", "residents.Disclosure", ("resident", "purpose"), "3 years", "delete"),
)

_NOT_HELD = Q(legal_hold=False)


def held_ids() -> QuerySet[Any]:
    return Resident.objects.filter(legal_hold=True).values("pk")


def due(rule: str, today: datetime.date) -> QuerySet[Any]:
    """The rows ``rule`` acts on today (none under legal hold; already-done rows excluded)."""
    three = years_before(today, 3)
    if rule == "residents_moved_away":
        current = HouseholdMembership.objects.filter(resident=OuterRef("pk"), moved_out_on__isnull=True)
        return (
            Resident.objects.filter(_NOT_HELD, anonymised_at__isnull=True, memberships__isnull=False)
            .annotate(last_out=Max("memberships__moved_out_on"))
            .filter(~Exists(current), last_out__lt=three)
        )
    if rule == "visits":
        old = Visit.objects.filter(visited_on__lt=years_before(today, 5))
        return old.exclude(resident__in=held_ids()).exclude(household__memberships__resident__in=held_ids())
    if rule == "removed_tags":
        return ResidentTag.objects.filter(removed_at__lt=start_of(three)).exclude(resident__in=held_ids())
    if rule == "health_files_without_basis":
        consent = Consent.objects.filter(
            subject_type__app_label="residents",
            subject_type__model="resident",
            subject_id=OuterRef("resident_id_text"),
            purpose=ConsentPurpose.HEALTH,
            withdrawn_at__isnull=True,
        )
        current = HouseholdMembership.objects.filter(resident=OuterRef("resident_id"), moved_out_on__isnull=True)
        return (
            HealthFile.objects.exclude(resident__in=held_ids())
            .annotate(resident_id_text=Cast("resident_id", CharField()))
            .filter(~Exists(consent) | ~Exists(current))
        )
    if rule == "closed_requests":
        return DataSubjectRequest.objects.filter(handled_at__lt=start_of(three)).exclude(resident__in=held_ids())
    if rule == "reveal_log":
        held = [str(pk) for pk in Resident.objects.filter(legal_hold=True).values_list("pk", flat=True)]
        old = RevealLog.objects.filter(created_at__lt=start_of(three))
        return old.exclude(subject_type__app_label="residents", subject_type__model="resident", subject_id__in=held)
    if rule == "disclosures":
        return Disclosure.objects.filter(created_at__lt=start_of(three)).exclude(resident__in=held_ids())
    raise KeyError(rule)
