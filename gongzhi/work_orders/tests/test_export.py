"""XLSX and CSV exports of the staff list: current filters, scope, formula safety, audit."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.audit.models import ChangeRecord
from gongzhi.testing.world import ACTORS
from gongzhi.work_orders import actions
from gongzhi.work_orders.tests import factories

API = "/api/work-orders/export/"
PAGE = "/work-orders/export/"
EXPORTERS = {
    "community_worker_c1",
    "community_worker_c3",
    "street_official_s1",
    "street_official_s2",
    "district_official",
}


def _orders(world):
    hostile = factories.submitted(world, title='=HYPERLINK("http://evil")\x07', urgency="urgent")
    plain = factories.submitted(world, title="楼道灯不亮")
    actions.dispatch_work_order(plain, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    other_street = factories.submitted(world, by="resident_c3", area=world.g4, title="别的街道")
    return hostile, plain, other_street


def _xlsx(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    width = len(rows[0])  # read-only mode trims empty trailing cells
    return [dict(zip(rows[0], [*r, *[None] * (width - len(r))], strict=True)) for r in rows[1:]]


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_xlsx_page_export_keeps_the_filters_scope_and_is_formula_safe(world):
    hostile, plain, other = _orders(world)
    client = Client()
    client.force_login(world.street_official_s1)
    before = ChangeRecord.objects.filter(verb="export_work_orders").count()
    response = client.get(f"{PAGE}?inbox=all&urgency=urgent&export_format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in response["Content-Disposition"]
    rows = _xlsx(b"".join(response.streaming_content))
    assert [r["number"] for r in rows] == [hostile.number]  # the urgency filter, in scope
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'  # no formula, control character dropped
    assert rows[0]["submitted_at"].hour == hostile.submitted_at.astimezone(ZoneInfo("Asia/Shanghai")).hour
    all_rows = _xlsx(b"".join(client.get(f"{PAGE}?export_format=xlsx").streaming_content))
    assert {r["number"] for r in all_rows} == {hostile.number, plain.number}  # not the other street's
    assert other.number not in {r["number"] for r in all_rows}
    records = ChangeRecord.objects.filter(verb="export_work_orders").order_by("id")
    assert records.count() - before == 2
    assert records.first().after["filters"] == {"inbox": "all", "urgency": "urgent"}
    assert records.first().after["format"] == "xlsx"


def test_csv_page_export_of_an_inbox_tab(world):
    _hostile, plain, _other = _orders(world)
    client = Client()
    client.force_login(world.community_worker_c1)
    rows = _csv(client.get(f"{PAGE}?inbox=to_sign&export_format=csv"))
    assert [r["number"] for r in rows] == [plain.number]
    assert all(r["submitted_at"].endswith("+08:00") for r in rows)


def test_api_xlsx_export_with_filters_and_bad_format(world, client_for):
    _hostile, plain, _other = _orders(world)
    client = client_for("district_official")
    response = client.get(f"{API}?export_format=xlsx&status=dispatched")
    assert response.status_code == 200
    assert [r["number"] for r in _xlsx(b"".join(response.streaming_content))] == [plain.number]
    csv_rows = _csv(client.get(f"{API}?urgency=urgent"))
    assert [r["title"] for r in csv_rows] == ['\'=HYPERLINK("http://evil")\x07']
    assert client.get(f"{API}?export_format=pdf").status_code == 400


@pytest.mark.parametrize("actor", list(ACTORS))
def test_export_page_matrix(world, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor])
    response = client.get(f"{PAGE}?export_format=csv")
    expected = 200 if actor in EXPORTERS else (302 if actor == "anonymous" else 403)
    assert response.status_code == expected


def test_unknown_inbox_or_format_is_404(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    assert client.get(f"{PAGE}?inbox=nope").status_code == 404
    assert client.get(f"{PAGE}?export_format=pdf").status_code == 404


def test_export_query_count_is_constant(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.street_official_s1)
    for _ in range(3):
        factories.submitted(world)
    client.get(f"{PAGE}?export_format=xlsx")
    for _ in range(20):
        factories.submitted(world)
    with django_assert_max_num_queries(12):
        response = client.get(f"{PAGE}?export_format=xlsx")
        assert len(_xlsx(b"".join(response.streaming_content))) == 23


def test_inbox_shows_export_links_with_the_filters(world):
    client = Client()
    client.force_login(world.street_official_s1)
    html = client.get("/work-orders/?inbox=overdue&urgency=urgent").content.decode()
    assert "export_format=xlsx" in html
    assert "urgency=urgent" in html
    handler = Client()
    handler.force_login(world.department_handler)
    assert 'data-testid="export-links"' not in handler.get("/work-orders/").content.decode()
