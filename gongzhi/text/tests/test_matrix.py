"""The authorisation matrix: every text endpoint for every actor of the test world.

Objects under test sit in grid G1 of community C1 (street S1): an order submitted by
resident_c1 (analysed; urgent, so it has an alert) and a hot spot made of G1 orders.
"""

from __future__ import annotations

import io

import pytest

from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.text import actions
from gongzhi.text.models import HotSpot, TextAlert
from gongzhi.text.tests import factories as tf
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.tests import factories

API = "/api/text/"
WATCHERS_G1 = ("grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official")
WATCHERS_ELSEWHERE = ("community_worker_c3", "street_official_s2")


def allowed(*actors, code=200):
    return dict.fromkeys(actors, code)


def _urgent_order(w):
    order = factories.submitted(w, title="楼道燃气泄漏", description="三楼燃气管道泄漏，味道很大")
    actions.analyse_order(order)
    return order


def _alert(w):
    return TextAlert.objects.get(order=_urgent_order(w))


def _hotspot(w):
    for i in range(3):
        factories.submitted(
            w,
            by="grid_worker_g1",
            channel="phone",
            contact_phone=f"1390000000{i}",
            title="丽发新城附近搅拌站噪音扰民",
            description="丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘严重扰民",
        )
    actions.refresh_hotspots()
    return HotSpot.objects.get(is_current=True)


def _model(w):
    import pickle  # noqa: F401 -- the model is stored pickled by register_text_model

    from gongzhi.text.engine.classifier import TextClassifier

    rows = shared_data.stratified(shared_data.labelled(), 4, offset=0)
    clf = TextClassifier.train([r["title"] for r in rows], [r["text"] for r in rows], [r["label"] for r in rows])
    tf.registered_model(clf)
    return tf.registered_model(clf)  # v2 active, v1 inactive


def _csv(w):
    rows = shared_data.stratified(shared_data.labelled(), 3, offset=0)
    buf = io.StringIO()
    import csv

    writer = csv.DictWriter(buf, fieldnames=["title", "text", "label"])
    writer.writeheader()
    for r in rows:
        writer.writerow({"title": r["title"], "text": r["text"][:500], "label": r["label"]})
    data = io.BytesIO(buf.getvalue().encode("utf-8"))
    data.name = "labelled.csv"
    return {"file": data}


def _signed(w):
    return wo_actions.sign_work_order(factories.dispatched(w), actor=w.department_handler)


ORDER_INSIGHT_SEES = allowed(*WATCHERS_G1)
CASES = [
    Case(
        "hot spots list",
        "get",
        lambda w: (_hotspot(w), f"{API}hotspots/")[1],
        allow=allowed(*WATCHERS_G1, *WATCHERS_ELSEWHERE),
        default=403,
        expect_ids={
            "community_worker_c1": lambda w: set(HotSpot.objects.values_list("id", flat=True)),
            "community_worker_c3": lambda w: set(),
        },
    ),
    Case("hot spot detail", "get", lambda w: f"{API}hotspots/{_hotspot(w).pk}/", allow=allowed(*WATCHERS_G1)),
    Case(
        "alerts list",
        "get",
        lambda w: (_alert(w), f"{API}alerts/")[1],
        allow=allowed(*WATCHERS_G1, *WATCHERS_ELSEWHERE),
        default=403,
        expect_ids={
            "grid_worker_g1": lambda w: set(TextAlert.objects.values_list("id", flat=True)),
            "street_official_s2": lambda w: set(),
        },
    ),
    Case("alert detail", "get", lambda w: f"{API}alerts/{_alert(w).pk}/", allow=allowed(*WATCHERS_G1)),
    Case(
        "acknowledge alert",
        "post",
        lambda w: f"{API}alerts/{_alert(w).pk}/acknowledge/",
        allow=allowed(*WATCHERS_G1),
        body=lambda w: {},
    ),
    Case("models list", "get", lambda w: (_model(w), f"{API}models/")[1], allow=allowed("system_admin"), default=403),
    Case("model detail", "get", lambda w: f"{API}models/{_model(w).pk}/", allow=allowed("system_admin")),
    Case(
        "activate model",
        "post",
        lambda w: f"{API}models/{_model(w).pk - 1}/activate/",
        allow=allowed("system_admin"),
        body=lambda w: {},
    ),
    Case(
        "train from CSV",
        "post",
        lambda w: (tf.categories(), f"{API}models/")[1],
        allow=allowed("system_admin", code=201),
        default=403,
        body=_csv,
        fmt="multipart",
    ),
    Case(
        "order insight",
        "get",
        lambda w: f"{API}orders/{_urgent_order(w).pk}/insight/",
        allow={**ORDER_INSIGHT_SEES, "resident_c1": 403},
    ),
    Case(
        "analyse order",
        "post",
        lambda w: f"{API}orders/{factories.submitted(w).pk}/analyse/",
        allow={**ORDER_INSIGHT_SEES, "resident_c1": 403},
        body=lambda w: {},
    ),
    Case(
        "reply check",
        "post",
        lambda w: f"{API}orders/{_signed(w).pk}/reply-check/",
        allow={**ORDER_INSIGHT_SEES, "department_handler": 200, "resident_c1": 403},
        body=lambda w: {"text": "经核实，区住建局已于11月30日前修复楼道灯。"},
        writes=0,
    ),
    Case(
        "analyse a draft",
        "post",
        lambda w: f"{API}analyse/",
        allow={**allowed(*WATCHERS_G1), **allowed(*WATCHERS_ELSEWHERE, code=404)},
        default=403,
        body=lambda w: {"title": "楼道灯不亮", "text": "3栋楼道灯坏了，电话13812345678", "area": w.g1.pk},
        writes=0,
    ),
    Case(
        "redact",
        "post",
        lambda w: f"{API}redact/",
        allow={},
        default=200,
        body=lambda w: {"text": "电话13812345678"},
        writes=0,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)
