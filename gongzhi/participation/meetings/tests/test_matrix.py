"""The authorisation matrix of the meetings API, for every actor of the test world.
Meetings and votes belong to community C1 (street S1)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.participation.meetings import actions, signin
from gongzhi.participation.meetings.models import Meeting, Owner, OwnersVote
from gongzhi.participation.meetings.tests import factories as f
from gongzhi.testing.matrix import Case, check, matrix_params

M = "/api/participation/meetings/"
R = "/api/participation/resolutions/"
V = "/api/participation/owners-votes/"
OWN = "/api/participation/owners/"
SEE = ("resident_c1", "grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official", "evaluator")
CONVENERS = ("community_worker_c1", "street_official_s1")
WATCHERS = ("grid_worker_g1", "district_official", "evaluator")


def allowed(*actors, code=200):
    return dict.fromkeys(actors, code)


def forbid(*actors):
    return dict.fromkeys(actors, 403)


def _voting(w):
    m = f.meeting(w)
    actions.record_attendance(m, actor=w.community_worker_c1, user=w.resident_c1)
    r = actions.propose_resolution(m, actor=w.community_worker_c1, title="同意更换垃圾分类亭")
    return actions.open_resolution_vote(r, actor=w.community_worker_c1)


def _owners_vote(w):
    f.estate(w, ["80.00", "95.50", "120.00"])
    vote = actions.create_owners_vote(actor=w.community_worker_c1, estate=w.c1, title="续聘物业", matter="manager")
    return actions.open_owners_vote(vote, actor=w.community_worker_c1)


CASES = [
    Case(
        "list meetings",
        "get",
        lambda w: (f.meeting(w), M)[1],
        allow=allowed(*SEE, "resident_c3", "community_worker_c3", "street_official_s2"),
        default=403,
        expect_ids={
            "community_worker_c3": lambda w: set(),
            "resident_c1": lambda w: set(Meeting.objects.values_list("id", flat=True)),
        },
    ),
    Case("meeting detail", "get", lambda w: f"{M}{f.meeting(w).pk}/", allow=allowed(*SEE)),
    Case(
        "create meeting",
        "post",
        lambda w: M,
        body=lambda w: {
            "kind": "council",
            "area": w.c1.pk,
            "title": "议事会<script>",
            "starts_at": "2026-12-01T19:00:00+08:00",
        },
        allow={**allowed(*CONVENERS, code=201), "community_worker_c3": 409, "street_official_s2": 409},
        default=403,
    ),
    Case(
        "start",
        "post",
        lambda w: f"{M}{f.meeting(w, start=False).pk}/start/",
        body=lambda w: {},
        allow={**allowed(*CONVENERS), **forbid("resident_c1", *WATCHERS)},
    ),
    Case(
        "check in by QR",
        "post",
        lambda w: f"{M}{Meeting.objects.get(pk=f.meeting(w).pk).pk}/check-in/",
        body=lambda w: {"token": signin.make_token(Meeting.objects.latest("id").pk)},
        allow={"resident_c1": 201, **forbid(*CONVENERS, *WATCHERS)},
    ),
    Case(
        "record attendance",
        "post",
        lambda w: f"{M}{f.meeting(w).pk}/attendance/",
        body=lambda w: {"user": w.resident_c1.pk, "method": "paper", "proxy_name": "王五"},
        allow={**allowed(*CONVENERS, code=201), **forbid("resident_c1", *WATCHERS)},
    ),
    Case(
        "propose resolution",
        "post",
        lambda w: f"{M}{f.meeting(w).pk}/resolutions/",
        body=lambda w: {"title": "同意加装电梯"},
        allow={**allowed(*CONVENERS, code=201), **forbid("resident_c1", *WATCHERS)},
    ),
    Case(
        "vote on a resolution",
        "post",
        lambda w: f"{R}{_voting(w).pk}/vote/",
        body=lambda w: {"choice": "for"},
        allow={"resident_c1": 201, **forbid(*CONVENERS, *WATCHERS)},
    ),
    Case(
        "decide a resolution",
        "post",
        lambda w: f"{R}{_voting(w).pk}/decide/",
        body=lambda w: {},
        allow={**allowed(*CONVENERS), **forbid("resident_c1", *WATCHERS)},
    ),
    Case(
        "list the owners' roll",
        "get",
        lambda w: (f.estate(w, ["80.00", "95.50"]), OWN)[1],
        # Every signed-in account may list: an owner sees their own entry on the roll; only staff of
        # the estate's area see the others (everyone else gets an empty list, checked below).
        default=200,
        expect_ids={
            "department_handler": lambda w: set(),
            "property_staff_c1": lambda w: set(),
            "police_liaison": lambda w: set(),
            "system_admin": lambda w: set(),
            "grid_worker_g1": lambda w: set(),
            "district_official": lambda w: set(),
            "evaluator": lambda w: set(),
            "resident_c1": lambda w: set(),
            "resident_c3": lambda w: set(),
            "community_worker_c3": lambda w: set(),
            "street_official_s2": lambda w: set(),
            "community_worker_c1": lambda w: set(Owner.objects.values_list("id", flat=True)),
            "street_official_s1": lambda w: set(Owner.objects.values_list("id", flat=True)),
        },
    ),
    Case(
        "owner detail",
        "get",
        lambda w: f"{OWN}{f.estate(w, ['80.00'])[0].pk}/",
        # The roll holds names and title deeds: only the conveners of the estate's area (and the
        # owner, tested below) may read an entry; watchers see statistics of votes, not the roll.
        allow=allowed(*CONVENERS),
    ),
    Case(
        "register an owner",
        "post",
        lambda w: OWN,
        body=lambda w: {
            "estate": w.c1.pk,
            "name": "业主<script>",
            "rooms": [w.room_g1.pk],
            "evidence": "不动产权证 粤(2021)深圳市第0000001号",
        },
        allow={**allowed(*CONVENERS, code=201), "community_worker_c3": 409, "street_official_s2": 409},
        default=403,
    ),
    Case("owners vote detail", "get", lambda w: f"{V}{_owners_vote(w).pk}/", allow=allowed(*SEE)),
    Case(
        "cast as owner (not on the roll)",
        "post",
        lambda w: f"{V}{_owners_vote(w).pk}/cast/",
        body=lambda w: {"choice": "for"},
        allow={"resident_c1": 409, **forbid(*CONVENERS, *WATCHERS)},
    ),
    Case(
        "enter a written vote",
        "post",
        lambda w: f"{V}{_owners_vote(w).pk}/enter/",
        body=lambda w: {
            "owner": OwnersVote.objects.latest("id").electors.first().owner_id,
            "choice": "for",
            "method": "written",
            "evidence": "书面表决票",
        },
        allow={**allowed(*CONVENERS, code=201), **forbid("resident_c1", *WATCHERS)},
    ),
    Case(
        "close owners vote",
        "post",
        lambda w: f"{V}{_owners_vote(w).pk}/close/",
        body=lambda w: {},
        allow={**allowed(*CONVENERS), **forbid("resident_c1", *WATCHERS)},
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


def test_owner_casts_through_the_api_once(world, client_for):
    owners = f.estate(world, ["80.00", "95.50", "120.00"])
    vote = actions.open_owners_vote(
        actions.create_owners_vote(actor=world.community_worker_c1, estate=world.c1, title="x", matter="rules"),
        actor=world.community_worker_c1,
    )
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(get_user_model().objects.get(pk=owners[0].user_id))
    assert client.post(f"{V}{vote.pk}/cast/", {"choice": "for"}, format="json").status_code == 201
    again = client.post(f"{V}{vote.pk}/cast/", {"choice": "against"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"
    assert client.post(f"{V}{vote.pk}/cast/", {"choice": "<script>"}, format="json").status_code == 400


def test_an_owner_reads_only_their_own_entry(world):
    from rest_framework.test import APIClient

    first, second = f.estate(world, ["80.00", "95.50"])
    client = APIClient()
    client.force_login(get_user_model().objects.get(pk=first.user_id))
    assert client.get(f"{OWN}{first.pk}/").status_code == 200
    assert client.get(f"{OWN}{second.pk}/").status_code == 404
    assert {row["id"] for row in client.get(OWN).json()["results"]} == {first.pk}


def test_list_query_counts(world, client_for, django_assert_max_num_queries):
    for i in range(4):
        f.meeting(world, title=f"会议{i}")
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(12):
        assert client.get(M).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(V).status_code == 200

    def roll_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(OWN).status_code == 200
        return len(ctx.captured_queries)

    f.estate(world, ["80.00"], name="一号楼")
    one = roll_queries()
    f.estate(world, ["80.00", "95.50", "120.00", "66.00"], name="二号楼")
    assert roll_queries() == one  # the owners' roll does not grow a query per owner
