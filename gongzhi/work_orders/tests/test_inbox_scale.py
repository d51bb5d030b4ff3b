"""Inbox reads that must cost the same however many orders there are (issue 3, "Speed"):
capped counts, the deferred-join page and a query count that does not grow with rows."""

from __future__ import annotations

import re

import pytest

from gongzhi.core.pagination import CappedPaginator
from gongzhi.work_orders import queries
from gongzhi.work_orders.choices import Urgency
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

API = "/api/work-orders/"
UI = "/work-orders/"


def test_capped_counts_are_exact_below_the_cap_and_stop_at_it(world):
    for _ in range(5):
        factories.submitted(world)
    factories.dispatched(world)
    everything = WorkOrder.objects.all()
    counts = queries.capped_counts(
        {"all": everything, "to_sign": everything.filter(queries.inbox_q("to_sign")), "none": everything.none()},
        cap=4,
    )
    assert (int(counts["all"]), counts["all"].capped, str(counts["all"])) == (4, True, "4+")
    assert (int(counts["to_sign"]), counts["to_sign"].capped, str(counts["to_sign"])) == (1, False, "1")
    assert int(counts["none"]) == 0
    assert queries.capped_counts({}) == {}


def test_capped_paginator_reports_the_cap_and_pages_within_it(world):
    for _ in range(7):
        factories.submitted(world)
    paginator = CappedPaginator(WorkOrder.objects.order_by("id"), 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 3)
    exact = CappedPaginator(WorkOrder.objects.order_by("id"), 2, cap=50)
    assert (exact.count, exact.capped) == (7, False)
    assert CappedPaginator([1, 2, 3], 2).count == 3


def test_deferred_page_keeps_the_order_and_the_rows_of_a_plain_page(world):
    orders = [factories.submitted(world, urgency=Urgency.URGENT if i % 3 == 0 else Urgency.NORMAL) for i in range(8)]
    qs = WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).select_related("area").order_by("-urgency", "id")
    for number in (1, 2, 3):
        deferred = CappedPaginator(qs, 3, deferred=True).page(number)
        plain = CappedPaginator(qs, 3).page(number)
        assert [o.pk for o in deferred.object_list] == [o.pk for o in plain.object_list]
    first = CappedPaginator(qs, 3, deferred=True).page(1).object_list
    assert [o.urgency for o in first] == [Urgency.URGENT] * 3


def test_api_count_is_capped_and_says_so(world, client_for, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "default_cap", 3)
    for _ in range(5):
        factories.submitted(world)
    body = client_for("community_worker_c1").get(API, {"inbox": "to_accept", "page_size": 2}).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (3, True, 2)
    body = client_for("community_worker_c1").get(API, {"inbox": "to_sign"}).json()
    assert (body["count"], body["count_capped"]) == (0, False)


def test_ui_tab_shows_a_capped_count_with_a_plus(world, client_for, monkeypatch):
    from gongzhi.work_orders import views

    monkeypatch.setattr(views, "TAB_COUNT_CAP", 3)
    for _ in range(5):
        factories.submitted(world)
    html = client_for("community_worker_c1").get(UI + "?inbox=to_accept").content.decode()
    counts = dict(re.findall(r'data-inbox="(\w+)"[^>]*>[^<]*<span class="wo-tab__count"[^>]*>([\d+]+)<', html))
    assert counts["to_accept"] == "3+"


@pytest.mark.parametrize("actor", ["community_worker_c1", "street_official_s1", "department_handler"])
def test_inbox_query_counts_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries, actor):
    def queries_per_inbox() -> dict[str, int]:
        client = client_for(actor)
        seen = {}
        for inbox in queries.INBOXES:
            # session, user, grants, capped count, page (+ the first request's sign-in bookkeeping)
            with django_assert_max_num_queries(8) as api:
                assert client.get(API, {"inbox": inbox}).status_code == 200
            # session, user, grants, ONE query for all tab counts, page ids, rows, bulk-dispatch units
            with django_assert_max_num_queries(7) as ui:
                response = client.get(UI + f"?inbox={inbox}")
            seen[inbox] = (len(api.captured_queries), len(ui.captured_queries) if response.status_code == 200 else -1)
        return seen

    factories.dispatched(world)
    factories.replied(world)
    factories.submitted(world)
    factories.signed(world)
    few = queries_per_inbox()
    for _ in range(6):
        factories.dispatched(world)
        factories.replied(world)
        factories.submitted(world)
        factories.signed(world)
    assert queries_per_inbox() == few
