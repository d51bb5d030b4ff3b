"""Authorisation matrix of the budgeting API: every endpoint x every actor of the test world."""

import pytest

from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.tests import factories
from gongzhi.testing.matrix import Case, check, matrix_params

VIEWERS_OF_C1 = {"resident_c1": 200, "community_worker_c1": 200, "street_official_s1": 200, "district_official": 200}
LIST_HOLDERS = {
    **VIEWERS_OF_C1,
    "resident_c3": 200,
    "grid_worker_g1": 200,
    "community_worker_c3": 200,
    "street_official_s2": 200,
}
STAFF_C1 = {"community_worker_c1": 200, "street_official_s1": 200}

CASES = [
    Case(
        "process list",
        "get",
        lambda w: "/api/participation/budgeting/processes/",
        allow=LIST_HOLDERS,
        default=403,
        expect_ids={
            "resident_c1": lambda w: {w.pb_voting.pk, w.pb_proposals.pk},
            "resident_c3": lambda w: set(),
            "grid_worker_g1": lambda w: set(),
            "community_worker_c3": lambda w: set(),
            "street_official_s1": lambda w: {w.pb_voting.pk, w.pb_proposals.pk},
        },
    ),
    Case(
        "process detail",
        "get",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_voting.pk}/",
        allow=VIEWERS_OF_C1,
    ),
    Case(
        "create process in C1",
        "post",
        lambda w: "/api/participation/budgeting/processes/",
        body=lambda w: {"title": "新一轮微实事", "area": w.c1.pk, "budget": 50000, "counting_rule": "greedy"},
        allow={"community_worker_c1": 201, "street_official_s1": 201},
        default=403,
    ),
    Case(
        "cast own ballot",
        "post",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_voting.pk}/ballot/",
        body=lambda w: {"choices": [{"project": factories.projects(w.pb_voting)[0].pk}]},
        allow={"resident_c1": 201, "community_worker_c1": 403, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "staff-assisted ballot",
        "post",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_voting.pk}/ballot/",
        body=lambda w: {"choices": [{"project": factories.projects(w.pb_voting)[1].pk}], "voter": w.resident_c1.pk},
        # voter = oneself is simply one's own ballot
        allow={"resident_c1": 201, "community_worker_c1": 201, "street_official_s1": 201, "district_official": 403},
    ),
    Case(
        "tally",
        "post",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_voting.pk}/tally/",
        # 202 Accepted: voting is closed, the count runs in the background.
        allow={**dict.fromkeys(STAFF_C1, 202), "resident_c1": 403, "district_official": 403},
    ),
    Case(
        "advance",
        "post",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_proposals.pk}/advance/",
        allow={**STAFF_C1, "resident_c1": 403, "district_official": 403},
    ),
    Case(
        "propose project",
        "post",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_proposals.pk}/propose/",
        body=lambda w: {"title": "<script>x</script>加装休闲座椅🪑", "description": "长" * 4000},
        allow={"resident_c1": 201, "community_worker_c1": 403, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "review project",
        "post",
        lambda w: f"/api/participation/budgeting/projects/{w.pb_proposed.pk}/review/",
        body=lambda w: {"feasible": True, "estimated_cost": 12000, "note": "可行"},
        allow={**STAFF_C1, "resident_c1": 403, "district_official": 403},
    ),
    Case(
        "public results",
        "get",
        lambda w: f"/api/participation/budgeting/processes/{w.pb_voting.pk}/results/",
        default=200,
        anonymous=200,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    world.pb_voting = factories.process_in_voting(world)
    world.pb_proposals = actions.create_process(world.c1, title="征集中", budget=1000, actor=world.community_worker_c1)
    world.pb_proposed = actions.propose_project(world.pb_proposals, title="凉亭", actor=world.resident_c1)
    check(world, client_for, case, actor)


def test_bad_input_is_a_400_with_field_errors_or_a_stable_code(world, client_for):
    process = factories.process_in_voting(world, max_choices=1)
    client = client_for("resident_c1")
    url = f"/api/participation/budgeting/processes/{process.pk}/ballot/"
    assert client.post(url, {"choices": "x"}, format="json").status_code == 400
    twice = [{"project": factories.projects(process)[0].pk}] * 2
    assert client.post(url, {"choices": twice}, format="json").status_code == 400
    two = [{"project": p.pk} for p in factories.projects(process)[:2]]
    response = client.post(url, {"choices": two}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_choices"
    ok = client.post(url, {"choices": two[:1]}, format="json")
    assert ok.status_code == 201
    again = client.post(url, {"choices": two[:1]}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"


def test_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    for _ in range(5):
        factories.process_in_voting(world)
    client = client_for("street_official_s1")
    with django_assert_max_num_queries(8):
        response = client.get("/api/participation/budgeting/processes/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5
