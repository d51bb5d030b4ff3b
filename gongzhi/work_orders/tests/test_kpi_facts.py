"""The KPI facts give exactly the numbers of the old queries over the orders
(``kpi_oracle``), on the hand-built KPI world and on orders driven through every action,
and stay current through the actions without a rebuild."""

import datetime as dt

import pytest
from django.db.models import Q

from gongzhi.access.queries import forget_grants
from gongzhi.work_orders import actions, kpi_facts, kpis
from gongzhi.work_orders.choices import Satisfaction, Status, SupervisionLevel
from gongzhi.work_orders.models import KpiFact, WorkOrder
from gongzhi.work_orders.tests import factories, kpi_oracle
from gongzhi.work_orders.tests.kpi_world import NOVEMBER, NOW, build_kpi_world

PERIODS = ["2026-11", "2026-Q4", "2026-11-03..2026-11-12", "2026-10-20..2026-12-05"]
#: Before every deadline of the world, in the middle of it, and after all of them.
NOWS = [dt.datetime(2026, 11, 2, 12, 0, tzinfo=kpis.LOCAL), NOW, dt.datetime(2027, 1, 10, tzinfo=kpis.LOCAL)]


@pytest.fixture
def kpi_world(world):
    return build_kpi_world(world)


def assert_same_as_oracle(area, period, *, now, unit=None, user=None, verb="view"):
    facts = kpis.facts_for(user, verb) if user is not None else None
    orders = WorkOrder.objects.restrict(user, verb) if user is not None else None
    assert kpis.summary(area, period, base=facts, unit=unit, now=now) == kpi_oracle.summary(
        area, period, base=orders, unit=unit, now=now
    )
    assert kpis.trend(area, period, base=facts, unit=unit, now=now) == kpi_oracle.trend(
        area, period, base=orders, unit=unit, now=now
    )
    assert kpis.ranking(area, period, base=facts, now=now) == kpi_oracle.ranking(area, period, base=orders, now=now)


def assert_facts_current():
    """Every stored fact equals the fact derived afresh from its order (and every order has one)."""
    columns = kpi_facts.current_fact_columns()
    fresh = {
        row["kf_order_id"]: row
        for row in WorkOrder.objects.annotate(**{f"kf_{name}": expr for name, expr in columns.items()}).values(
            *[f"kf_{name}" for name in columns]
        )
    }
    stored = {
        row["order_id"]: {f"kf_{name}": value for name, value in row.items()}
        for row in KpiFact.objects.values(*columns)
    }
    assert stored == fresh  # (SQLite's computed 0/1 compare equal to the stored False/True)


def test_facts_equal_the_orders_after_the_rebuild(kpi_world):
    assert KpiFact.objects.count() == WorkOrder.objects.count()
    o1 = KpiFact.objects.get(order=kpi_world["o1"])
    assert (o1.month, o1.day, o1.satisfaction, o1.rated_resolved) == (202611, 2, Satisfaction.SATISFIED, True)
    assert (o1.is_dispatched, o1.is_signed_on_time, o1.is_closed, o1.is_repeat) == (True, True, True, True)
    assert KpiFact.objects.get(order=kpi_world["o10"]).is_merged is True
    assert KpiFact.objects.get(order=kpi_world["o13"]).month == 202612  # Dec 1 00:10 local, Nov 30 UTC
    assert_facts_current()


@pytest.mark.parametrize("label", PERIODS)
@pytest.mark.parametrize("now", NOWS, ids=["early", "now", "late"])
def test_district_street_and_community_match_the_old_queries(kpi_world, world, label, now):
    period = kpis.parse_period(label)
    for area in (world.district, world.s2, world.c1, None):
        assert_same_as_oracle(area, period, now=now)


@pytest.mark.parametrize("now", NOWS, ids=["early", "now", "late"])
def test_units_match_the_old_queries(kpi_world, world, now):
    for unit in ("housing_bureau", "property_c1"):
        for label in ("2026-11", "2026-Q4", "2026-11-01..2026-11-04"):
            assert_same_as_oracle(world.district, kpis.parse_period(label), now=now, unit=world.orgs[unit])


@pytest.mark.parametrize("role", ["district_official", "street_official_s1", "community_worker_c1", "handler"])
def test_scoped_viewers_match_the_old_queries(kpi_world, world, role):
    user = world.department_handler if role == "handler" else world.users[role]
    forget_grants(user)
    for verb in ("view", "kpi"):
        facts = set(kpis.facts_for(user, verb).values_list("pk", flat=True))
        orders = set(WorkOrder.objects.restrict(user, verb).values_list("pk", flat=True))
        assert facts == orders
        assert_same_as_oracle(world.district, NOVEMBER, now=NOW, user=user, verb=verb)


