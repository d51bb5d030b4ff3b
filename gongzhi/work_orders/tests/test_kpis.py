"""KPIs on a hand-built fixture: every expected value below is worked out by hand from
the table of orders in ``kpi_world`` (see its docstring), not by calling the code."""

import datetime as dt

import pytest

from gongzhi.work_orders import kpis
from gongzhi.work_orders.tests.kpi_world import NOVEMBER, NOW, SH, build_kpi_world


@pytest.fixture
def kpi_world(world):
    return build_kpi_world(world)


def test_period_parsing_uses_local_half_open_intervals():
    assert NOVEMBER.start == dt.datetime(2026, 11, 1, tzinfo=SH)
    assert NOVEMBER.end == dt.datetime(2026, 12, 1, tzinfo=SH)
    assert kpis.parse_period("2026-Q4").start == dt.datetime(2026, 10, 1, tzinfo=SH)
    assert kpis.parse_period("2026-Q4").end == dt.datetime(2027, 1, 1, tzinfo=SH)
    assert kpis.parse_period("2026").end == dt.datetime(2027, 1, 1, tzinfo=SH)
    assert kpis.parse_period("2026-11-01..2026-11-15").end == dt.datetime(2026, 11, 16, tzinfo=SH)
    assert kpis.parse_period("", today=dt.date(2026, 2, 3)).label == "2026-02"
    for bad in ("2026-13", "11/2026", "2026-11-15..2026-11-01", "2026-01-01..2027-06-01"):
        with pytest.raises(ValueError, match=r"."):
            kpis.parse_period(bad)


def test_percentile_matches_percentile_cont_by_hand():
    assert kpis.percentile_cont([30, 60, 120, 240, 1440], 0.5) == 120
    assert kpis.percentile_cont([30, 60, 120, 240, 1440], 0.9) == pytest.approx(960)  # 240 + 0.6·1200
    assert kpis.percentile_cont([], 0.5) is None


def test_district_summary_every_kpi_by_hand(kpi_world, world):
    result = kpis.summary(world.district, NOVEMBER, now=NOW)
    counts = result["counts"]
    assert counts["cases"] == 9  # o1-o9; o10 merged, o11/o12 October, o13 December
    assert counts["dispatched"] == 7  # o1-o7
    assert result["sign_on_time_rate"] == round(5 / 7, 4)  # o1 o3 o4 o6 o7 of 7 (o5 overdue counts)
    assert result["response_rate"] == round(4 / 7, 4)  # o1 o4 o6 o7 of 7 (o3, o5 overdue; o2 late)
    assert result["on_time_reply_rate"] == round(4 / 5, 4)  # o1 o4 o6 o7 of o1 o2 o4 o6 o7 (o3, o5 not due)
    assert result["closure_rate"] == round(3 / 7, 4)  # o1 o4 o7
    assert result["resolution_rate"] == round(3 / 5, 4)  # o1 (fu) o4 (fu) o7 (rating) of o1 o2 o4 o6 o7
    assert result["satisfaction_rate"] == round(3 / 5, 4)  # o1 o2 o7 of o1 o2 o4(unrated) o6 o7
    assert result["strict_satisfaction_rate"] == round(2 / 5, 4)  # o1 o7
    assert result["repeat_rate"] == round(2 / 9, 4)  # o1 (same resident as o11), o7 (near o12, category X)
    assert result["reopen_rate"] == round(1 / 5, 4)  # o6 of the 5 replied
    assert result["extension_rate"] == round(1 / 7, 4)  # o2
    assert result["follow_up_rate"] == round(2 / 5, 4)  # o1 o4
    assert result["return_rate"] == round(1 / 8, 4)  # 8 lead assignments, o2's first one returned
    assert result["response_mean_hours"] == round(1890 / 5 / 60, 2)  # 30 60 120 240 1440
    assert result["response_median_hours"] == 2.0
    assert result["response_p90_hours"] == 16.0  # 960 minutes
    assert result["handling_mean_hours"] == round(8520 / 4 / 60, 2)  # 900 1620 2000 4000
    assert result["handling_median_hours"] == round(1810 / 60, 2)  # (1620 + 2000) / 2
    assert result["handling_p90_hours"] == round(3400 / 60, 2)  # 2000 + 0.7·2000
    assert result["score"] == round(100 * (0.30 * 0.5714 + 0.35 * 0.6 + 0.35 * 0.6), 2)


def test_street_area_counts_only_its_subtree(kpi_world, world):
    result = kpis.summary(world.s2, NOVEMBER, now=NOW)
    assert result["counts"]["cases"] == 1  # o7 only
    for name in ("sign_on_time_rate", "response_rate", "on_time_reply_rate", "closure_rate", "satisfaction_rate"):
        assert result[name] == 1.0
    assert result["repeat_rate"] == 1.0
    assert result["return_rate"] == 0.0
    assert result["score"] == 100.0


