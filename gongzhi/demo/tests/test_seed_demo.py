"""The demo district loader: complete, deterministic, idempotent with --if-empty, bulk."""

from __future__ import annotations

import dataclasses
import datetime
import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.access.choices import ADMIN_ROLES, Role
from gongzhi.access.models import RoleGrant
from gongzhi.accounts.choices import AccountKind
from gongzhi.audit.models import ChangeRecord
from gongzhi.demo.seeding import DEMO_PASSWORD, SIZES, DemoSize, NotEmptyError, seed_demo
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.privacy.crypto import blind_index
from gongzhi.privacy.validators import validate_id_number
from gongzhi.residents.models import Household, HouseholdMembership, Resident
from gongzhi.territory.choices import AreaLevel, CommunityType
from gongzhi.territory.models import Area, Building, Room
from gongzhi.work_orders.choices import WITH_UNIT, Status
from gongzhi.work_orders.models import Subscription, WorkOrder, WorkOrderEvent

User = get_user_model()
#: The small district without its replayed requests, for tests about the bulk loader (faster).
QUIET_SMALL = dataclasses.replace(SIZES["small"], requests=0)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]


def _fingerprint() -> dict[str, list[Any]]:
    return {
        "residents": list(User.objects.filter(kind=AccountKind.RESIDENT).values_list("display_name", "phone")),
        "staff": list(User.objects.filter(kind=AccountKind.STAFF).values_list("username", "display_name")),
        "communities": list(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("name", "community_type")),
        "buildings": list(Building.objects.order_by("area_path", "name").values_list("name", "address")),
        "organisations": list(Organisation.objects.order_by("code").values_list("name", "kind")),
    }


def _seed_and_roll_back(seed: int) -> dict[str, list[Any]]:
    with transaction.atomic():
        seed_demo(QUIET_SMALL, seed=seed)
        result = _fingerprint()
        transaction.set_rollback(True)
    return result


def test_small_seed_is_deterministic_for_a_seed_and_varies_between_seeds() -> None:
    # given / when: the same seed twice and another seed
    first = _seed_and_roll_back(7)
    again = _seed_and_roll_back(7)
    other = _seed_and_roll_back(8)

    # then
    assert first == again
    assert first["residents"] != other["residents"]
    assert first["staff"] != other["staff"]


def test_small_seed_covers_every_community_type_organisation_kind_and_role() -> None:
    # when
    summary = seed_demo(QUIET_SMALL, seed=1)

    # then
    assert set(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("community_type", flat=True)) == set(
        CommunityType.values
    )
    assert Area.objects.filter(level=AreaLevel.STREET).count() == 2
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    held = set(RoleGrant.objects.filter(revoked_at__isnull=True).values_list("role", flat=True))
    assert held == set(Role.values)
    assert summary.counts["residents"] == User.objects.filter(kind=AccountKind.RESIDENT).count() == 300
    assert Room.objects.filter(floor_area__isnull=True).count() == 0
    assert not Organisation.objects.filter(served_areas__isnull=True).exists()


def test_seed_writes_exactly_one_change_record_from_the_loader() -> None:
    # when
    seed_demo(QUIET_SMALL, seed=1)

    # then: the bulk loader writes one record (replayed requests write their actions' own)
    record = ChangeRecord.objects.get()
    assert record.verb == "seed_demo"
    assert record.source == "seed_demo"
    assert record.actor is None
    assert record.target_repr == "南山区"
    assert record.after["residents"] == 300


def test_residents_have_unique_mobile_numbers_grid_homes_and_a_grant_on_their_community() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)
    residents = list(User.objects.filter(kind=AccountKind.RESIDENT).select_related("home_area"))

    # then
    phones = [r.phone for r in residents]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)
    assert all(r.home_area.level == AreaLevel.GRID for r in residents)
    assert not any(r.has_usable_password() for r in residents)
    grants = {g.user_id: g for g in RoleGrant.objects.filter(role=Role.RESIDENT)}
    assert len(grants) == len(residents)
    assert all(grants[r.pk].area_id == r.home_area.parent_id for r in residents)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", r.display_name) for r in residents)


def test_staff_share_the_documented_password_which_passes_the_validators() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)
    staff = list(User.objects.filter(kind=AccountKind.STAFF))

    # then
    assert staff
    for user in staff[:5]:
        validate_password(DEMO_PASSWORD, user)  # raises if the demo password were too weak
    assert all(user.check_password(DEMO_PASSWORD) for user in staff[:5])
    assert len({user.password for user in staff}) == 1


def test_each_administrator_holds_one_system_wide_grant_and_nothing_else() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)

    # then
    for role in ADMIN_ROLES:
        grant = RoleGrant.objects.get(role=role)
        assert (grant.organisation_id, grant.area_id, grant.area_path) == (None, None, "")
        assert RoleGrant.objects.filter(user=grant.user).count() == 1


def test_category_tree_has_three_levels_and_every_leaf_has_a_lead_handler() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)

    # then
    assert MatterCategory.objects.filter(level=1).count() >= 8
    leaves = MatterCategory.objects.filter(level=3)
    assert leaves.count() >= 40
    assert not leaves.filter(parent__parent__isnull=True).exists()
    led = set(DutyAssignment.objects.filter(duty_role=DutyRole.LEAD).values_list("category_id", flat=True))
    assert set(leaves.values_list("pk", flat=True)) <= led
    assert not DutyAssignment.objects.filter(category__level__lt=3).exists()


def test_seed_refuses_a_database_that_already_has_a_district() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)

    # when / then
    with pytest.raises(NotEmptyError):
        seed_demo(QUIET_SMALL, seed=3)
    with pytest.raises(CommandError):
        call_command("seed_demo", "--size", "small", stdout=StringIO())


