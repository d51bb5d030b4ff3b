"""The authorisation matrix: every work-order endpoint for every actor of the test world.

The order under test sits in grid G1 of community C1 (street S1), submitted by
resident_c1; when dispatched, the lead unit is the district housing bureau.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS
from gongzhi.work_orders import actions
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

URL = "/api/work-orders/"
PDF = b"%PDF-1.4\n%%EOF"


def _at(state):
    def make(w):
        order = {
            "submitted": factories.submitted,
            "dispatched": factories.dispatched,
            "signed": factories.signed,
            "replied": factories.replied,
        }[state](w)
        return order

    return make


def _extension_requested(w):
    order = factories.signed(w)
    return actions.request_extension(order, actor=w.department_handler, days=2, reason="需要协调")


def _dissatisfied(w):
    order = factories.replied(w)
    actions.rate_work_order(order, actor=w.resident_c1, satisfaction="dissatisfied", resolved=False)
    return order


def step(name, make, verb_path, *, allow, body=None, fmt="json", writes=None):
    return Case(
        name,
        "post",
        lambda w: f"{URL}{make(w).pk}/{verb_path}/",
        allow=allow,
        default=404,
        body=body or (lambda w: {}),
        fmt=fmt,
        writes=writes,
    )


def forbid(*actors):
    return dict.fromkeys(actors, 403)


def allowed(*actors, code=200):
    return dict.fromkeys(actors, code)


def _list_world(w):
    def make(title, by, area, dispatch=False):
        order = factories.submitted(w, by=by, area=area, title=title)
        if dispatch:
            actions.dispatch_work_order(order, to=w.orgs["housing_bureau"], actor=w.community_worker_c1)

    make("o1", "resident_c1", w.g1, dispatch=True)
    make("o2", "resident_c3", w.g4)
    make("o3", "resident_c1", w.g2)
    return URL


def titled(*titles):
    return lambda w: set(WorkOrder.objects.filter(title__in=titles).values_list("id", flat=True))


LIST_SEES = {
    "resident_c1": titled("o1", "o3"),
    "resident_c3": titled("o2"),
    "grid_worker_g1": titled("o1"),
    "community_worker_c1": titled("o1", "o3"),
    "community_worker_c3": titled("o2"),
    "street_official_s1": titled("o1", "o3"),
    "street_official_s2": titled("o2"),
    "district_official": titled("o1", "o2", "o3"),
    "department_handler": titled("o1"),
    "property_staff_c1": titled(),
    "police_liaison": titled(),
}

SEES_SUBMITTED = ("resident_c1", "grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official")
SEES_DISPATCHED = (*SEES_SUBMITTED, "department_handler")
DISPATCHERS = ("community_worker_c1", "street_official_s1")
ADDERS = (
    "resident_c1",
    "resident_c3",
    "grid_worker_g1",
    "community_worker_c1",
    "community_worker_c3",
    "street_official_s1",
    "street_official_s2",
)


def _create_body(w):
    return {
        "order_type": "help",
        "channel": "web",
        "area": w.g1.pk,
        "title": "求助",
        "description": "老人行动不便需要帮助",
    }


def _handler_step(name, state, path, body=None):
    return step(
        name,
        _at(state),
        path,
        allow={**forbid(*SEES_SUBMITTED), "department_handler": 200},
        body=body,
    )


def _dispatcher_step(name, make, path, body=None, extra_allowed=(), sees=SEES_DISPATCHED):
    permitted = (*DISPATCHERS, *extra_allowed)
    return step(name, make, path, allow={**forbid(*sees), **allowed(*permitted)}, body=body)


CASES = [
    Case(
        "list",
        "get",
        _list_world,
        allow=allowed(*LIST_SEES),
        default=403,
        expect_ids=LIST_SEES,
    ),
    Case("detail", "get", lambda w: f"{URL}{factories.dispatched(w).pk}/", allow=allowed(*SEES_DISPATCHED)),
    Case("create", "post", lambda w: URL, allow=allowed(*ADDERS, code=201), default=403, body=_create_body),
    _dispatcher_step("accept", _at("submitted"), "accept", sees=SEES_SUBMITTED),
    _dispatcher_step(
        "reject", _at("submitted"), "reject", body=lambda w: {"reason": "不属于受理范围"}, sees=SEES_SUBMITTED
    ),
    _dispatcher_step(
        "dispatch",
        _at("submitted"),
        "dispatch",
        body=lambda w: {"to": w.orgs["housing_bureau"].pk},
        sees=SEES_SUBMITTED,
    ),
    _handler_step("sign", "dispatched", "sign"),
    _handler_step("return", "dispatched", "return", body=lambda w: {"reason": "非本单位职责"}),
    _handler_step("contact", "signed", "contact"),
    _handler_step("start", "signed", "start"),
    _handler_step("reply", "signed", "reply", body=lambda w: {"text": "已处理"}),
    _handler_step("request-extension", "signed", "request-extension", body=lambda w: {"days": 2, "reason": "需采购"}),
    _dispatcher_step(
        "decide-extension",
        _extension_requested,
        "decide-extension",
        body=lambda w: {"approve": True},
        extra_allowed=("district_official",),
    ),
    _dispatcher_step(
        "transfer", _at("signed"), "transfer", body=lambda w: {"to": w.orgs["property_c1"].pk, "reason": "物业负责"}
    ),
    step(
        "supervise",
        _at("dispatched"),
        "supervise",
        allow={**forbid(*SEES_DISPATCHED), **allowed("street_official_s1", "district_official")},
        body=lambda w: {"level": 2},
    ),
    _dispatcher_step("hold", _at("dispatched"), "hold", body=lambda w: {"on_hold": True, "reason": "等待鉴定"}),
    _dispatcher_step(
        "follow-up", _at("replied"), "follow-up", body=lambda w: {"resolved": True}, extra_allowed=("grid_worker_g1",)
    ),
    _dispatcher_step("close", _at("replied"), "close"),
    _dispatcher_step("reopen", _at("replied"), "reopen", body=lambda w: {"reason": "居民反映未解决"}),
    step(
        "rate",
        _at("replied"),
        "rate",
        allow={**forbid(*SEES_DISPATCHED), "resident_c1": 200},
        body=lambda w: {"satisfaction": "basically_satisfied", "resolved": True},
    ),
    _dispatcher_step("review", _dissatisfied, "review", body=lambda w: {"uphold": True, "note": "确未解决"}),
    _dispatcher_step(
        "merge",
        _at("submitted"),
        "merge",
        body=lambda w: {"master": factories.submitted(w).pk},
        sees=SEES_SUBMITTED,
    ),
    step(
        "attachments",
        _at("submitted"),
        "attachments",
        allow={
            **forbid(*SEES_SUBMITTED),
            **allowed("resident_c1", "grid_worker_g1", *DISPATCHERS, code=201),
        },
        body=lambda w: {"file": SimpleUploadedFile("doc.pdf", PDF)},
        fmt="multipart",
    ),
    Case(
        "export",
        "get",
        lambda w: f"{URL}export/",
        allow=allowed(
            "community_worker_c1",
            "community_worker_c3",
            "street_official_s1",
            "street_official_s2",
            "district_official",
        ),
        default=403,
    ),
    Case(
        "bulk-dispatch",
        "post",
        lambda w: f"{URL}bulk-dispatch/",
        allow={
            **allowed(*DISPATCHERS),
            "community_worker_c3": 404,
            "street_official_s2": 404,
        },
        default=403,
        body=lambda w: {"ids": [factories.submitted(w).pk], "to": w.orgs["housing_bureau"].pk},
    ),
    # Following a request on the public board: anyone signed in, except its own reporter (409);
    # a request not on the board only by those who may view it (the rest get follow_not_allowed).
    Case(
        "board-follow",
        "post",
        lambda w: f"{URL}board/{factories.dispatched(w, is_public=True).pk}/follow/",
        allow={**allowed(*ACTORS), "resident_c1": 409},
        anonymous=403,
    ),
    Case(
        "board-follow-private",
        "post",
        lambda w: f"{URL}board/{factories.dispatched(w).pk}/follow/",
        allow={**dict.fromkeys(ACTORS, 409), **allowed(*SEES_DISPATCHED), "resident_c1": 409},
        anonymous=403,
    ),
    Case(
        "similar",
        "get",
        lambda w: f"{URL}similar/?area={w.g1.pk}&description=%E8%B7%AF%E7%81%AF",
        allow=allowed(*ACTORS),
        anonymous=403,
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
