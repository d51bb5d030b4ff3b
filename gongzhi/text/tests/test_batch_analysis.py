"""Intake analysis of a burst as one batch (``actions.analyse_orders``): the same insights as
analysing the orders one at a time, with one classification call and one candidate query per
community — real messages from the shared data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.text import actions, queries
from gongzhi.text.models import OrderInsight
from gongzhi.text.tests import factories as tf
from gongzhi.text.tests import shared_data
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories


def _mixing_plant_rows(n: int) -> list[dict[str, str]]:
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"] and "搅拌" in r["title"]]
    return rows[:n]


def _burst(world, n: int = 8) -> list[WorkOrder]:
    """Reports about one problem in G1 spread over 40 days, unrelated ones in G1 and in
    another street (G4), one closed: every window and filter of the candidate query matters."""
    orders = []
    now = timezone.now()
    for i, row in enumerate(_mixing_plant_rows(n)):
        order = factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
        WorkOrder.objects.filter(pk=order.pk).update(submitted_at=now - timedelta(days=5 * (n - i)))
        orders.append(order)
    orders.append(factories.submitted(world, title="楼道灯不亮", description="3栋1单元楼道灯坏了"))
    row = _mixing_plant_rows(1)[0]
    orders.append(
        factories.submitted(world, by="resident_c3", area=world.g4, title=row["title"], description=row["text"][:4000])
    )
    WorkOrder.objects.filter(pk=orders[2].pk).update(status=Status.CLOSED)
    return list(WorkOrder.objects.select_related("area").filter(pk__in=[o.pk for o in orders]).order_by("pk"))


def _one_by_one(orders: list[WorkOrder]) -> dict[int, list[dict[str, object]]]:
    return {
        o.pk: queries.duplicate_candidates(
            title=o.title,
            text=o.description,
            area_path=o.area_path,
            lat=None,
            lng=None,
            address=o.address,
            at=o.submitted_at,
            exclude=o.pk,
        )
        for o in orders
    }


def test_batched_duplicates_equal_one_query_per_order(world):
    orders = _burst(world)
    expected = _one_by_one(orders)
    assert any(expected.values()), "the burst must contain real duplicates"
    assert expected[orders[-3].pk][0]["order"] != orders[0].pk  # 40 days apart: outside the window
    with CaptureQueriesContext(connection) as batch:
        got = queries.duplicates_of_orders(orders)
    assert got == expected
    assert len(batch) == 2  # one candidate query per community (C1, C3), not one per order


def test_batched_duplicates_fall_back_when_the_shared_read_is_cut_short(world, monkeypatch):
    """With fewer candidates per read than the community holds in an order's window, that
    order gets its own query, and the result is still exactly the per-order one."""
    orders = _burst(world)
    for row in shared_data.hotspot_rows()[:12]:  # newer open orders in C1, not in the batch
        factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
    monkeypatch.setattr(queries, "MAX_CANDIDATES", 2)
    expected = _one_by_one(orders)
    with CaptureQueriesContext(connection) as batch:
        got = queries.duplicates_of_orders(orders)
    assert got == expected
    assert 2 < len(batch) < 2 + len(orders)


def test_analyse_orders_stores_what_analysing_each_order_stores(world, small_classifier):
    tf.registered_model(small_classifier)
    tf.duty(world, "环境保护", "housing_bureau")
    orders = _burst(world)
    urgent = factories.submitted(world, title="楼道有燃气味", description="三楼燃气管道泄漏，味道很大，老人小孩都在家")
    ids = [o.pk for o in orders] + [urgent.pk]
    for pk in ids:
        actions.analyse_order(WorkOrder.objects.get(pk=pk))
    single = {i.order_id: i for i in OrderInsight.objects.filter(order_id__in=ids)}
    OrderInsight.objects.all().delete()

    assert actions.analyse_orders([*ids, 10**9]) == len(ids)  # an id that is gone is skipped
    batch = {i.order_id: i for i in OrderInsight.objects.filter(order_id__in=ids)}
    assert set(batch) == set(ids)
    for pk in ids:
        a, b = single[pk], batch[pk]
        assert (b.model_version, b.urgent, b.cues, b.duplicates) == (a.model_version, a.urgent, a.cues, a.duplicates)
        assert [(s["label"], s["category"], s["units"]) for s in b.suggestions] == [
            (s["label"], s["category"], s["units"]) for s in a.suggestions
        ]
        for s, t in zip(a.suggestions, b.suggestions, strict=True):
            assert t["confidence"] == pytest.approx(s["confidence"], abs=2e-4)
    assert batch[urgent.pk].urgent
    # One change record per order and action, as before.
    assert ChangeRecord.objects.filter(verb="analyse").count() == 2 * len(ids)


def test_analyse_orders_reads_a_burst_with_a_constant_number_of_queries(world, small_classifier):
    """The reading half (orders, classification, categories, duty-list units, candidates)
    costs the same for 3 orders as for 9: the batch grows only by the per-order action (its
    savepoint, insight and change record)."""
    tf.registered_model(small_classifier)
    tf.duty(world, "环境保护", "housing_bureau")
    rows = _mixing_plant_rows(13)

    def new_orders(batch: list[dict[str, str]]) -> list[int]:
        return [factories.submitted(world, title=r["title"][:120], description=r["text"][:4000]).pk for r in batch]

    def cost(ids: list[int]) -> tuple[int, int]:
        """(statements, of which duty-list look-ups): those are one per suggested (category,
        area) pair, whichever number of orders suggests it."""
        with CaptureQueriesContext(connection) as ctx:
            assert actions.analyse_orders(ids) == len(ids)
        duty = [q for q in ctx.captured_queries if "organisations_" in q["sql"] and "text_" not in q["sql"]]
        return len(ctx), len(duty)

    one = WorkOrder.objects.select_related("area").get(pk=new_orders(rows[:1])[0])
    reading = queries.read_orders([one])[one.pk]  # also loads and caches the model
    with CaptureQueriesContext(connection) as action_only:
        actions.analyse_order(one, reading=reading)
    per_order = len(action_only)
    (big, big_duty), (small, small_duty) = cost(new_orders(rows[1:10])), cost(new_orders(rows[10:13]))
    assert (big - big_duty) - (small - small_duty) == 6 * per_order
    assert big_duty <= 2 * len(small_classifier.labels)  # at most two per pair, never per order


def test_one_failing_order_does_not_cost_the_batch_its_others(world, monkeypatch, caplog):
    orders = _burst(world)
    broken = orders[3].pk
    stored_record = ChangeRecord.objects.create

    def record(**kwargs):
        if kwargs.get("related_id") == str(broken):
            raise RuntimeError("disk full")
        return stored_record(**kwargs)

    monkeypatch.setattr(ChangeRecord.objects, "create", record)
    assert actions.analyse_orders([o.pk for o in orders]) == len(orders) - 1
    # the failing order's savepoint rolled back: no insight without its change record
    assert set(OrderInsight.objects.values_list("order_id", flat=True)) == {o.pk for o in orders} - {broken}
    assert ChangeRecord.objects.filter(verb="analyse").count() == len(orders) - 1
    assert f"intake analysis failed for order {broken}" in caplog.text
