"""Authorisation matrix for the access API (grants, role catalogue), across every world actor."""

from __future__ import annotations

import pytest

from gongzhi.access.actions import grant_role
from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import make_user


def _all_grants(w):
    return set(RoleGrant.objects.values_list("pk", flat=True))


def _grant_of(w, actor):
    return w.users[actor].role_grants.get().pk


CASES = [
    Case(
        "grants list",
        "get",
        lambda w: "/api/access/grants/",
        allow={"security_admin": 200},
        default=403,
        expect_ids={"security_admin": _all_grants},
    ),
    Case(
        "grant detail",
        "get",
        lambda w: f"/api/access/grants/{_grant_of(w, 'community_worker_c1')}/",
        allow={"security_admin": 200, "community_worker_c1": 200},
    ),
    Case(
        "grant a role",
        "post",
        lambda w: "/api/access/grants/",
        body=lambda w: {
            "user": w.no_grant.pk,
            "role": Role.GRID_WORKER.value,
            "organisation": w.orgs["committee_c1"].pk,
            "area": w.g2.pk,
        },
        allow={"security_admin": 201},
        default=403,
    ),
    Case(
        "revoke a grant",
        "post",
        lambda w: f"/api/access/grants/{_grant_of(w, 'grid_worker_g1')}/revoke/",
        allow={"security_admin": 200, "grid_worker_g1": 403},
    ),
    Case("role catalogue", "get", lambda w: "/api/access/roles/", allow={"security_admin": 200}, default=403),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_access_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


def test_grant_rule_violations_are_coded_errors(world, client_for):
    client = client_for("security_admin")
    response = client.post(
        "/api/access/grants/",
        {
            "user": world.system_admin.pk,
            "role": Role.GRID_WORKER.value,
            "organisation": world.orgs["committee_c1"].pk,
            "area": world.g1.pk,
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "admin_role_exclusive")
    response = client.post(
        "/api/access/grants/",
        {
            "user": world.no_grant.pk,
            "role": Role.GRID_WORKER.value,
            "organisation": world.orgs["committee_c1"].pk,
            "area": world.g4.pk,
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "organisation_not_serving_area")


def test_grant_with_bad_input_is_a_400(world, client_for):
    response = client_for("security_admin").post("/api/access/grants/", {"user": 999999, "role": "pope"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"user", "role"}


def test_security_admin_may_not_revoke_their_own_grant(world, client_for):
    grant = world.security_admin.role_grants.get()
    response = client_for("security_admin").post(f"/api/access/grants/{grant.pk}/revoke/")
    assert (response.status_code, response.json()["code"]) == (409, "self_grant")


def test_role_catalogue_lists_every_role_with_its_permissions(world, client_for):
    rows = {r["id"]: r for r in client_for("security_admin").get("/api/access/roles/").json()}
    assert set(rows) == set(Role.values)
    assert "audit.view_changerecord" in rows["audit_admin"]["permissions"]
    assert "audit.view_changerecord" not in rows["system_admin"]["permissions"]
    assert rows["security_admin"]["scope_mode"] == "system"
    assert rows["property_staff"]["scope_mode"] == "organisation"
    assert rows["resident"]["requires_organisation"] is False


def test_grants_list_query_count(world, client_for, django_assert_max_num_queries):
    for i in range(15):
        user = make_user(f"extra{i}")
        grant_role(
            user,
            role=Role.GRID_WORKER,
            organisation=world.orgs["committee_c3"],
            area=world.g4,
            actor=world.security_admin,
        )
    client = client_for("security_admin")
    with django_assert_max_num_queries(8):
        response = client.get("/api/access/grants/")
    assert response.json()["count"] == RoleGrant.objects.count()


def test_grants_can_be_filtered_by_user(world, client_for):
    response = client_for("security_admin").get(f"/api/access/grants/?user={world.street_official_s1.pk}")
    assert [g["role"] for g in response.json()["results"]] == ["street_official"]
