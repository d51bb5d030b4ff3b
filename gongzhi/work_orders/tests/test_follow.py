"""Following a request ("me too", 我也遇到): a resident who finds their problem already on
the public board follows it instead of filing it again, and gets its notices from then on."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.access.choices import Role
from gongzhi.audit.models import ChangeRecord
from gongzhi.notifications.models import Notification
from gongzhi.testing.world import grant, make_user
from gongzhi.work_orders import actions
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode
from gongzhi.work_orders.models import Subscription
from gongzhi.work_orders.tests import factories

E = WorkOrderErrorCode


def _on_board(world, **extra):
    fields = {"title": "小区东门路灯不亮", "description": "小区东门的路灯坏了一周，晚上很黑", "is_public": True}
    fields.update(extra)
    order = factories.submitted(world, **fields)
    order = actions.accept_work_order(order, actor=world.community_worker_c1)
    return actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)


@pytest.fixture
def neighbour(world):
    user = make_user("neighbour_c1", kind="resident", home_area=world.g1, phone="13800000009")
    grant(user, Role.RESIDENT, area=world.c1)
    return user


def _code(call):
    with pytest.raises(WorkOrderError) as err:
        call()
    return err.value.code


def test_a_neighbour_follows_a_board_request_and_gets_its_notices(world, neighbour, django_capture_on_commit_callbacks):
    order = _on_board(world)
    with django_capture_on_commit_callbacks(execute=True):
        subscription = actions.follow_work_order(order, actor=neighbour)
    assert subscription.user_id == neighbour.pk
    record = ChangeRecord.objects.filter(verb="follow").latest("id")
    assert record.after == {"followers": 1}
    with django_capture_on_commit_callbacks(execute=True):
        order = actions.sign_work_order(order, actor=world.department_handler)
        actions.reply_work_order(order, actor=world.department_handler, text="已于周三更换灯泡，由物业负责维护")
    assert Notification.objects.filter(recipient=neighbour, source_id=order.pk).exists()


def test_follow_refusals(world, neighbour):
    order = _on_board(world)
    assert _code(lambda: actions.follow_work_order(order, actor=world.resident_c1)) == E.ALREADY_FOLLOWING  # own
    actions.follow_work_order(order, actor=neighbour)
    assert _code(lambda: actions.follow_work_order(order, actor=neighbour)) == E.ALREADY_FOLLOWING
    private = factories.submitted(world, title="不公开的诉求")  # not on the board, not the neighbour's
    assert _code(lambda: actions.follow_work_order(private, actor=neighbour)) == E.FOLLOW_NOT_ALLOWED
    closed = actions.close_work_order(
        actions.reply_work_order(
            actions.sign_work_order(_on_board(world), actor=world.department_handler),
            actor=world.department_handler,
            text="已处理",
        ),
        actor=world.community_worker_c1,
    )
    assert _code(lambda: actions.follow_work_order(closed, actor=neighbour)) == E.FOLLOW_CLOSED
    assert Subscription.objects.filter(user=neighbour).count() == 1


def test_unfollow(world, neighbour):
    order = _on_board(world)
    actions.follow_work_order(order, actor=neighbour)
    actions.unfollow_work_order(order, actor=neighbour)
    assert not Subscription.objects.filter(order=order).exists()
    assert _code(lambda: actions.unfollow_work_order(order, actor=neighbour)) == E.NOT_FOLLOWING


def test_board_page_offers_follow_and_mine_lists_followed(world, neighbour, django_assert_max_num_queries):
    order = _on_board(world)
    anonymous = Client().get(f"/work-orders/board/{order.pk}/").content.decode()
    assert 'data-testid="follow"' not in anonymous
    client = Client()
    client.force_login(neighbour)
    page = client.get(f"/work-orders/board/{order.pk}/").content.decode()
    assert 'data-testid="follow"' in page
    response = client.post(f"/work-orders/board/{order.pk}/follow/", {"next": "/work-orders/mine/"})
    assert response.status_code == 302
    assert response["Location"] == "/work-orders/mine/"
    assert client.get(f"/work-orders/board/{order.pk}/").content.decode().count('data-testid="unfollow"') == 1
    with django_assert_max_num_queries(12):
        mine = client.get("/work-orders/mine/").content.decode()
    assert 'data-testid="following"' in mine
    assert f'data-order-id="{order.pk}"' in mine
    assert "东门路灯" in mine
    # An off-site "next" is ignored.
    response = client.post(f"/work-orders/board/{order.pk}/unfollow/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/work-orders/board/{order.pk}/"


def test_follow_answers_json_to_the_report_form(world, neighbour):
    order = _on_board(world)
    client = Client()
    client.force_login(neighbour)
    ok = client.post(f"/work-orders/board/{order.pk}/follow/", HTTP_ACCEPT="application/json")
    assert ok.status_code == 200
    assert ok.json()["following"] is True
    again = client.post(f"/work-orders/board/{order.pk}/follow/", HTTP_ACCEPT="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_following"
    assert client.get(f"/work-orders/board/{order.pk}/follow/").status_code == 405
    assert client.post("/work-orders/board/999999/follow/").status_code == 404
    assert Client().post(f"/work-orders/board/{order.pk}/follow/").status_code == 302  # sign in first


def test_follow_api(world, neighbour, client_for):
    order = _on_board(world)
    url = f"/api/work-orders/board/{order.pk}/follow/"
    assert client_for("anonymous").post(url).status_code in (401, 403)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(neighbour)
    body = api.post(url).json()
    assert body == {"order": order.pk, "following": True, "followers": 2}
    assert api.post(url).json()["code"] == "already_following"
    assert api.delete(url).json()["followers"] == 1
    assert api.delete(url).status_code == 409
    assert api.post("/api/work-orders/board/999999/follow/").status_code == 404


@pytest.mark.parametrize("query", ["", "area=abc", "area=999999", "area=1&lat=north"])
def test_similar_api_rejects_bad_input(world, client_for, query):
    response = client_for("resident_c1").get(f"/api/work-orders/similar/?{query}")
    assert response.status_code == 400


def test_similar_fragment_without_a_finder_or_area_is_empty(world, client_for):
    from gongzhi.work_orders import extensions

    saved = list(extensions._similar_finder)
    extensions._similar_finder.clear()
    try:
        client = Client()
        client.force_login(world.resident_c1)
        html = client.get(f"/work-orders/similar/?area={world.g1.pk}&description=路灯不亮").content.decode()
        assert 'data-testid="similar-requests"' not in html
        assert client.get("/work-orders/similar/?area=x").status_code == 200
    finally:
        extensions._similar_finder[:] = saved