def test_unit_summary_counts_the_unit_and_its_returns(kpi_world, world):
    result = kpis.summary(world.district, NOVEMBER, unit=world.orgs["property_c1"], now=NOW)
    assert result["counts"]["cases"] == 1  # o6
    assert result["response_rate"] == 1.0
    assert result["resolution_rate"] == 0.0
    assert result["satisfaction_rate"] == 0.0
    assert result["reopen_rate"] == 1.0
    assert result["return_rate"] == 0.5  # led o6 and (returned) o2
    assert result["score"] == 30.0


def test_ranking_orders_by_score_and_hides_small_units(kpi_world, world, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    ranked = kpis.ranking(world.district, NOVEMBER, now=NOW)
    assert [(u["name"], u["rank"]) for u in ranked["units"]] == [
        ("南山区住房和建设局", 1),
        ("深圳科苑物业管理有限公司", 2),
    ]
    bureau = ranked["units"][0]
    assert bureau["counts"]["dispatched"] == 6  # o1 o2 o3 o4 o5 o7
    assert bureau["sign_on_time_rate"] == round(4 / 6, 4)  # o1 o3 o4 o7
    assert bureau["response_rate"] == 0.5  # o1 o4 o7 of 6
    assert bureau["resolution_rate"] == 0.75  # o1 o4 o7 of o1 o2 o4 o7
    assert bureau["satisfaction_rate"] == 0.75  # o1 o2 o7 of o1 o2 o4 o7
    assert bureau["return_rate"] == 0.0
    assert bureau["score"] == 67.5  # 100·(0.3·0.5 + 0.35·0.75 + 0.35·0.75)
    assert ranked["units"][1]["score"] == 30.0

    settings.GONGZHI_KPI_MIN_CASES = 2
    ranked = kpis.ranking(world.district, NOVEMBER, now=NOW)
    assert [u["name"] for u in ranked["units"]] == ["南山区住房和建设局"]
    assert ranked["hidden"] == 1


def test_weights_come_from_settings(kpi_world, world, settings):
    settings.GONGZHI_KPI_WEIGHTS = {"response": 1.0, "resolution": 0.0, "satisfaction": 0.0}
    result = kpis.summary(world.district, NOVEMBER, now=NOW)
    assert result["score"] == round(100 * 0.5714, 2)


def test_dashboard_trend_buckets_by_local_day_and_lists_overdue(kpi_world, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        data = kpis.dashboard(world.district, dt.date(2026, 11, 1), dt.date(2026, 12, 1), now=NOW)
    by_day = {p["bucket"]: p for p in data["trend"]}
    assert sorted(by_day) == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
        "2026-11-10",
        "2026-11-20",
        "2026-11-25",
    ]
    assert by_day["2026-11-03"]["cases"] == 3  # o2, o8 (23:30 local) and o9 (00:30 local)
    assert by_day["2026-11-03"]["response_rate"] == 0.0  # o2 late
    assert by_day["2026-11-04"]["score"] == 100.0  # o7
    assert [row["title"] for row in data["overdue"]] == ["o6", "o5"]  # reply due Nov 20; sign due Nov 26
    assert data["summary"]["counts"]["cases"] == 9
    echarts = kpis.as_echarts(data)
    assert echarts["trend"]["xAxis"][0] == "2026-11-02"
    assert {s["name"] for s in echarts["trend"]["series"]} >= {"response_rate", "score"}


def test_scoped_base_counts_only_what_the_viewer_sees(kpi_world, world):
    from gongzhi.access.queries import forget_grants

    handler = world.department_handler
    forget_grants(handler)
    data = kpis.dashboard(world.district, NOVEMBER.start, NOVEMBER.end, user=handler, now=NOW)
    assert data["summary"]["counts"]["cases"] == 6  # the housing bureau's o1 o2 o3 o4 o5 o7
    assert [u["name"] for u in data["ranking"]["units"]] == ["南山区住房和建设局"]


def test_submit_marks_a_repeat_of_a_recent_closure_by_the_same_resident(world, django_capture_on_commit_callbacks):
    from gongzhi.work_orders import actions
    from gongzhi.work_orders.tests import factories

    # given an order of resident_c1 closed just now
    first = actions.close_work_order(factories.replied(world), actor=world.community_worker_c1)
    # when the same resident and another one submit again (the flag is set after commit)
    with django_capture_on_commit_callbacks(execute=True):
        again = factories.submitted(world, title="又坏了")
        other = factories.submitted(world, by="resident_c3", area=world.g4)
    # then only the same resident's new order is a repeat
    for order in (first, again, other):
        order.refresh_from_db()
    assert first.is_repeat is False
    assert again.is_repeat is True
    assert other.is_repeat is False
