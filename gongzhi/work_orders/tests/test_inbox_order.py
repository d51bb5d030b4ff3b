"""The UI inbox page reads its ids per status and merges them (``wo_inbox_urgency_order``,
``CappedPaginator(branches=…)``) and counts the list only as far as the page needs. These
tests pin that the rows and their order are exactly those of the plain inbox queryset
(scope, inbox filter, urgent first then oldest), page by page, for every role and inbox."""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.pagination import CappedPaginator
from gongzhi.work_orders import queries, views
from gongzhi.work_orders.choices import Status, Urgency
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

UI = "/work-orders/"
ROW_ID = re.compile(r'<li class="wo-row[^"]*" data-order-id="(\d+)"')
ACTORS = ["community_worker_c1", "street_official_s1", "district_official", "department_handler", "grid_worker_g1"]


def _seed(world: Any, n: int = 120, seed: int = 7) -> None:
    """``n`` orders in every status but merged, both urgencies, the four grids, several lead
    units (or none), deadlines hours before or after now (never within 30 minutes of it), some
    held, some followed up, some pending review."""
    template = factories.dispatched(world)
    rng = random.Random(seed)
    grids = [world.g1, world.g2, world.g3, world.g4]
    units = [world.orgs[k] for k in ("housing_bureau", "property_c1", "committee_c1", "committee_c3")]
    statuses = [s for s in Status if s != Status.MERGED]
    now = timezone.now()

    def at(hours: int) -> dt.datetime:
        return now + dt.timedelta(hours=hours, minutes=30 if hours >= 0 else -30)

    orders = []
    for _ in range(n):
        order = copy.copy(template)
        order.pk = None
        order.status = rng.choice(statuses)
        order.urgency = rng.choice([Urgency.NORMAL, Urgency.URGENT])
        grid = rng.choice(grids)
        order.area, order.area_path = grid, grid.path
        order.lead_organisation = rng.choice([*units, None])
        order.sign_due = at(rng.randint(-48, 48))
        order.reply_due = at(rng.randint(-72, 72))
        order.reply_remind_at = order.reply_due - dt.timedelta(hours=rng.randint(0, 48))
        order.on_hold = rng.random() < 0.1
        order.followed_up_at = now if rng.random() < 0.3 else None
        order.review_pending = rng.random() < 0.1
        orders.append(order)
    WorkOrder.objects.bulk_create(orders)


def _expected(user: Any, inbox: str) -> list[int]:
    """The ids of the inbox as the page read them before: one query, whole-inbox order."""
    return list(
        WorkOrder.objects.restrict(user, "view")
        .filter(queries.inbox_q(inbox))
        .order_by("-urgency", "id")
        .values_list("pk", flat=True)
    )


def test_each_status_part_of_an_inbox_together_is_the_inbox(world):
    _seed(world)
    everything = WorkOrder.objects.all()
    for inbox, statuses in queries.INBOX_STATUSES.items():
        whole = set(everything.filter(queries.inbox_q(inbox)).values_list("pk", flat=True))
        parts = [
            set(everything.filter(queries.inbox_q(inbox, status=s)).values_list("pk", flat=True)) for s in statuses
        ]
        assert set().union(*parts) == whole, inbox
        assert sum(len(p) for p in parts) == len(whole), inbox  # disjoint
    assert queries.inbox_branches("in_progress") == (Status.SIGNED, Status.IN_PROGRESS)
    assert queries.inbox_branches("to_sign") == ()
    assert queries.inbox_branches("to_review") == ()
    with pytest.raises(ValueError, match="not a status of"):
        queries.inbox_q("to_sign", status=Status.SIGNED)


def test_branch_pages_are_the_pages_of_the_whole_list(world):
    _seed(world)
    qs = WorkOrder.objects.filter(queries.inbox_q("overdue")).order_by("-urgency", "id")
    branches = [
        WorkOrder.objects.filter(queries.inbox_q("overdue", status=s)) for s in queries.inbox_branches("overdue")
    ]
    expected = list(qs.values_list("pk", flat=True))
    assert len(expected) > 6  # several pages of 3, from more than one status
    assert len(set(qs.values_list("status", flat=True))) > 1
    merged = connection.features.supports_slicing_ordering_in_compound
    seen = []
    for number in range(1, -(-len(expected) // 3) + 1):
        with CaptureQueriesContext(connection) as ctx:
            page = CappedPaginator(qs, 3, deferred=True, branches=branches).page(number)
        seen.extend(o.pk for o in page.object_list)
        # PostgreSQL reads the ids as one UNION ALL of the ordered branches; SQLite cannot
        # slice inside a UNION and reads them from the whole list.
        assert any("UNION ALL" in q["sql"] for q in ctx.captured_queries) == merged
    assert seen == expected
    # a preset count is used as it is (no count query) and capped like a counted one
    with CaptureQueriesContext(connection) as ctx:
        paginator = CappedPaginator(qs, 3, cap=5, count=9)
        assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 2)
    assert ctx.captured_queries == []


@pytest.mark.parametrize("actor", ACTORS)
def test_ui_inbox_pages_show_the_rows_of_the_inbox_in_its_order(world, client_for, monkeypatch, actor):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    _seed(world)
    user = world.users[actor]
    client = client_for(actor)
    checked = 0
    for inbox in queries.INBOXES:
        expected = _expected(user, inbox)
        shown: list[int] = []
        for number in range(1, max(1, -(-len(expected) // 4)) + 1):
            response = client.get(UI, {"inbox": inbox, "page": number})
            if response.status_code == 404:  # a tab this role does not have
                break
            assert response.status_code == 200
            shown.extend(int(pk) for pk in ROW_ID.findall(response.content.decode()))
        else:
            assert shown == expected, inbox
            checked += len(expected)
    assert checked > 0


def test_the_pager_counts_as_far_as_the_page_needs_and_pages_on(world, client_for, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "TAB_COUNT_CAP", 3)
    monkeypatch.setattr(CappedPaginator, "default_cap", 8)
    for _ in range(11):
        factories.submitted(world)
    client = client_for("community_worker_c1")
    expected = _expected(world.community_worker_c1, "to_accept")
    assert len(expected) == 11

    def page(number: int) -> tuple[list[int], str, str]:
        html = client.get(UI, {"inbox": "to_accept", "page": number}).content.decode()
        pager = re.search(r'<span class="pager__info">([^<]*)</span>', html)
        badge = re.search(r'data-inbox="to_accept"[^>]*>[^<]*<span class="wo-tab__count"[^>]*>([^<]+)<', html)
        assert pager
        assert badge
        return [int(pk) for pk in ROW_ID.findall(html)], pager.group(1), badge.group(1)

    # page 1: the badge's count (to 3, window 4) is the pager's count: 2 pages and more
    rows, pager, badge = page(1)
    assert (rows, badge) == (expected[0:2], "3+")
    assert re.search(r"\b1\b.*\b2\+", pager), pager
    # page 3: counted on to 8 (the list's cap here): 4 pages and more
    rows, pager, badge = page(3)
    assert (rows, badge) == (expected[4:6], "3+")
    assert re.search(r"\b3\b.*\b4\+", pager), pager
    # past the list's cap: the last page it counts, as Paginator.get_page does
    rows, _pager, _badge = page(9)
    assert rows == expected[6:8]
    # with a filter the list is counted on its own (exactly, when below the window)
    html = client.get(UI, {"inbox": "to_accept", "q": "楼道灯", "page": 1}).content.decode()
    assert [int(pk) for pk in ROW_ID.findall(html)] == expected[0:2]
