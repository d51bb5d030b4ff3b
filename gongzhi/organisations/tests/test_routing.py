"""Routing proposals from the duty lists: most specific area wins, lead before assist."""

from __future__ import annotations

from gongzhi.organisations import actions
from gongzhi.organisations.choices import DutyRole
from gongzhi.organisations.queries import category_tree, propose_units
from gongzhi.organisations.tests.duty_world import build_duties


def test_community_duty_list_overrides_the_district(world, django_assert_max_num_queries):
    duties = build_duties(world)

    with django_assert_max_num_queries(2):
        proposals = propose_units(duties.full, world.g1)

    assert proposals == [(world.orgs["committee_c1"], DutyRole.LEAD), (world.orgs["property_c1"], DutyRole.ASSIST)]


def test_nearest_ancestor_area_is_used_when_the_area_has_no_duty(world):
    duties = build_duties(world)

    assert propose_units(duties.env, world.g3) == [(world.orgs["street_office_s1"], DutyRole.LEAD)]
    assert propose_units(duties.full, world.g4) == [(world.orgs["housing_bureau"], DutyRole.LEAD)]


def test_parent_category_duties_cover_their_subcategories(world):
    duties = build_duties(world)

    assert propose_units(duties.waste, world.c2) == [(world.orgs["street_office_s1"], DutyRole.LEAD)]


def test_no_duty_means_no_proposal(world):
    duties = build_duties(world)

    assert propose_units(duties.house, world.g1) == []


def test_inactive_organisations_are_not_proposed(world):
    duties = build_duties(world)
    actions.update_organisation(world.orgs["committee_c1"], actor=world.system_admin, is_active=False)

    # the street's lead (the next area up with a lead line) takes over; the property
    # company's assist line in C1 still applies
    assert propose_units(duties.full, world.g1) == [
        (world.orgs["street_office_s1"], DutyRole.LEAD),
        (world.orgs["property_c1"], DutyRole.ASSIST),
    ]


def test_a_nearer_assist_line_does_not_hide_the_lead_of_an_ancestor_area(world, django_assert_max_num_queries):
    # given: the district housing bureau leads HOUSE; committee C1 only assists with it in C1
    duties = build_duties(world)
    actions.add_duty(world.orgs["housing_bureau"], actor=world.system_admin, category=duties.house, area=world.district)
    actions.add_duty(
        world.orgs["committee_c1"],
        actor=world.system_admin,
        category=duties.house,
        area=world.c1,
        duty_role=DutyRole.ASSIST,
    )

    # when
    with django_assert_max_num_queries(2):
        proposals = propose_units(duties.house, world.g1)

    # then: the bureau leads and the committee assists (before, the assist line alone was proposed)
    assert proposals == [(world.orgs["housing_bureau"], DutyRole.LEAD), (world.orgs["committee_c1"], DutyRole.ASSIST)]


def test_an_assist_line_above_the_lead_area_is_not_proposed(world):
    # given: committee C1 leads ENV-WASTE in C1; the housing bureau assists ENV district-wide
    duties = build_duties(world)
    actions.add_duty(
        world.orgs["housing_bureau"],
        actor=world.system_admin,
        category=duties.waste,
        area=world.district,
        duty_role=DutyRole.ASSIST,
    )

    # then: the community's own list overrides the district's assist
    assert propose_units(duties.waste, world.g1) == [(world.orgs["committee_c1"], DutyRole.LEAD)]


def test_lead_comes_before_assist_and_each_organisation_once(world):
    duties = build_duties(world)
    actions.add_duty(world.orgs["property_c1"], actor=world.system_admin, category=duties.env, area=world.c1)

    proposals = propose_units(duties.full, world.g2)

    assert proposals[0][1] == DutyRole.LEAD
    assert [org for org, _role in proposals].count(world.orgs["property_c1"]) == 1
    assert (world.orgs["property_c1"], DutyRole.LEAD) in proposals


def test_category_tree_nests_three_levels(world):
    duties = build_duties(world)

    tree = category_tree()

    env = next(node for node in tree if node["code"] == duties.env.code)
    assert env["children"][0]["code"] == duties.waste.code
    assert env["children"][0]["children"][0]["code"] == duties.full.code
