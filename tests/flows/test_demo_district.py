"""The seeded demo district works with scoping: each demo account sees its own part."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gongzhi.access.models import RoleGrant
from gongzhi.demo.seeding import seed_demo
from gongzhi.territory.models import Area, Building

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]
User = get_user_model()


def _grant_path(username: str) -> str:
    return RoleGrant.objects.get(user__username=username).area_path


def test_street_official_sees_exactly_the_buildings_under_their_street() -> None:
    # given
    seed_demo("small", seed=2026)
    official = User.objects.get(username="street_official_01")
    street_path = _grant_path("street_official_01")

    # when
    visible = set(Building.objects.restrict(official, "view").values_list("pk", flat=True))

    # then
    expected = set(Building.objects.filter(area_path__startswith=street_path).values_list("pk", flat=True))
    assert visible == expected
    assert 0 < len(visible) < Building.objects.count()


def test_grid_worker_sees_only_their_grid_and_a_resident_none_of_the_buildings_elsewhere() -> None:
    # given
    seed_demo("small", seed=2026)
    worker = User.objects.get(username="grid_worker_01")
    grid_path = _grant_path("grid_worker_01")

    # when
    visible = Building.objects.restrict(worker, "view")

    # then
    assert visible.exists()
    assert set(visible.values_list("area_path", flat=True)) == {grid_path}
    assert Area.objects.restrict(worker, "view").filter(path__startswith=grid_path).exists()


def test_administrators_see_no_territory_rows_by_their_grant() -> None:
    # given the system administrator holds a system-wide grant but no territory permission
    seed_demo("small", seed=2026)
    auditor = User.objects.get(username="audit_admin")

    # then: separation of duties — the audit administrator reads audit logs, not buildings
    assert not Building.objects.restrict(auditor, "view").exists()
