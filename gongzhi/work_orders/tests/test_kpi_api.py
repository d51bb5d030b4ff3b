"""The KPI API: authorisation matrix, scoping to the viewer, input errors, query counts."""

import pytest

from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests.kpi_world import build_kpi_world

URL = "/api/work-orders/kpis/"
DASHBOARD = "/api/work-orders/kpis/dashboard/"

#: Street S1's KPIs: who may read them (everyone else with a KPI grant: 404; without: 403).
S1_READERS = {
    "street_official_s1": 200,
    "district_official": 200,
    "evaluator": 200,  # third-party evaluator: KPIs of the district, no order contents
    "department_handler": 200,  # a district-wide grant, counted for its own unit only
    "police_liaison": 200,
}
NO_VIEW_GRANT = dict.fromkeys(
    ["no_grant", "resident_c1", "resident_c3", "system_admin", "security_admin", "audit_admin"], 403
)

CASES = [
    Case(
        "kpis of street S1",
        "get",
        lambda w: f"{URL}?area={w.s1.pk}&period=2026-11",
        allow={**S1_READERS, **NO_VIEW_GRANT},
    ),
    Case(
        "dashboard of street S1",
        "get",
        lambda w: f"{DASHBOARD}?area_code={w.s1.code}&period=2026-11",
        allow={**S1_READERS, **NO_VIEW_GRANT},
    ),
    Case(
        "kpis of grid G1",
        "get",
        lambda w: f"{URL}?area={w.g1.pk}",
        allow={
            **S1_READERS,
            **NO_VIEW_GRANT,
            "grid_worker_g1": 200,
            "community_worker_c1": 200,
            "property_staff_c1": 200,
        },
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_kpi_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


def test_street_official_sees_only_their_street(world, client_for):
    # given the hand-built November (7 cases under street S1, 1 under S2)
    build_kpi_world(world)
    # when
    own = client_for("street_official_s1").get(f"{URL}?period=2026-11")
    district = client_for("district_official").get(f"{URL}?area={world.district.pk}&period=2026-11")
    other = client_for("street_official_s1").get(f"{URL}?area={world.s2.pk}&period=2026-11")
    # then: the default area is the official's own street
    assert own.status_code == 200
    assert own.json()["area"]["code"] == world.s1.code
    assert own.json()["kpis"]["counts"]["cases"] == 8  # o1-o6, o8, o9 in grid G1
    assert district.json()["kpis"]["counts"]["cases"] == 9
    assert other.status_code == 404


def test_unit_handlers_count_their_own_unit_only(world, client_for, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    client = client_for("department_handler")
    response = client.get(f"{URL}?area={world.district.pk}&period=2026-11")
    assert response.json()["kpis"]["counts"]["cases"] == 6  # o1-o5, o7
    assert [u["name"] for u in response.json()["ranking"]["units"]] == ["南山区住房和建设局"]
    other_unit = client.get(f"{URL}?area={world.district.pk}&unit={world.orgs['property_c1'].pk}")
    assert other_unit.status_code == 404
    own_unit = client.get(f"{URL}?area={world.district.pk}&unit={world.orgs['housing_bureau'].pk}&period=2026-11")
    assert own_unit.json()["unit"]["name"] == "南山区住房和建设局"


def test_district_official_reads_a_unit_and_the_ranking(world, client_for, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    client = client_for("district_official")
    unit = world.orgs["property_c1"]
    body = client.get(f"{URL}?area={world.district.pk}&unit={unit.pk}&period=2026-11").json()
    assert body["kpis"]["counts"]["cases"] == 1  # o6
    assert body["kpis"]["return_rate"] == 0.5
    assert [u["rank"] for u in body["ranking"]["units"]] == [1, 2]
    assert body["weights"] == {"response": 0.30, "resolution": 0.35, "satisfaction": 0.35}


def test_dashboard_is_shaped_for_echarts(world, client_for):
    build_kpi_world(world)
    body = client_for("district_official").get(f"{DASHBOARD}?area={world.district.pk}&period=2026-11").json()
    assert body["trend"]["xAxis"][:2] == ["2026-11-02", "2026-11-03"]
    series = {s["name"]: s["data"] for s in body["trend"]["series"]}
    assert series["cases"][:2] == [1, 3]
    assert len(series["score"]) == len(body["trend"]["xAxis"])
    assert body["summary"]["counts"]["cases"] == 9
    assert {row["title"] for row in body["overdue"]} >= {"o5", "o6"}


def test_evaluator_reads_the_numbers_but_no_order(world, client_for):
    build_kpi_world(world)
    client = client_for("evaluator")
    body = client.get(f"{DASHBOARD}?area={world.district.pk}&period=2026-11").json()
    assert body["summary"]["counts"]["cases"] == 9  # the same numbers as the district official
    assert body["overdue"] == []  # the list names orders: not for an evaluator
    assert client.get(f"{URL}?period=2026-11").json()["area"]["code"] == world.district.code
    assert client.get("/api/work-orders/").status_code == 403
    order = WorkOrder.objects.filter(area_path__startswith=world.district.path).first()
    assert client.get(f"/api/work-orders/{order.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2026-13", "period"),
        ("period=last-month", "period"),
        ("unit=abc", "unit"),
        ("area=abc", "area"),
    ],
)
def test_bad_input_is_a_400_with_the_field(world, client_for, query, field):
    response = client_for("district_official").get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_unknown_area_or_unit_is_a_404(world, client_for):
    client = client_for("district_official")
    assert client.get(f"{URL}?area=999999").status_code == 404
    assert client.get(f"{URL}?area_code=NOPE").status_code == 404
    assert client.get(f"{URL}?unit=999999").status_code == 404


def test_kpi_endpoints_use_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    client = client_for("district_official")
    with django_assert_max_num_queries(14):
        assert client.get(f"{URL}?area={world.district.pk}&period=2026-11").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"{DASHBOARD}?area={world.district.pk}&period=2026-11").status_code == 200
