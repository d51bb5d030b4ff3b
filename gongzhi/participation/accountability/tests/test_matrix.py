"""The authorisation matrix of the results API. The result under test sits in community C1
with the C1 residents' committee as responsible unit. Reads are public."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.participation.accountability.models import Result
from gongzhi.participation.accountability.tests import factories
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

URL = "/api/participation/results/"
EVERYONE = dict.fromkeys([a for a in ACTORS if a != "anonymous"], 200)
REPORTERS_C1 = {"community_worker_c1": 200, "street_official_s1": 200}
SUPERVISORS = [
    "community_worker_c1",
    "community_worker_c3",
    "street_official_s1",
    "street_official_s2",
    "district_official",
]


def _overdue_pair(w):
    factories.overdue(w, title="逾期C1")
    factories.overdue(w, by="community_worker_c3", area=w.c3, unit="committee_c3", title="逾期C3")
    return f"{URL}overdue/"


def titled(*titles):
    return lambda w: set(Result.objects.filter(title__in=titles).values_list("id", flat=True))


def _png(w):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buf, format="PNG")
    return {"file": SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png"), "caption": "现场"}


CASES = [
    Case("list", "get", lambda w: (factories.result(w), URL)[1], allow=EVERYONE, anonymous=200),
    Case("detail", "get", lambda w: f"{URL}{factories.result(w).pk}/", allow=EVERYONE, anonymous=200),
    Case(
        "create in C1",
        "post",
        lambda w: URL,
        body=lambda w: {"title": "修路灯", "area": w.c1.pk, "deadline": "2027-03-01"},
        allow={
            "community_worker_c1": 201,
            "street_official_s1": 201,
            "community_worker_c3": 409,
            "street_official_s2": 409,
        },
        default=403,
    ),
    Case(
        "progress",
        "post",
        lambda w: f"{URL}{factories.result(w).pk}/progress/",
        body=lambda w: {"progress": 30, "text": "材料已到场"},
        allow=REPORTERS_C1,
        default=403,
    ),
    Case(
        "progress of the unit's result",
        "post",
        lambda w: f"{URL}{factories.result(w, unit='housing_bureau').pk}/progress/",
        body=lambda w: {"progress": 30, "text": "材料已到场"},
        allow={**REPORTERS_C1, "department_handler": 200},
        default=403,
    ),
    Case(
        "milestone",
        "post",
        lambda w: f"{URL}{factories.result(w).pk}/milestones/",
        body=lambda w: {"title": "招标"},
        allow=dict.fromkeys(REPORTERS_C1, 201),
        default=403,
    ),
    Case(
        "evidence",
        "post",
        lambda w: f"{URL}{factories.result(w).pk}/evidence/",
        body=_png,
        fmt="multipart",
        allow=dict.fromkeys(REPORTERS_C1, 201),
        default=403,
    ),
    Case(
        "follow",
        "post",
        lambda w: f"{URL}{factories.result(w).pk}/follow/",
        allow={"resident_c1": 200, "resident_c3": 200},
        default=403,
    ),
    Case(
        "overdue",
        "get",
        _overdue_pair,
        allow=dict.fromkeys(SUPERVISORS, 200),
        default=403,
        expect_ids={
            "community_worker_c1": titled("逾期C1"),
            "street_official_s1": titled("逾期C1"),
            "community_worker_c3": titled("逾期C3"),
            "street_official_s2": titled("逾期C3"),
            "district_official": titled("逾期C1", "逾期C3"),
        },
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    check(world, client_for, case, actor)
