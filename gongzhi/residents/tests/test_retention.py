"""Retention: the scheduled job deletes or anonymises what is past its period; legal hold stops it."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy.models import RevealLog
from gongzhi.privacy.tests.test_data_inventory import inventory
from gongzhi.residents import actions, retention, tasks
from gongzhi.residents.choices import RequestKind, TagKind
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.factories import VisitFactory
from gongzhi.residents.models import (
    DataSubjectRequest,
    Disclosure,
    HealthFile,
    HouseholdMembership,
    Resident,
    ResidentTag,
    RetentionRun,
    Visit,
)
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

TODAY = datetime.date(2026, 6, 1)
LONG_AGO = datetime.date(2021, 1, 1)  # more than 5 years before TODAY


@pytest.fixture
def aged(world, people):
    """Everything past its period except what must stay: see each comment."""
    # 张三 moved away more than three years ago: anonymise
    HouseholdMembership.objects.filter(resident=people.head).update(moved_out_on=LONG_AGO)
    # 赵六 too, but under legal hold: keep
    HouseholdMembership.objects.filter(resident=people.resident_g3).update(moved_out_on=LONG_AGO)
    Resident.objects.filter(pk=people.resident_g3.pk).update(legal_hold=True)
    # a visit older than five years: delete; the fixture's 2026 visit stays
    old_visit = VisitFactory(household=people.household_g1, resident=people.spouse, visited_on=LONG_AGO)
    held_visit = VisitFactory(household=people.household_g3, resident=people.resident_g3, visited_on=LONG_AGO)
    # a tag removed more than three years ago: delete; an active tag stays
    old_tag = ResidentTag.objects.create(
        resident=people.spouse, area_path=people.spouse.area_path, kind=TagKind.VETERAN, removed_at=_at(LONG_AGO)
    )
    live_tag = ResidentTag.objects.create(
        resident=people.spouse, area_path=people.spouse.area_path, kind=TagKind.ELDERLY_ALONE
    )
    # a health file with no consent behind it: delete
    health = HealthFile.objects.create(resident=people.spouse, area_path=people.spouse.area_path, care_needs="助浴")
    # a reveal log entry older than three years: delete
    log = RevealLog.objects.create(
        actor_label="x", subject_type=ContentType.objects.get_for_model(Resident), subject_id=str(people.spouse.pk),
        subject_label="李*", field="phone", purpose="旧记录", area_path=people.spouse.area_path,
    )  # fmt: skip
    RevealLog.objects.filter(pk=log.pk).update(created_at=_at(LONG_AGO))
    # a request closed more than three years ago: delete
    request = DataSubjectRequest.objects.create(
        resident=people.spouse, area_path=people.spouse.area_path, kind=RequestKind.ACCESS, status="completed",
        due_on=LONG_AGO, handled_at=_at(LONG_AGO),
    )  # fmt: skip
    # a disclosure older than three years: delete
    agreement = actions.create_agreement(
        organisation=world.orgs["property_c1"], purpose="物业通知", legal_basis="合同", fields=["name"],
        areas=[world.c1], valid_from=LONG_AGO, valid_until=TODAY, actor=world.street_official_s1,
    )  # fmt: skip
    disclosure = Disclosure.objects.create(
        resident=people.spouse, area_path=people.spouse.area_path, organisation=world.orgs["property_c1"],
        actor_label="x", agreement=agreement, fields=["name"], purpose="物业通知",
    )  # fmt: skip
    Disclosure.objects.filter(pk=disclosure.pk).update(created_at=_at(LONG_AGO))
    return {
        "old_visit": old_visit, "held_visit": held_visit, "old_tag": old_tag, "live_tag": live_tag,
        "health": health, "log": log, "request": request,
    }  # fmt: skip


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_the_job_deletes_or_anonymises_what_is_past_its_period(world, people, aged):
    # given
    before = ChangeRecord.objects.count()
    # when
    run = actions.apply_retention(today=TODAY)
    # then
    assert run.counts == {
        "residents_moved_away": 1,
        "visits": 1,
        "removed_tags": 1,
        "health_files_without_basis": 1,
        "closed_requests": 1,
        "reveal_log": 1,
        "disclosures": 1,
        "import_uploads": 0,
    }
    assert ChangeRecord.objects.count() == before + 1
    head = Resident.objects.get(pk=people.head.pk)
    assert head.anonymised_at is not None
    assert head.name == actions.ANONYMOUS_NAME
    assert head.id_number == ""
    assert not Visit.objects.filter(pk=aged["old_visit"].pk).exists()
    assert Visit.objects.filter(pk=people.visit_g1.pk).exists()
    assert not ResidentTag.objects.filter(pk=aged["old_tag"].pk).exists()
    assert ResidentTag.objects.filter(pk=aged["live_tag"].pk).exists()
    assert not HealthFile.objects.filter(pk=aged["health"].pk).exists()
    assert not RevealLog.objects.filter(pk=aged["log"].pk).exists()
    assert not DataSubjectRequest.objects.filter(pk=aged["request"].pk).exists()
    assert not Disclosure.objects.exists()


def test_legal_hold_stops_the_job(world, people, aged):
    actions.apply_retention(today=TODAY)

    held = Resident.objects.get(pk=people.resident_g3.pk)
    assert held.anonymised_at is None
    assert held.name == "赵六"
    assert Visit.objects.filter(pk=aged["held_visit"].pk).exists()


def test_the_job_is_idempotent(world, people, aged):
    actions.apply_retention(today=TODAY)
    anonymised_at = Resident.objects.get(pk=people.head.pk).anonymised_at

    second = actions.apply_retention(today=TODAY)

    assert set(second.counts.values()) == {0}
    assert Resident.objects.get(pk=people.head.pk).anonymised_at == anonymised_at


def test_a_dry_run_counts_and_changes_nothing(world, people, aged):
    run = actions.apply_retention(today=TODAY, dry_run=True)

    assert run.counts["visits"] == 1
    assert run.dry_run is True
    assert Visit.objects.filter(pk=aged["old_visit"].pk).exists()
    assert Resident.objects.get(pk=people.head.pk).anonymised_at is None


def test_nothing_is_due_within_the_period(world, people):
    HouseholdMembership.objects.filter(resident=people.head).update(moved_out_on=TODAY - datetime.timedelta(days=30))

    run = actions.apply_retention(today=TODAY)

    assert set(run.counts.values()) == {0}


def test_every_rule_matches_the_data_inventory():
    rows = inventory()
    for rule in retention.RULES:
        for field in rule.fields:
            text = rows[(rule.model, field)]["retention"]
            assert rule.phrase in text, f"{rule.name}: {rule.model}.{field} says {text!r}"


def test_the_job_is_scheduled_and_runs_as_a_task(world, people, aged):
    assert settings.GONGZHI_SCHEDULE["residents-retention"][0] == "gongzhi.residents.tasks.apply_retention"

    counts = tasks.apply_retention()

    assert RetentionRun.objects.get().counts == counts
    assert ChangeRecord.objects.filter(verb="apply_retention").get().source == "task:apply_retention"


def test_the_command_prints_counts_per_rule(world, people, aged):
    out = StringIO()

    call_command("apply_retention", "--dry-run", "--day", TODAY.isoformat(), stdout=out)

    assert "visits: 1" in out.getvalue()
    assert RetentionRun.objects.get().dry_run is True


def test_legal_hold_needs_a_reason(world, people):
    with pytest.raises(ResidentError) as excinfo:
        actions.set_legal_hold(people.head, actor=world.community_worker_c1, hold=True, reason="")
    assert excinfo.value.code == ResidentErrorCode.REASON_REQUIRED


CASES = [
    Case(
        "legal hold",
        "post",
        lambda w: f"/api/residents/people/{w.people.head.pk}/legal-hold/",
        body=lambda w: {"hold": True, "reason": "法院协助调查通知书"},
        allow={"community_worker_c1": 200, "street_official_s1": 200}
        | dict.fromkeys(("grid_worker_g1", "district_official"), 403),
        default=404,
    ),
]
ACTOR_SUBSET = [a for a in ACTORS if a not in {"resident_c3", "evaluator", "department_handler"}]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES, ACTOR_SUBSET))
def test_matrix(world, people, client_for, case, actor):
    world.people = people
    check(world, client_for, case, actor)