def test_if_empty_seeds_once_then_does_nothing() -> None:
    # given
    out = StringIO()
    call_command("seed_demo", "--size", "small", "--if-empty", "--seed", "5", stdout=out)
    users = User.objects.count()

    # when
    call_command("seed_demo", "--size", "small", "--if-empty", stdout=out)

    # then
    assert User.objects.count() == users
    assert ChangeRecord.objects.filter(verb="seed_demo").count() == 1
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    assert "not seeding" in text


def _queries_to_seed(residents: int) -> int:
    size = DemoSize("tiny", streets=2, communities=7, grids_per_community=1, buildings_per_grid=1, residents=residents)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        seed_demo(size, seed=11, batch_size=5000)
        transaction.set_rollback(True)
    return len(queries)


def test_seed_query_count_does_not_grow_with_the_number_of_residents() -> None:
    # when: ten times the residents, same territory
    few = _queries_to_seed(60)
    many = _queries_to_seed(600)

    # then: rows go in bulk (SQLite caps rows per INSERT at 999 parameters; PostgreSQL uses COPY).
    # Each adult writes an account, a grant, a registry row, a membership and perhaps a household
    # and tags: six tables, so one query per ten adults is still about sixty rows per query.
    assert few < 120
    assert many - few <= (600 - 60) / 10


def test_demo_logins_prints_every_role_the_password_and_resident_phones() -> None:
    # given
    seed_demo(QUIET_SMALL, seed=3)
    out = StringIO()

    # when
    call_command("demo_logins", stdout=out)

    # then
    text = out.getvalue()
    for role in Role:
        if role != Role.RESIDENT:
            assert str(role.label) in text
    assert "system_admin" in text
    assert DEMO_PASSWORD in text
    resident = User.objects.filter(kind=AccountKind.RESIDENT).order_by("username").first()
    assert resident.phone in text
    assert "/accounts/phone/" in text


def test_demo_logins_without_a_seed_says_how_to_seed() -> None:
    out = StringIO()

    call_command("demo_logins", stdout=out)

    assert "seed_demo" in out.getvalue()


def test_small_seed_builds_the_registry_of_households_in_rooms() -> None:
    # given / when
    summary = seed_demo(QUIET_SMALL, seed=5)

    # then: every account holder is on the register, in a household at a room of their grid
    accounts = User.objects.filter(kind=AccountKind.RESIDENT)
    registered = Resident.objects.select_related("user")
    assert registered.filter(user__isnull=False).count() == accounts.count() == 300
    assert registered.count() == summary.counts["registered_residents"] > 300  # children have no account
    households = Household.objects.select_related("room__unit__building")
    assert households.count() == summary.counts["households"] > 0
    assert all(h.room is not None and h.room.unit.building.grid_id == h.grid_id for h in households)
    assert not HouseholdMembership.objects.exclude(area_path=models.F("household__area_path")).exists()
    # ID numbers and phones are valid, encrypted at rest and findable by their blind index
    person = registered.filter(user__isnull=False).first()
    assert person is not None
    assert person.user is not None
    assert validate_id_number(person.id_number) == person.id_number
    assert person.phone == person.user.phone
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM residents_resident WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert person.id_number not in raw_id
    assert person.phone not in raw_phone
    assert Resident.objects.get(id_number_index=blind_index(person.id_number, kind="id_number")) == person


def test_small_seed_replays_requests_through_the_actions_with_past_timelines() -> None:
    # given / when: the small district with its requests
    summary = seed_demo("small", seed=2026)

    # then: orders in many states, each step an action with its change record, in the past
    orders = WorkOrder.objects.all()
    statuses = set(orders.values_list("status", flat=True))
    assert orders.count() == sum(v for k, v in summary.counts.items() if k.startswith("work_orders_")) > 60
    assert {Status.CLOSED, Status.IN_PROGRESS, Status.DISPATCHED} <= statuses
    now = timezone.now()
    assert orders.filter(submitted_at__lt=now - datetime.timedelta(days=14)).exists()
    assert not WorkOrderEvent.objects.filter(created_at__gt=now).exists()
    events = WorkOrderEvent.objects.count()
    # (the participation demo's budgeting and opinion actions write their own records)
    # ("me too" follows write a change record but no timeline event)
    replayed = ChangeRecord.objects.exclude(verb__in=["seed_demo", "follow"]).exclude(
        target_type__app_label__startswith="participation_"
    )
    assert replayed.count() == events
    # neighbours follow some open board requests, and requests carry a map point near their building
    follows = Subscription.objects.exclude(order__submitter_id=F("user_id"))
    assert follows.exists()
    assert follows.count() == ChangeRecord.objects.filter(verb="follow").count()
    assert orders.filter(lat__isnull=False, lng__isnull=False).count() == orders.count()
    # the slow unit left work overdue, which supervision screens must show
    assert orders.filter(reply_due__lt=now, status__in=[Status.SIGNED, Status.IN_PROGRESS, Status.DISPATCHED]).exists()


def test_every_department_with_a_handler_login_has_open_work_in_the_small_demo() -> None:
    # given / when
    seed_demo("small", seed=2026)

    # then: whichever department handler a visitor signs in as, the inbox is not empty
    departments = Organisation.objects.filter(
        kind=OrganisationKind.GOVERNMENT_DEPARTMENT,
        pk__in=RoleGrant.objects.filter(role=Role.DEPARTMENT_HANDLER).values("organisation_id"),
    )
    assert departments.count() >= 3
    idle = [
        d.name
        for d in departments
        if not WorkOrder.objects.filter(lead_organisation=d, status__in=sorted(WITH_UNIT)).exists()
    ]
    assert idle == []
