"""Organisation actions: organisations, served areas, duty lists, categories, path moves."""

from __future__ import annotations

import pytest

from gongzhi.audit.models import ChangeRecord
from gongzhi.organisations import actions
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.errors import OrganisationError, OrganisationErrorCode
from gongzhi.organisations.models import DutyAssignment, Organisation, OrganisationArea
from gongzhi.organisations.tests.duty_world import build_duties
from gongzhi.territory.actions import deactivate_area, move_area
from gongzhi.territory.models import Area


def test_create_organisation_takes_its_seat_path(world):
    org = actions.create_organisation(
        actor=world.street_official_s1,
        kind=OrganisationKind.SOCIAL_ORGANISATION,
        name="海珠社工站",
        code="ORG-SW",
        seat=world.c2,
    )

    assert org.home_area_path == world.c2.path
    assert ChangeRecord.objects.filter(verb="create_organisation", target_id=str(org.pk)).count() == 1


def test_organisation_codes_are_unique(world):
    with pytest.raises(OrganisationError) as exc:
        actions.create_organisation(
            actor=world.system_admin, kind=OrganisationKind.ENTERPRISE, name="x", code="ORG-C1", seat=world.c1
        )

    assert exc.value.code == OrganisationErrorCode.CODE_TAKEN
    assert exc.value.http_status == 409


def test_seat_must_be_active(world):
    deactivate_area(world.g3, actor=world.system_admin)
    world.g3.refresh_from_db()

    with pytest.raises(OrganisationError) as exc:
        actions.create_organisation(
            actor=world.system_admin, kind=OrganisationKind.ENTERPRISE, name="x", code="X", seat=world.g3
        )

    assert exc.value.code == OrganisationErrorCode.SEAT_INACTIVE


def test_update_organisation_moves_its_seat_path(world):
    org = actions.update_organisation(
        world.orgs["property_c1"], actor=world.system_admin, seat=world.c2, contact_phone="0755-1234"
    )

    org.refresh_from_db()
    assert org.home_area_path == world.c2.path
    assert org.contact_phone == "0755-1234"
    record = ChangeRecord.objects.get(verb="update_organisation")
    assert record.before["home_area_path"] == world.c1.path


def test_parent_cycles_are_refused(world):
    child = actions.update_organisation(
        world.orgs["committee_c1"], actor=world.system_admin, parent=world.orgs["street_office_s1"]
    )

    with pytest.raises(OrganisationError) as exc:
        actions.update_organisation(world.orgs["street_office_s1"], actor=world.system_admin, parent=child)

    assert exc.value.code == OrganisationErrorCode.PARENT_CYCLE


def test_set_served_areas_replaces_the_set_with_one_record(world):
    org = world.orgs["committee_c1"]

    actions.set_served_areas(org, actor=world.system_admin, areas=[world.g1, world.g2])

    assert set(OrganisationArea.objects.filter(organisation=org).values_list("area_id", flat=True)) == {
        world.g1.pk,
        world.g2.pk,
    }
    record = ChangeRecord.objects.get(verb="set_served_areas")
    assert record.before == {"served_areas": [world.c1.code]}
    assert record.after == {"served_areas": sorted([world.g1.code, world.g2.code])}


def test_served_areas_must_keep_covering_the_duties(world):
    duties = build_duties(world)

    with pytest.raises(OrganisationError) as exc:
        actions.set_served_areas(world.orgs["committee_c1"], actor=world.system_admin, areas=[world.g1])

    assert exc.value.code == OrganisationErrorCode.DUTY_AREA_NOT_SERVED
    assert duties.c1_waste.organisation.served_areas.count() == 1


def test_add_duty_copies_the_area_path(world):
    duties = build_duties(world)

    duty = actions.add_duty(
        world.orgs["committee_c1"], actor=world.street_official_s1, category=duties.house, area=world.g1
    )

    assert duty.area_path == world.g1.path
    assert duty.duty_role == DutyRole.LEAD
    assert ChangeRecord.objects.filter(verb="add_duty").count() == 1


@pytest.mark.parametrize(
    ("org", "area", "code"),
    [
        ("committee_c1", "c3", OrganisationErrorCode.DUTY_AREA_NOT_SERVED),
        ("committee_c1", "s1", OrganisationErrorCode.DUTY_AREA_NOT_SERVED),
        ("committee_c1", "c1", OrganisationErrorCode.DUTY_EXISTS),
    ],
)
def test_add_duty_refusals(world, org, area, code):
    duties = build_duties(world)

    with pytest.raises(OrganisationError) as exc:
        actions.add_duty(world.orgs[org], actor=world.system_admin, category=duties.waste, area=getattr(world, area))

    assert exc.value.code == code


def test_duties_need_an_active_category(world):
    duties = build_duties(world)
    actions.update_category(duties.house, actor=world.system_admin, is_active=False)

    with pytest.raises(OrganisationError) as exc:
        actions.add_duty(world.orgs["committee_c1"], actor=world.system_admin, category=duties.house, area=world.c1)

    assert exc.value.code == OrganisationErrorCode.CATEGORY_INACTIVE


def test_update_and_remove_duty(world):
    duties = build_duties(world)

    actions.update_duty(
        duties.c1_waste, actor=world.system_admin, duty_role=DutyRole.ASSIST, basis="《城市市容和环境卫生管理条例》"
    )
    actions.remove_duty(duties.c1_waste, actor=world.system_admin)

    assert not DutyAssignment.objects.filter(pk=duties.c1_waste.pk).exists()
    record = ChangeRecord.objects.get(verb="remove_duty")
    assert record.after is None
    assert record.before["duty_role"] == DutyRole.ASSIST


def test_categories_are_at_most_three_levels(world):
    duties = build_duties(world)

    created = actions.create_category(actor=world.system_admin, code="ENV-NOISE", name="噪声", parent=duties.env)
    with pytest.raises(OrganisationError) as exc:
        actions.create_category(actor=world.system_admin, code="TOO-DEEP", name="过深", parent=duties.full)

    assert created.level == 2
    assert exc.value.code == OrganisationErrorCode.CATEGORY_TOO_DEEP


def test_category_codes_are_unique(world):
    build_duties(world)

    with pytest.raises(OrganisationError) as exc:
        actions.create_category(actor=world.system_admin, code="ENV", name="again")

    assert exc.value.code == OrganisationErrorCode.CATEGORY_CODE_TAKEN


def test_moving_an_area_rewrites_organisation_and_duty_paths(world):
    # given committee C1 seated in C1 with a duty line in C1
    duties = build_duties(world)

    # when C1 moves from street S1 to street S2
    move_area(world.c1, actor=world.system_admin, new_parent=world.s2)

    # then the copies of C1's path follow it, and one change record says so
    new = world.s2.path + world.c1.code + "/"
    assert Organisation.objects.get(pk=world.orgs["committee_c1"].pk).home_area_path == new
    assert Organisation.objects.get(pk=world.orgs["property_c1"].pk).home_area_path == new
    assert DutyAssignment.objects.get(pk=duties.c1_waste.pk).area_path == new
    assert DutyAssignment.objects.get(pk=duties.s1_env.pk).area_path == world.s1.path
    record = ChangeRecord.objects.get(verb="move_area")
    assert record.after["moved"]["organisations.Organisation.home_area_path"] == 2
    assert record.after["moved"]["organisations.DutyAssignment.area_path"] == 2
    assert not Area.objects.filter(path__startswith=world.s1.path + world.c1.code).exists()
