"""Staff screens: hot spots, alerts, models, the insight panel and the reply check on orders."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.test import Client

from gongzhi.text import actions
from gongzhi.text.models import HotSpot, TextAlert, TextModel
from gongzhi.text.tests import factories as tf
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.tests import factories


def _client(world, actor):
    client = Client()
    client.force_login(world.users[actor])
    return client


def _hotspots(world, n=3):
    for k in range(n):
        for i in range(3):
            factories.submitted(
                world,
                by="grid_worker_g1",
                channel="phone",
                contact_phone=f"139{k:04d}000{i}",
                title=f"第{k}号地块搅拌站噪音扰民" if k else "丽发新城附近搅拌站噪音扰民",
                description=[
                    "丽发新城小区旁边的搅拌站日夜施工，噪音和灰尘严重扰民",
                    "幸福路菜市场油烟污染严重，夜宵摊占道经营",
                    "春晓小学门口早晚高峰车辆乱停堵塞交通",
                ][k % 3],
            )
    actions.refresh_hotspots()


def test_hotspots_page_lists_ranked_groups(world, django_assert_max_num_queries):
    _hotspots(world)
    client = _client(world, "community_worker_c1")
    with django_assert_max_num_queries(12):
        response = client.get("/text/hotspots/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="hotspots"' in body
    assert "丽发新城" in body
    assert HotSpot.objects.filter(is_current=True).count() >= 2


def test_hotspots_page_needs_the_permission(world):
    assert _client(world, "resident_c1").get("/text/hotspots/").status_code == 403
    assert _client(world, "department_handler").get("/text/alerts/").status_code == 403


def test_hotspot_detail_shows_members_and_trend(world):
    _hotspots(world, n=1)
    spot = HotSpot.objects.get()
    response = _client(world, "street_official_s1").get(f"/text/hotspots/{spot.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-order-id=") == 3
    assert 'data-testid="hotspot-trend"' in body
    assert _client(world, "community_worker_c3").get(f"/text/hotspots/{spot.pk}/").status_code == 404


def test_alerts_page_and_acknowledge(world, django_assert_max_num_queries):
    for i in range(3):
        order = factories.submitted(world, title=f"燃气泄漏{i}", description="楼道燃气管道泄漏，味道很大")
        actions.analyse_order(order)
    client = _client(world, "community_worker_c1")
    with django_assert_max_num_queries(12):
        response = client.get("/text/alerts/")
    assert response.content.decode().count('data-kind="urgent"') == 3
    alert = TextAlert.objects.first()
    response = client.post(f"/text/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    assert _client(world, "community_worker_c3").post(f"/text/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_models_page_trains_from_a_csv(world):
    tf.categories()
    rows = shared_data.stratified(shared_data.labelled(), 3, offset=0)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["title", "text", "label"])
    writer.writeheader()
    for r in rows:
        writer.writerow({"title": r["title"], "text": r["text"][:300], "label": r["label"]})
    upload = io.BytesIO(buf.getvalue().encode())
    upload.name = "labelled.csv"
    client = _client(world, "system_admin")
    response = client.post("/text/models/", {"file": upload})
    assert response.status_code == 302
    model = TextModel.objects.get()
    assert model.is_active
    assert model.metrics["cross_validation"]["folds"] == 3
    page = client.get("/text/models/").content.decode()
    assert 'data-version="1"' in page
    bad = io.BytesIO(b"x,y\n1,2\n")
    bad.name = "bad.csv"
    response = client.post("/text/models/", {"file": bad})
    assert response.status_code == 400
    assert "title、text、label" in response.content.decode()  # the bad_csv message, Chinese by default
    assert _client(world, "community_worker_c1").get("/text/models/").status_code == 403


def test_models_page_says_why_a_retrained_version_was_not_activated(world, small_classifier):
    tf.categories()
    report = {"cross_validation": {"folds": 5, "macro_f1_mean": 0.9, "macro_f1_std": 0.01}}
    actions.register_text_model(small_classifier, actor=None, source="csv", metrics=report)
    kept = {"activated": False, "reason": "lower_macro_f1", "active_version": 1, "active_macro_f1": 0.9}
    actions.register_text_model(
        small_classifier, actor=None, source="closed_orders", metrics={"activation": kept}, activate=False
    )
    page = _client(world, "system_admin").get("/text/models/").content.decode()
    assert "未启用：v1 得分更高。" in page
    client = _client(world, "system_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Not activated: v1 scores higher." in client.get("/text/models/").content.decode()


def test_order_page_shows_the_insight_panel_to_staff_only(world, small_classifier):
    tf.registered_model(small_classifier)
    tf.duty(world, "城乡建设")
    first = factories.submitted(world, title="小区门口垃圾堆积", description="小区门口垃圾堆积一周无人清运，臭气熏天")
    order = factories.submitted(
        world, title="小区楼道燃气泄漏", description="小区门口垃圾堆积无人清运，楼道燃气泄漏味道很大"
    )
    actions.analyse_order(order)
    staff = _client(world, "community_worker_c1").get(f"/work-orders/{order.pk}/").content.decode()
    assert 'data-testid="text-insight"' in staff
    assert 'data-cue="gas_leak"' in staff
    assert f'data-order-id="{first.pk}"' in staff
    assert first.number in staff
    assert "text-suggestions" in staff
    resident = _client(world, "resident_c1").get(f"/work-orders/{order.pk}/").content.decode()
    assert "text-insight" not in resident


def test_reply_form_carries_the_reply_check(world):
    order = wo_actions.sign_work_order(factories.dispatched(world), actor=world.department_handler)
    client = _client(world, "department_handler")
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'data-testid="reply-check"' in page
    assert f"/text/orders/{order.pk}/reply-check/" in page
    weak = client.post(f"/text/orders/{order.pk}/reply-check/", {"text": "留言已收悉"}).content.decode()
    # The widget posts the reply step's own field ("reply-text"): the same check.
    same = client.post(f"/text/orders/{order.pk}/reply-check/", {"reply-text": "留言已收悉"}).content.decode()
    assert same == weak
    assert 'data-warning="no_action"' in weak
    assert "text-reply-check__score--weak" in weak
    good = client.post(
        f"/text/orders/{order.pk}/reply-check/",
        {
            "text": "经现场核实，南山区住房和建设局已于11月30日按照《物业管理条例》"
            "更换3栋1单元5楼楼道灯，楼道灯已恢复照明。"
        },
    ).content.decode()
    assert "text-reply-check__score--weak" not in good
    hostile = client.post(f"/text/orders/{order.pk}/reply-check/", {"text": "<script>x</script>" + "长" * 30_000})
    assert hostile.status_code == 400
    assert _client(world, "resident_c1").post(f"/text/orders/{order.pk}/reply-check/", {"text": "x"}).status_code == 403


def test_analyse_button(world):
    order = factories.submitted(world)
    response = _client(world, "community_worker_c1").post(f"/text/orders/{order.pk}/analyse/")
    assert response.status_code == 302
    assert _client(world, "community_worker_c3").post(f"/text/orders/{order.pk}/analyse/").status_code == 404
