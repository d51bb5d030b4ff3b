"""Authorisation matrix of the work-order pages for every world actor: sign-in required,
pages by role, an order in grid G1 of community C1 visible only to those in scope."""

from __future__ import annotations

import pytest

from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.work_orders.tests import factories

pytestmark = pytest.mark.django_db

STAFF_VIEW = {
    "grid_worker_g1",
    "community_worker_c1",
    "community_worker_c3",
    "street_official_s1",
    "street_official_s2",
    "district_official",
    "department_handler",
    "property_staff_c1",
    "police_liaison",
}
ENTRY = {"grid_worker_g1", "community_worker_c1", "community_worker_c3", "street_official_s1", "street_official_s2"}
SEES_C1_ORDER = {"resident_c1", "grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official"}
SEES_DISPATCHED = SEES_C1_ORDER | {"department_handler"}

CASES = [
    Case("inbox", "get", lambda w: "/work-orders/", allow=dict.fromkeys(STAFF_VIEW, 200), default=403, anonymous=302),
    Case(
        "report form",
        "get",
        lambda w: "/work-orders/report/",
        allow={"resident_c1": 200, "resident_c3": 200},
        default=403,
        anonymous=302,
    ),
    Case(
        "staff entry form",
        "get",
        lambda w: "/work-orders/new/",
        allow=dict.fromkeys(ENTRY, 200),
        default=403,
        anonymous=302,
    ),
    Case("my requests", "get", lambda w: "/work-orders/mine/", default=200, anonymous=302),
    Case(
        "detail, submitted in G1",
        "get",
        lambda w: f"/work-orders/{factories.submitted(w).pk}/",
        allow=dict.fromkeys(SEES_C1_ORDER, 200),
        default=404,
        anonymous=302,
    ),
    Case(
        "detail, dispatched to the housing bureau",
        "get",
        lambda w: f"/work-orders/{factories.dispatched(w).pk}/",
        allow=dict.fromkeys(SEES_DISPATCHED, 200),
        default=404,
        anonymous=302,
    ),
    Case(
        # already signed, so the lead unit is refused by state (409) and nobody writes
        "sign step, signed by the housing bureau",
        "post",
        lambda w: f"/work-orders/{factories.signed(w).pk}/act/sign/",
        allow={"department_handler": 409, **dict.fromkeys(SEES_C1_ORDER, 403)},
        default=404,
        anonymous=302,
        body=lambda w: {},
        fmt="multipart",
    ),
    Case(
        "bulk dispatch, nothing selected",
        "post",
        lambda w: "/work-orders/bulk-dispatch/",
        allow=dict.fromkeys(ENTRY - {"grid_worker_g1"}, 302),
        default=403,
        anonymous=302,
        body=lambda w: {},
        fmt="multipart",
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
