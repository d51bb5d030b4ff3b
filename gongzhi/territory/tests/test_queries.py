"""Territory reads: subtree, ancestors, counts; list endpoints have bounded query counts."""

from __future__ import annotations

import pytest

from gongzhi.territory import actions
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.queries import count_by_level, get_ancestors, list_children, list_grids_under


def test_get_ancestors_root_first_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        ancestors = get_ancestors(world.g1)

    assert ancestors == [world.city, world.district, world.s1, world.c1]
    assert get_ancestors(world.g1, include_self=True)[-1] == world.g1
    assert get_ancestors(world.city) == []


def test_count_by_level(world):
    actions.deactivate_area(world.g2, actor=world.system_admin)

    assert count_by_level(world.s1) == {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}
    assert count_by_level()[AreaLevel.GRID] == 3


def test_children_and_grids(world):
    assert set(list_children(world.c1)) == {world.g1, world.g2}
    assert set(list_grids_under(world.s1)) == {world.g1, world.g2, world.g3}


def add_grids(world, n):
    for i in range(n):
        grid = actions.create_area(
            actor=world.system_admin, code=f"C1G{i:02d}", name=f"网格{i}", level=AreaLevel.GRID, parent=world.c1
        )
        building = actions.create_building(grid, actor=world.system_admin, name=f"{i}栋", address=f"科苑路{i}号")
        unit = actions.create_unit(building, actor=world.system_admin, number="1")
        actions.create_room(unit, actor=world.system_admin, number="101")


@pytest.mark.parametrize(
    "url",
    [
        "/api/territory/areas/",
        "/api/territory/areas/?level=5&q=网格",
        "/api/territory/buildings/",
        "/api/territory/units/",
        "/api/territory/rooms/",
    ],
)
@pytest.mark.parametrize("actor", ["system_admin", "community_worker_c1"])
def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries, url, actor):
    add_grids(world, 20)
    client = client_for(actor)

    # session, user, grants, count, page; the staff idle-timeout middleware saves the
    # session (savepoint, update, release). Nothing here grows with the rows.
    with django_assert_max_num_queries(9):
        response = client.get(url)

    assert response.status_code == 200
    assert response.json()["count"] >= 20


def test_subtree_filter_and_children_endpoint(world, client_for, django_assert_max_num_queries):
    add_grids(world, 5)
    client = client_for("street_official_s1")

    with django_assert_max_num_queries(10):
        under = client.get(f"/api/territory/areas/?under={world.c1.pk}&page_size=100").json()
    children = client.get(f"/api/territory/areas/{world.c1.pk}/children/").json()

    assert under["count"] == 1 + 2 + 5
    assert children["count"] == 2 + 5


def test_api_error_body_carries_the_domain_code(world, client_for):
    client = client_for("community_worker_c1")

    response = client.post(
        "/api/territory/areas/",
        {"code": world.g1.code, "name": "重复", "level": 5, "parent": world.c1.pk},
        format="json",
    )
    bad_level = client.post(
        "/api/territory/areas/", {"code": "NEW", "name": "x", "level": 4, "parent": world.c1.pk}, format="json"
    )
    bad_boundary = client.patch(f"/api/territory/areas/{world.g1.pk}/", {"boundary": {"type": "Point"}}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "code_taken")
    assert (bad_level.status_code, bad_level.json()["code"]) == (400, "level_mismatch")
    assert (bad_boundary.status_code, bad_boundary.json()["code"]) == (400, "invalid_boundary")
    assert "boundary" in bad_boundary.json()["fields"]


def test_deactivating_an_area_with_children_is_a_conflict(world, client_for):
    response = client_for("street_official_s1").post(f"/api/territory/areas/{world.c1.pk}/deactivate/")

    assert (response.status_code, response.json()["code"]) == (409, "has_active_children")


def test_own_grant_area_cannot_be_deactivated_or_moved(world, client_for):
    client = client_for("community_worker_c1")

    assert client.post(f"/api/territory/areas/{world.c1.pk}/deactivate/").status_code == 403
    assert (
        client.post(f"/api/territory/areas/{world.c1.pk}/move/", {"parent": world.s1.pk}, format="json").status_code
        == 403
    )


def test_create_is_idempotent_with_a_key(world, client_for):
    client = client_for("system_admin")
    body = {"code": "C1G99", "name": "新网格", "level": 5, "parent": world.c1.pk}

    first = client.post("/api/territory/areas/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/territory/areas/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
