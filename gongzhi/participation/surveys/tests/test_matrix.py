"""The authorisation matrix of the survey API, for every actor of the test world.
The surveys under test belong to community C1 (street S1)."""

import pytest

from gongzhi.participation.surveys.models import Survey
from gongzhi.participation.surveys.tests import factories as f
from gongzhi.testing.matrix import Case, check, matrix_params

URL = "/api/participation/surveys/"
SEE = ("resident_c1", "grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official", "evaluator")
MANAGERS = ("community_worker_c1", "street_official_s1")


def allowed(*actors, code=200):
    return dict.fromkeys(actors, code)


def forbid(*actors):
    return dict.fromkeys(actors, 403)


def _open(w):
    return f.survey(w, anonymous=False)


def _draft(w):
    return f.survey(w, open_=False)


def _respond_body(w):
    s = Survey.objects.filter(title="加装电梯意向调查").latest("id")
    return {"answers": {str(k): v for k, v in f.answers(s).items()}}


def _survey_url(make, tail=""):
    return lambda w: f"{URL}{make(w).pk}/{tail}"


CASES = [
    Case(
        "list",
        "get",
        lambda w: (_open(w), URL)[1],
        allow=allowed(*SEE, "resident_c3", "community_worker_c3", "street_official_s2"),
        default=403,
        expect_ids={
            "resident_c3": lambda w: set(),
            "community_worker_c1": lambda w: set(Survey.objects.values_list("id", flat=True)),
        },
    ),
    Case("detail", "get", _survey_url(_open), allow=allowed(*SEE)),
    Case("draft detail", "get", _survey_url(_draft), allow=allowed(*MANAGERS)),
    Case(
        "create",
        "post",
        lambda w: URL,
        body=lambda w: {"area": w.c1.pk, "title": "<script>x</script>停车问卷😀"},
        allow={**allowed(*MANAGERS, code=201), "community_worker_c3": 409, "street_official_s2": 409},
        default=403,
    ),
    Case(
        "add question",
        "post",
        _survey_url(_draft, "questions/"),
        body=lambda w: {"kind": "single", "text": "是否同意?", "options": ["是", "否"]},
        allow=allowed(*MANAGERS, code=201),
    ),
    Case("open", "post", _survey_url(_draft, "open/"), body=lambda w: {}, allow=allowed(*MANAGERS)),
    Case(
        "close",
        "post",
        _survey_url(_open, "close/"),
        body=lambda w: {},
        allow={**allowed(*MANAGERS), **forbid("resident_c1", "grid_worker_g1", "district_official", "evaluator")},
    ),
    Case(
        "respond",
        "post",
        _survey_url(_open, "respond/"),
        body=_respond_body,
        allow={
            "resident_c1": 201,
            **forbid("grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official", "evaluator"),
        },
    ),
    Case(
        "results",
        "get",
        _survey_url(_open, "results/"),
        allow={**allowed(*MANAGERS, "district_official", "evaluator"), **forbid("resident_c1", "grid_worker_g1")},
    ),
    Case(
        "export",
        "get",
        _survey_url(_open, "export/?as=xlsx"),
        allow={**allowed(*MANAGERS, "district_official"), **forbid("resident_c1", "grid_worker_g1", "evaluator")},
    ),
    Case(
        "remind",
        "post",
        _survey_url(_open, "remind/"),
        body=lambda w: {},
        allow={**allowed(*MANAGERS), **forbid("resident_c1", "grid_worker_g1", "district_official", "evaluator")},
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


def test_respond_twice_is_409_and_bad_input_400(world, client_for):
    s = f.survey(world)
    client = client_for("resident_c1")
    body = {"answers": {str(k): v for k, v in f.answers(s).items()}}
    assert client.post(f"{URL}{s.pk}/respond/", body, format="json").status_code == 201
    again = client.post(f"{URL}{s.pk}/respond/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_responded"
    other = client_for("resident_c1")
    bad = other.post(f"{URL}{s.pk}/respond/", {"answers": "not json{"}, format="json")
    assert bad.status_code == 400


def test_hostile_answer_is_400_with_code(world, client_for):
    s = f.survey(world)
    body = {"answers": {str(k): v for k, v in f.answers(s, scale=99).items()}}
    response = client_for("resident_c1").post(f"{URL}{s.pk}/respond/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"


def test_anonymous_breakdown_refused_while_open(world, client_for):
    s = f.survey(world)
    response = client_for("community_worker_c1").get(f"{URL}{s.pk}/results/?breakdown=area")
    assert response.status_code == 400


def test_list_query_count(world, client_for, django_assert_max_num_queries):
    for i in range(5):
        f.survey(world, title=f"问卷{i}")
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5
