"""The KPI dashboard page (绩效看板): the same numbers as the API, scoped like it, readable
without JavaScript (tables), constant queries."""

import re

import pytest
from django.test import Client

from gongzhi.work_orders.tests.kpi_world import build_kpi_world

PAGE = "/work-orders/kpis/"
API = "/api/work-orders/kpis/dashboard/"


def _client(world, actor):
    client = Client()
    client.force_login(world.users[actor])
    return client


def _kpi(html, key):
    match = re.search(rf'data-kpi="{key}">([^<]*)<', html)
    assert match, key
    return match.group(1)


def _pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def test_the_page_shows_the_api_numbers(world, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    client = _client(world, "district_official")
    query = f"?area={world.district.pk}&period=2026-11"
    html = client.get(PAGE + query).content.decode()
    api = client.get(API + query).json()
    summary = api["summary"]
    assert _kpi(html, "cases") == str(summary["counts"]["cases"]) == "9"
    for key in ("sign_on_time_rate", "response_rate", "resolution_rate", "satisfaction_rate", "repeat_rate"):
        assert _kpi(html, key) == _pct(summary[key]), key
    assert _kpi(html, "score") == f"{summary['score']:.1f}"
    ranking = re.findall(r'<tr data-unit="(\d+)">', html)
    assert ranking == [str(name) for name in _unit_ids(client, query)]
    overdue = re.findall(r'data-order-id="(\d+)"', html.split('data-testid="kpi-overdue"')[1])
    assert overdue == [str(o["id"]) for o in api["overdue"]]
    assert 'id="kpi-charts"' in html  # the chart data for ECharts


def _unit_ids(client, query):
    return [u["unit"] for u in client.get("/api/work-orders/kpis/" + query).json()["ranking"]["units"]]


def test_a_unit_drill_down_and_the_street_scope(world, settings):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    unit = world.orgs["housing_bureau"]
    client = _client(world, "district_official")
    html = client.get(f"{PAGE}?area={world.district.pk}&period=2026-11&unit={unit.pk}").content.decode()
    api = client.get(f"{API}?area={world.district.pk}&period=2026-11&unit={unit.pk}").json()
    assert _kpi(html, "cases") == str(api["summary"]["counts"]["cases"])
    assert 'data-testid="kpi-clear-unit"' in html
    street = _client(world, "street_official_s1")
    assert street.get(PAGE).status_code == 200
    # The street official's areas are their street and what lies under it, never S2.
    page = street.get(PAGE).content.decode()
    assert f'value="{world.s1.pk}"' in page
    assert f'value="{world.s2.pk}"' not in page
    assert street.get(f"{PAGE}?area={world.s2.pk}").status_code == 400


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 302),
        ("resident_c1", 403),
        ("no_grant", 403),
        ("system_admin", 403),
        ("evaluator", 200),
        ("district_official", 200),
        ("street_official_s1", 200),
    ],
)
def test_who_may_open_the_page(world, actor, status):
    client = Client() if actor == "anonymous" else _client(world, actor)
    assert client.get(PAGE).status_code == status


def test_the_evaluator_sees_numbers_but_no_order(world):
    build_kpi_world(world)
    html = _client(world, "evaluator").get(f"{PAGE}?area={world.district.pk}&period=2026-11").content.decode()
    assert _kpi(html, "cases") == "9"
    assert 'data-testid="kpi-overdue"' not in html


@pytest.mark.parametrize("query", ["period=2026-13", "period=<script>", "area=abc", "area=999999"])
def test_bad_filters_are_a_400_with_the_form(world, query):
    response = _client(world, "district_official").get(f"{PAGE}?{query}")
    assert response.status_code == 400
    assert (
        "<script>" not in response.content.decode().split("<main")[1] if "<main" in response.content.decode() else True
    )


def test_the_page_uses_a_constant_number_of_queries(world, settings, django_assert_max_num_queries):
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(world)
    client = _client(world, "district_official")
    client.get(PAGE)
    with django_assert_max_num_queries(20):
        assert client.get(f"{PAGE}?area={world.district.pk}&period=2026-11").status_code == 200
