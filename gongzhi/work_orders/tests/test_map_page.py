"""The staff map of requests: scoped like the inbox, only orders with a map point, coloured by
their current deadline, constant queries, no remote resources."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from gongzhi.work_orders import actions
from gongzhi.work_orders.tests import factories

PAGE = "/work-orders/map/"


def _client(world, actor):
    client = Client()
    client.force_login(world.users[actor])
    return client


def _points(html):
    return json.loads(re.search(r'<script id="wo-map-points" type="application/json">(.*?)</script>', html).group(1))


def _located(world, title, **extra):
    return factories.submitted(world, title=title, lat=Decimal("22.540500"), lng=Decimal("113.934500"), **extra)


def test_the_map_shows_located_open_orders_in_scope(world):
    here = _located(world, "路灯不亮")
    nowhere = factories.submitted(world, title="没有定位")
    other_street = _located(world, "另一街道", by="resident_c3", area=world.g4)
    closed = _located(world, "已办结")
    closed.status = "closed"
    closed.save(update_fields=["status"])
    html = _client(world, "community_worker_c1").get(PAGE).content.decode()
    ids = {p["id"] for p in _points(html)}
    assert here.pk in ids
    assert nowhere.pk not in ids
    assert other_street.pk not in ids
    assert closed.pk not in ids
    assert 'data-without-point="1"' in html
    point = next(p for p in _points(html) if p["id"] == here.pk)
    assert point["url"] == f"/work-orders/{here.pk}/"
    assert point["state"] == "none"  # submitted: no deadline runs yet


def test_inbox_tabs_filter_the_map_and_colour_by_deadline(world):
    dispatched = factories.dispatched(world, lat=Decimal("22.541"), lng=Decimal("113.935"))
    waiting = _located(world, "待受理")
    client = _client(world, "community_worker_c1")
    points = _points(client.get(f"{PAGE}?inbox=to_accept").content.decode())
    assert [p["id"] for p in points] == [waiting.pk]
    handler = _client(world, "department_handler")
    signed = _points(handler.get(f"{PAGE}?inbox=to_sign").content.decode())
    assert [p["id"] for p in signed] == [dispatched.pk]
    assert signed[0]["state"] in ("ok", "soon")
    assert handler.get(f"{PAGE}?inbox=nonsense").status_code == 404


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("resident_c1", 403), ("no_grant", 403), ("community_worker_c1", 200)],
)
def test_who_may_open_the_map(world, actor, status):
    client = Client() if actor == "anonymous" else _client(world, actor)
    assert client.get(PAGE).status_code == status


def test_the_map_uses_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = _client(world, "community_worker_c1")
    _located(world, "预热")
    client.get(PAGE)
    for i in range(12):
        order = _located(world, f"第{i}号")
        if i % 2:
            actions.accept_work_order(order, actor=world.community_worker_c1)
    with django_assert_max_num_queries(14):
        html = client.get(PAGE).content.decode()
    assert len(_points(html)) == 13
