"""The authorisation matrix of the deliberation API. The process sits in community C1, run by
its committee; the proposal is by resident_c1. Reads are public."""

import pytest

from gongzhi.participation.deliberation.tests import factories
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

API = "/api/participation/"
EVERYONE = dict.fromkeys([a for a in ACTORS if a != "anonymous"], 200)
ORGANISERS_C1 = ["community_worker_c1", "street_official_s1"]
MODERATORS = ["community_worker_c1", "community_worker_c3", "street_official_s1", "street_official_s2"]
STAFF_FOLLOWERS = ["grid_worker_g1", *MODERATORS, "district_official"]


def allow(actors, code=200):
    return dict.fromkeys(actors, code)


def _proposal(w):
    return factories.proposal(w)


def _proposal_url(suffix=""):
    return lambda w: f"{API}proposals/{_proposal(w).pk}/{suffix}"


def _neighbour(w):
    return {"on_behalf_of": factories.neighbours(w, 1)[0].pk}


CASES = [
    Case("processes", "get", lambda w: (factories.process(w), f"{API}processes/")[1], allow=EVERYONE, anonymous=200),
    Case("process", "get", lambda w: f"{API}processes/{factories.four_two(w).pk}/", allow=EVERYONE, anonymous=200),
    Case(
        "create process in C1",
        "post",
        lambda w: f"{API}processes/",
        body=lambda w: {"title": "议事", "area": w.c1.pk, "template": "four_two"},
        allow={**allow(ORGANISERS_C1, 201), "community_worker_c3": 409, "street_official_s2": 409},
        default=403,
    ),
    Case(
        "advance phase",
        "post",
        lambda w: f"{API}processes/{factories.process(w).pk}/advance/",
        body=lambda w: {"note": "进入商议阶段"},
        allow=allow(ORGANISERS_C1),
        default=403,
    ),
    Case("proposals", "get", lambda w: (_proposal(w), f"{API}proposals/")[1], allow=EVERYONE, anonymous=200),
    Case("proposal", "get", _proposal_url(), allow=EVERYONE, anonymous=200),
    Case(
        "submit proposal",
        "post",
        lambda w: f"{API}proposals/",
        body=lambda w: {"process": factories.process(w).pk, "title": "增设座椅", "body": "在小广场增设座椅"},
        allow={"resident_c1": 201},
        default=403,
        writes=1,
    ),
    Case("support own proposal", "post", _proposal_url("support/"), allow={"resident_c1": 409}, default=403),
    Case(
        "support for a resident (proxy)",
        "post",
        _proposal_url("support/"),
        body=_neighbour,
        allow=allow(["grid_worker_g1", *ORGANISERS_C1]),
        default=403,
    ),
    Case(
        "follow",
        "post",
        _proposal_url("follow/"),
        allow={**allow(["resident_c3", *STAFF_FOLLOWERS]), "resident_c1": 409},
        default=403,
    ),
    Case(
        "answer",
        "post",
        _proposal_url("answer/"),
        body=lambda w: {"outcome": "rejected", "text": "不在议事范围"},
        allow=allow(ORGANISERS_C1),
        default=403,
    ),
    Case(
        "comment",
        "post",
        _proposal_url("comments/"),
        body=lambda w: {"body": "赞成 <b>x</b> 🎉"},
        allow={**allow(["resident_c1", *ORGANISERS_C1], 201)},
        default=403,
    ),
    Case(
        "amend",
        "post",
        _proposal_url("amendments/"),
        body=lambda w: {"body": "改进"},
        allow={"resident_c1": 409},
        default=403,
    ),
    Case("debates", "get", lambda w: (factories.debate(w), f"{API}debates/")[1], allow=EVERYONE, anonymous=200),
    Case("debate", "get", lambda w: f"{API}debates/{factories.debate(w).pk}/", allow=EVERYONE, anonymous=200),
    Case(
        "open debate",
        "post",
        lambda w: f"{API}debates/",
        body=lambda w: {"process": factories.process(w).pk, "title": "是否改建停车位?"},
        allow=allow(ORGANISERS_C1, 201),
        default=403,
    ),
    Case(
        "close debate",
        "post",
        lambda w: f"{API}debates/{factories.debate(w).pk}/close/",
        body=lambda w: {"conclusion": "保留绿地"},
        allow=allow(ORGANISERS_C1),
        default=403,
    ),
    Case("moderation queue", "get", lambda w: f"{API}moderation/queue/", allow=allow(MODERATORS), default=403),
    Case(
        "hide",
        "post",
        lambda w: f"{API}moderation/hide/",
        body=lambda w: {"target_kind": "proposal", "target_id": _proposal(w).pk, "reason": "广告"},
        allow=allow(ORGANISERS_C1),
        default=403,
    ),
    Case(
        "report",
        "post",
        lambda w: f"{API}moderation/report/",
        body=lambda w: {"target_kind": "proposal", "target_id": _proposal(w).pk, "reason": "广告"},
        allow=allow(["resident_c1", "resident_c3"], 201),
        default=403,
    ),
    Case(
        "add sensitive word",
        "post",
        lambda w: f"{API}moderation/words/",
        body=lambda w: {"word": "代开发票"},
        allow=allow(["system_admin", "street_official_s1", "street_official_s2"], 201),
        default=403,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
