"""Home ("/"): landing for visitors, the resident home, and the console's "my scope"."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Building
from gongzhi.testing.world import make_area

pytestmark = pytest.mark.django_db


def area_codes(html: str) -> set[str]:
    return set(re.findall(r'data-area-code="([^"]+)"', html))


def test_anonymous_gets_landing_with_both_sign_in_buttons(page_client):
    # when
    response = page_client().get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/phone/"' in html
    assert 'href="/accounts/login/"' in html
    assert "居民登录" in html
    assert "工作人员登录" in html
    assert "data-area-code" not in html


def test_resident_home_shows_community_and_ancestors(world, page_client):
    # when
    response = page_client("resident_c1").get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="community-name">科技园社区<' in html
    for name in ["深圳市", "南山区", "粤海街道", "科技园第一网格"]:
        assert name in html
    assert "白石洲社区" not in html
    assert 'class="tabbar"' in html
    assert 'class="console-nav"' not in html


def test_resident_without_home_area_gets_a_hint_not_an_error(world, page_client):
    # given
    resident = world.resident_c1
    resident.home_area = None
    resident.save(update_fields=["home_area", "updated_at"])
    # when
    response = page_client("resident_c1").get("/")
    # then
    assert response.status_code == 200
    assert "尚未关联社区" in response.content.decode()


def test_grid_worker_sees_only_their_grid(world, page_client):
    # when
    response = page_client("grid_worker_g1").get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert area_codes(html) == {world.g1.code}
    assert 'data-testid="stat-grids">1<' in html
    assert 'data-testid="stat-buildings">1<' in html
    assert "科技园第二网格" not in html
    assert 'class="console-nav"' in html


def test_street_official_sees_street_and_its_communities_only(world, page_client):
    # when
    response = page_client("street_official_s1").get("/")
    # then
    html = response.content.decode()
    expected = {world.s1.code, world.c1.code, world.c2.code, world.g1.code, world.g2.code, world.g3.code}
    assert area_codes(html) == expected
    assert world.s2.name not in html
    assert world.c3.name not in html
    assert "粤海街道办事处" in html  # organisation in scope
    assert "沙河街道办事处" not in html


def test_dashboard_tree_nests_communities_under_street_with_counts(world, page_client):
    # when
    html = page_client("street_official_s1").get("/").content.decode()
    # then the street row counts 3 grids and 1 building, C1 counts 2 grids
    street_row = html[html.index(f'data-area-code="{world.s1.code}"') : html.index(f'data-area-code="{world.c1.code}"')]
    assert "3 个网格" in street_row
    assert "1 栋楼" in street_row
    c1_row = html[html.index(f'data-area-code="{world.c1.code}"') : html.index(f'data-area-code="{world.g1.code}"')]
    assert "2 个网格" in c1_row


def test_dashboard_lists_role_grants(world, page_client):
    # when
    html = page_client("community_worker_c1").get("/").content.decode()
    # then
    assert "社区工作者" in html or "Community worker" in html
    assert "科技园社区居委会" in html


def test_staff_without_grants_sees_empty_scope(world, page_client):
    # when
    response = page_client("no_grant").get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-areas"' in html
    assert area_codes(html) == set()


def test_dashboard_for_large_scope_stops_tree_at_communities(world, page_client, monkeypatch):
    # given a limit smaller than the district's area count
    monkeypatch.setattr("gongzhi.web.queries.TREE_FULL_LIMIT", 5)
    # when
    html = page_client("district_official").get("/").content.decode()
    # then grids are counted, not listed
    assert world.g1.code not in area_codes(html)
    assert world.c3.code in area_codes(html)
    assert 'data-testid="stat-grids">4<' in html


@pytest.mark.parametrize("actor", ["resident_c1", "grid_worker_g1", "street_official_s1", "district_official"])
def test_home_query_count_does_not_grow_with_the_tree(world, page_client, actor, django_assert_max_num_queries):
    # given a baseline
    client = page_client(actor)
    with CaptureQueriesContext(connection) as baseline:
        client.get("/")
    # and many more communities, grids and buildings in the district
    for i in range(5):
        community = make_area(f"4403050019{i:02d}", f"新社区{i}", AreaLevel.COMMUNITY, world.s1)
        for j in range(3):
            grid = make_area(f"4403050019{i:02d}G{j}", f"新网格{i}-{j}", AreaLevel.GRID, community)
            Building.objects.create(grid=grid, area_path=grid.path, name=f"楼{i}{j}", address="地址")
    # then the page costs the same number of queries
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("actor", "limit"),
    [("anonymous", 1), ("resident_c1", 5), ("grid_worker_g1", 9), ("street_official_s1", 9), ("district_official", 9)],
)
def test_home_query_budget(world, page_client, actor, limit, django_assert_max_num_queries):
    # given
    client = page_client(actor)
    # then
    with django_assert_max_num_queries(limit):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/services/", "/me/"])
def test_portal_pages_need_sign_in(page_client, path):
    # when
    response = page_client().get(path)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_services_lists_what_domains_register(world, page_client):
    # when
    html = page_client("resident_c1").get("/services/").content.decode()
    # then: the work-orders domain registers its "report a problem" card
    assert 'href="/work-orders/report/"' in html
    assert 'aria-current="page"' in html


def test_me_page_shows_community_and_preferences(world, page_client):
    # when
    html = page_client("resident_c1").get("/me/").content.decode()
    # then
    assert "科技园社区" in html
    assert 'action="/preferences/elder-mode/"' in html
    assert 'action="/accounts/logout/"' in html
