"""Scoping: grants on area subtrees and organisations decide which rows a user sees."""

from __future__ import annotations

import pytest
from django.db.models import Q

from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area, Building


def codes(qs):
    return {a.code for a in qs}


def test_grid_worker_sees_only_their_grid(world):
    assert codes(Area.objects.restrict(world.grid_worker_g1, "view")) == {world.g1.code}


def test_street_official_sees_the_whole_street_subtree(world):
    visible = codes(Area.objects.restrict(world.street_official_s1, "view"))
    assert visible == {a.code for a in (world.s1, world.c1, world.c2, world.g1, world.g2, world.g3)}


def test_anonymous_and_ungranted_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Area.objects.restrict(AnonymousUser(), "view").exists()
    assert not Area.objects.restrict(world.no_grant, "view").exists()


def test_a_verb_the_role_lacks_opens_nothing(world):
    assert not Area.objects.restrict(world.district_official, "change").exists()
    assert Area.objects.restrict(world.district_official, "view").count() == 10


def test_buildings_follow_their_grid(world):
    assert set(Building.objects.restrict(world.community_worker_c3, "view")) == {world.building_g4}
    assert set(Building.objects.restrict(world.grid_worker_g1, "view")) == {world.building_g1}


def test_organisation_scoped_role_is_limited_to_its_organisation_where_the_model_knows_it(world):
    visible = set(Organisation.objects.restrict(world.property_staff_c1, "view"))
    assert world.orgs["property_c1"] in visible
    assert world.orgs["committee_c3"] not in visible


def test_community_worker_sees_district_departments_serving_them(world):
    visible = set(Organisation.objects.restrict(world.community_worker_c1, "view"))
    assert world.orgs["housing_bureau"] in visible
    assert world.orgs["committee_c1"] in visible
    assert world.orgs["committee_c3"] not in visible
    assert world.orgs["street_office_s2"] not in visible


@pytest.mark.parametrize("admin", ["system_admin", "security_admin", "audit_admin"])
def test_revoked_grant_opens_nothing(world, admin):
    from django.utils import timezone

    user = world.users["community_worker_c1"]
    user.role_grants.update(revoked_at=timezone.now())
    assert not Area.objects.restrict(user, "view").exists()


def test_area_bound_grant_on_a_model_without_area_uses_the_models_own_rule(world):
    from gongzhi.access.scope import grant_q
    from gongzhi.core.scoping import ScopeSpec

    grant = world.community_worker_c1.role_grants.get()
    assert grant_q(ScopeSpec(), grant, "view") is None
    opened = grant_q(ScopeSpec(extra=lambda g, verb: Q(pk__gt=0)), grant, "view")
    assert opened == Q(pk__gt=0)
