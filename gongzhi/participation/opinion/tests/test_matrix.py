"""Authorisation matrix of the opinion-map API: every endpoint x every actor of the test world."""

import pytest

from gongzhi.participation.opinion import actions
from gongzhi.participation.opinion.tests import factories
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
BASE = "/api/participation/opinion/conversations/"

CASES = [
    Case(
        "conversation list",
        "get",
        lambda w: BASE,
        allow=LIST_HOLDERS,
        default=403,
        expect_ids={
            "resident_c1": lambda w: {w.op.pk},
            "resident_c3": lambda w: set(),
            "community_worker_c3": lambda w: set(),
            "district_official": lambda w: {w.op.pk},
        },
    ),
    Case("conversation detail", "get", lambda w: f"{BASE}{w.op.pk}/", allow=VIEWERS_OF_C1),
    Case(
        "start conversation in C1",
        "post",
        lambda w: BASE,
        body=lambda w: {"question": "楼下广场舞时间怎么定", "area": w.c1.pk},
        allow={"community_worker_c1": 201, "street_official_s1": 201},
        default=403,
    ),
    Case(
        "submit statement",
        "post",
        lambda w: f"{BASE}{w.op.pk}/statements/",
        body=lambda w: {"text": factories.HOSTILE_STATEMENT[:280]},
        allow={"resident_c1": 201, "community_worker_c1": 201, "street_official_s1": 201, "district_official": 403},
    ),
    Case(
        "vote",
        "post",
        lambda w: f"{BASE}{w.op.pk}/vote/",
        body=lambda w: {"statement": factories.statements(w.op)[0].pk, "value": -1},
        allow={"resident_c1": 200, "community_worker_c1": 403, "street_official_s1": 403, "district_official": 403},
    ),
    Case(
        "moderate",
        "post",
        lambda w: f"{BASE}{w.op.pk}/moderate/",
        body=lambda w: {"statement": w.op_pending.pk, "publish": False, "reason": "重复"},
        allow={**STAFF_C1, "resident_c1": 403, "district_official": 403},
    ),
    Case(
        "compute map",
        "post",
        lambda w: f"{BASE}{w.op.pk}/compute/",
        allow={**STAFF_C1, "resident_c1": 403, "district_official": 403},
    ),
    Case(
        "close",
        "post",
        lambda w: f"{BASE}{w.op.pk}/close/",
        allow={**STAFF_C1, "resident_c1": 403, "district_official": 403},
    ),
    Case("public map", "get", lambda w: f"{BASE}{w.op.pk}/map/", default=200, anonymous=200),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    world.op = factories.conversation_with_statements(world)
    world.op_pending = actions.submit_statement(world.op, text="物业应公开停车收入", actor=world.resident_c1)
    check(world, client_for, case, actor)


def test_public_map_has_no_personal_data(world, client_for):
    conversation = factories.conversation_with_statements(world)
    for statement in factories.statements(conversation):
        actions.cast_opinion_vote(statement, value=1, actor=world.resident_c1)
    actions.compute_map(conversation)
    body = client_for("anonymous").get(f"{BASE}{conversation.pk}/map/").content.decode()
    assert "resident_c1" not in body
    assert world.resident_c1.phone not in body
    assert '"participant"' not in body
    assert "participant_id" not in body


def test_bad_vote_value_is_a_400(world, client_for):
    conversation = factories.conversation_with_statements(world)
    statement = factories.statements(conversation)[0]
    response = client_for("resident_c1").post(
        f"{BASE}{conversation.pk}/vote/", {"statement": statement.pk, "value": "yes"}, format="json"
    )
    assert response.status_code == 400


def test_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    for _ in range(5):
        factories.conversation_with_statements(world)
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(8):
        response = client.get(BASE)
    assert len(response.json()["results"]) == 5
