"""API behaviour beyond the matrix: inputs, error codes, query counts, hostile text."""

from __future__ import annotations

import pytest

from gongzhi.text import actions
from gongzhi.text.tests import factories as tf
from gongzhi.work_orders.tests import factories


def test_analyse_draft_returns_suggestions_cues_duplicates_and_redaction(world, client_for, small_classifier):
    tf.registered_model(small_classifier)
    first = factories.submitted(world, title="小区门口垃圾堆积", description="小区门口垃圾堆积一周无人清运，臭气熏天")
    response = client_for("community_worker_c1").post(
        "/api/text/analyse/",
        {
            "title": "门口垃圾无人清运",
            "text": "小区门口垃圾堆积无人清运，电话13812345678，有人被困电梯",
            "area": world.g1.pk,
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 200
    assert len(body["suggestions"]) == 3
    assert body["model_version"] == 1
    assert body["urgent"]
    assert body["cues"][0]["cue"] == "trapped"
    assert body["duplicates"][0]["order"] == first.pk
    assert "13812345678" not in body["redacted_text"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "x"}, "area"),
        ({"text": "x", "area": "abc"}, "area"),
        ({"area": 1}, "text"),
        ({"text": 5, "area": []}, "area"),
    ],
)
def test_analyse_draft_bad_input(world, client_for, data, field):
    response = client_for("community_worker_c1").post("/api/text/analyse/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize("text", tf.HOSTILE_TEXTS)
def test_endpoints_with_hostile_text(world, client_for, small_classifier, text):
    tf.registered_model(small_classifier)
    client = client_for("community_worker_c1")
    r = client.post("/api/text/analyse/", {"title": "", "text": text, "area": world.g1.pk}, format="json")
    assert r.status_code == 200
    r = client.post("/api/text/redact/", {"text": text}, format="json")
    assert r.status_code == 200
    assert len(r.json()["redacted"]) == len(text)


def test_text_over_the_limit_is_a_field_error(world, client_for):
    r = client_for("community_worker_c1").post("/api/text/redact/", {"text": "长" * 100_001}, format="json")
    assert r.status_code == 400
    assert "text" in r.json()["fields"]


def test_acknowledge_twice_gives_the_code(world, client_for):
    order = factories.submitted(world, title="着火了", description="楼下着火了")
    actions.analyse_order(order)
    client = client_for("community_worker_c1")
    alert_id = client.get("/api/text/alerts/").json()["results"][0]["id"]
    assert client.post(f"/api/text/alerts/{alert_id}/acknowledge/").status_code == 200
    again = client.post(f"/api/text/alerts/{alert_id}/acknowledge/")
    assert again.status_code == 409
    assert again.json()["code"] == "already_acknowledged"


def test_insight_not_analysed_is_404(world, client_for):
    order = factories.submitted(world)
    assert client_for("community_worker_c1").get(f"/api/text/orders/{order.pk}/insight/").status_code == 404


def test_list_query_counts(world, client_for, django_assert_max_num_queries):
    for i in range(5):
        order = factories.submitted(world, title=f"燃气泄漏{i}", description="楼道燃气管道泄漏")
        actions.analyse_order(order)
        for j in range(3):
            factories.submitted(
                world,
                by="grid_worker_g1",
                channel="phone",
                contact_phone=f"13{i}0000000{j}",
                title=f"第{i}小区搅拌站噪音",
                description=f"第{i}小区旁边搅拌站日夜施工噪音扰民",
            )
    actions.refresh_hotspots()
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(10):
        alerts = client.get("/api/text/alerts/")
    with django_assert_max_num_queries(10):
        spots = client.get("/api/text/hotspots/")
    assert alerts.json()["count"] >= 5
    assert spots.json()["count"] >= 1
    assert all(row["members"] for row in spots.json()["results"])