def test_assisting_units_see_the_facts_of_orders_they_assist(world):
    order = actions.dispatch_work_order(
        factories.submitted(world),
        to=world.orgs["property_c1"],
        assist=[world.orgs["housing_bureau"]],
        actor=world.community_worker_c1,
    )
    handler = world.department_handler  # housing bureau: assisting only
    forget_grants(handler)
    assert list(kpis.facts_for(handler).values_list("pk", flat=True)) == [order.pk]
    assert set(WorkOrder.objects.restrict(handler, "view").values_list("pk", flat=True)) == {order.pk}


def test_dashboard_matches_the_old_queries_and_its_query_count_does_not_grow(
    kpi_world, world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    official = world.users["district_official"]
    forget_grants(official)
    kpis.dashboard(world.district, NOVEMBER.start, NOVEMBER.end, user=official, now=NOW)  # grants cached
    with CaptureQueriesContext(connection) as small:
        data = kpis.dashboard(world.district, NOVEMBER.start, NOVEMBER.end, user=official, now=NOW)
    old = kpi_oracle.dashboard(world.district, NOVEMBER.start, NOVEMBER.end, user=official, now=NOW)
    assert {key: data[key] for key in ("summary", "trend", "ranking")} == old
    # Ten more orders, in more units, days and states: the same number of queries.
    for i in range(10):
        order = factories.dispatched(world, to="property_c1" if i % 2 else "housing_bureau")
        if i in (3, 9):  # property company orders returned before signing
            actions.return_work_order(order, actor=world.users["property_staff_c1"], reason="不归我们")
    with django_assert_num_queries(len(small.captured_queries)):
        kpis.dashboard(world.district, NOVEMBER.start, NOVEMBER.end, user=official, now=NOW)


def _step_through_every_action(world):
    """Orders driven through every action that changes what the KPIs count, in the current month."""
    hb, pc = world.orgs["housing_bureau"], world.orgs["property_c1"]
    dispatcher, handler, resident = world.community_worker_c1, world.department_handler, world.resident_c1
    property_staff = world.users["property_staff_c1"]
    yield factories.submitted(world)
    order = factories.submitted(world, title="accepted")
    yield actions.accept_work_order(order, actor=dispatcher)
    yield actions.reject_work_order(factories.submitted(world, title="rejected"), actor=dispatcher, reason="非本辖区")
    # dispatch → return → dispatch again → transfer → sign → contact → start → extension → reply → rate → close
    order = factories.submitted(world, title="full loop")
    order = actions.dispatch_work_order(order, to=pc, actor=dispatcher)
    yield order
    order = actions.return_work_order(order, actor=property_staff, reason="不属于物业")
    yield order
    order = actions.dispatch_work_order(order, to=pc, actor=dispatcher)
    order = actions.transfer_work_order(order, to=hb, actor=dispatcher, reason="住建负责")
    yield order
    order = actions.sign_work_order(order, actor=handler)
    yield order
    order = actions.record_first_contact(order, actor=handler)
    yield order
    order = actions.start_work_order(order, actor=handler)
    order = actions.request_extension(order, actor=handler, days=2, reason="采购")
    yield order
    order = actions.decide_extension(order, actor=dispatcher, approve=True)
    yield order
    order = actions.set_on_hold(order, actor=dispatcher, on_hold=True, reason="等待产权核实")
    order = actions.set_on_hold(order, actor=dispatcher, on_hold=False)
    yield order
    order = actions.reply_work_order(order, actor=handler, text="已修好")
    yield order
    actions.rate_work_order(order, actor=resident, satisfaction=Satisfaction.BASICALLY_SATISFIED, resolved=True)
    yield order
    order = actions.follow_up_work_order(order, actor=dispatcher, resolved=True)
    yield order
    yield actions.close_work_order(order, actor=dispatcher)
    # a repeat of that closure by the same resident, merged into another order
    again = factories.submitted(world, title="又坏了")
    again.refresh_from_db()  # the repeat flag is set by the after-commit half of intake (a task)
    assert again.is_repeat
    yield again
    master = factories.submitted(world, by="resident_c3", area=world.g4, title="master")
    yield actions.merge_work_order(again, master=master, actor=dispatcher)
    # dissatisfied → review upheld (reopen) → second round rated satisfied; the latest rating counts
    order = factories.replied(world, title="reopen")
    actions.rate_work_order(order, actor=resident, satisfaction=Satisfaction.DISSATISFIED, resolved=False)
    yield order
    order = actions.review_dissatisfaction(order, actor=dispatcher, uphold=True, note="确未修好")
    yield order
    order = actions.dispatch_work_order(order, to=hb, actor=dispatcher)
    order = actions.sign_work_order(order, actor=handler)
    order = actions.reply_work_order(order, actor=handler, text="已彻底修好")
    yield order
    actions.rate_work_order(order, actor=resident, satisfaction=Satisfaction.SATISFIED, resolved=True)
    yield order
    # reopened by hand, and by an unresolved follow-up; review not upheld closes
    order = actions.close_work_order(factories.replied(world, title="closed then reopened"), actor=dispatcher)
    yield actions.reopen_work_order(order, actor=dispatcher, reason="居民再次反映")
    order = factories.replied(world, title="follow-up unresolved")
    yield actions.follow_up_work_order(order, actor=dispatcher, resolved=False, note="没修好")
    order = factories.replied(world, title="review not upheld")
    actions.rate_work_order(order, actor=resident, satisfaction=Satisfaction.DISSATISFIED, resolved=True)
    yield actions.review_dissatisfaction(order, actor=dispatcher, uphold=False, note="已按政策答复")
    # bulk dispatch, supervision
    orders = [factories.submitted(world, title=f"bulk {i}") for i in range(2)]
    yield from actions.bulk_dispatch_work_orders(orders, to=hb, actor=dispatcher)
    yield actions.supervise_work_order(
        orders[0], actor=world.users["district_official"], level=SupervisionLevel.REMINDER
    )


@pytest.mark.django_db(transaction=True)  # real commits: intake completes after commit, as in production
def test_facts_follow_every_action_and_match_the_old_queries(world):
    later = dt.timedelta(days=40)
    for step, order in enumerate(_step_through_every_action(world)):
        assert_facts_current()
        if step % 4 == 0 or order.status in (Status.CLOSED, Status.MERGED, Status.REOPENED):
            month = kpis.parse_period(None)
            for now in (None, month.end + later):
                now = now or dt.datetime.now(tz=kpis.LOCAL)
                assert_same_as_oracle(world.district, month, now=now)
                assert_same_as_oracle(world.district, month, now=now, unit=world.orgs["housing_bureau"])
    month = kpis.parse_period(None)
    summary = kpis.summary(world.district, month)
    assert summary["counts"]["returned"] >= 1
    assert summary["counts"]["extended"] >= 1
    assert summary["counts"]["reopened"] >= 1
    assert summary["counts"]["repeats"] >= 1  # resident_c1 filed again after a closure
    assert KpiFact.objects.filter(is_merged=True).count() == 1
    assert KpiFact.objects.filter(~Q(satisfaction=None)).count() >= 3


def test_rebuild_repairs_facts_of_orders_written_without_actions(world):
    order = factories.replied(world)
    WorkOrder.objects.filter(pk=order.pk).update(status=Status.CLOSED)  # e.g. an import
    assert KpiFact.objects.get(pk=order.pk).is_closed is False
    assert kpi_facts.rebuild(batch_size=1) == WorkOrder.objects.count()
    assert KpiFact.objects.get(pk=order.pk).is_closed is True
    assert_facts_current()


def test_rebuild_of_nothing_writes_nothing(db):
    assert kpi_facts.rebuild() == 0


def test_refresh_reuses_its_compiled_statement_with_each_call_s_own_ids(kpi_world):
    """``refresh`` compiles its statement once per number of ids and substitutes the ids of
    each call: facts changed behind the actions' back are put right for exactly the ids
    passed, whichever call compiled the statement."""
    o1, o2, o3 = kpi_world["o1"], kpi_world["o2"], kpi_world["o3"]
    KpiFact.objects.filter(order__in=[o1, o2, o3]).update(area_path="stale/")
    kpi_facts.refresh([o1.pk])
    kpi_facts.refresh([o2.pk])  # same frame (one id), another id
    stale = set(KpiFact.objects.filter(area_path="stale/").values_list("order_id", flat=True))
    assert stale == {o3.pk}
    kpi_facts.refresh([o3.pk, o1.pk])  # two ids: a frame of its own
    assert not KpiFact.objects.filter(area_path="stale/").exists()
    assert_facts_current()
