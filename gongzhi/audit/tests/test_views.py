"""The audit administrator's screens: search, detail, CSV export."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.snapshot import snapshot
from gongzhi.audit.tests.factories import write_record
from gongzhi.audit.views import PAGE_SIZE, safe_cell

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(world, actor="audit_admin"):
    client = Client()
    client.force_login(world.users[actor])
    return client


def _listed_ids(response):
    return [record.pk for record in response.context["page"].object_list]


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_list_shows_records_newest_first(world):
    first = write_record(world.c1, verb="first")
    second = write_record(world.c2, verb="second")

    response = _client(world).get("/audit/")

    assert response.status_code == 200
    assert _listed_ids(response) == [second.pk, first.pk]
    assert "second" in response.content.decode()


@pytest.mark.parametrize("actor", ["anonymous", "system_admin", "security_admin", "community_worker_c1", "no_grant"])
def test_everyone_but_the_audit_admin_gets_404(world, actor):
    record = write_record(world.c1)
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor])

    for url in ("/audit/", f"/audit/{record.pk}/", "/audit/export.csv"):
        assert client.get(url).status_code == 404, url
    assert ChangeRecord.objects.count() == 1  # a refused export records nothing


def test_a_superuser_flag_does_not_open_the_audit_log(world):
    user = world.system_admin
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])

    assert _client(world, "system_admin").get("/audit/").status_code == 404


def test_search_by_actor_object_verb_and_request_id(world):
    admin = world.system_admin
    wanted = write_record(world.c1, verb="update_area", actor=admin, request_id="req-wanted-0001")
    write_record(world.c1, verb="update_area", actor=world.security_admin)
    write_record(world.c2, verb="update_area", actor=admin)
    write_record(world.system_admin, verb="update_preferences", actor=admin)
    client = _client(world)

    assert _listed_ids(client.get("/audit/", {"actor": "system_admin", "object_id": world.c1.pk})) == [wanted.pk]
    assert _listed_ids(client.get("/audit/", {"request_id": "req-wanted-0001"})) == [wanted.pk]
    by_type = _listed_ids(client.get("/audit/", {"object_type": "accounts.user"}))
    assert len(by_type) == 1
    assert len(_listed_ids(client.get("/audit/", {"verb": "update_area"}))) == 3
    assert _listed_ids(client.get("/audit/", {"verb": "nothing"})) == []


def test_the_date_range_is_in_beijing_time(world, monkeypatch):
    # given records just before and after midnight in Shanghai (15:30 and 16:30 UTC)
    late_jan_1 = write_record(
        world.c1, verb="late", at=datetime.datetime(2026, 1, 1, 23, 30, tzinfo=SHANGHAI), monkeypatch=monkeypatch
    )
    early_jan_2 = write_record(
        world.c1, verb="early", at=datetime.datetime(2026, 1, 2, 0, 30, tzinfo=SHANGHAI), monkeypatch=monkeypatch
    )
    client = _client(world)

    # when searching one Shanghai calendar day at a time, then each falls on its own day
    assert _listed_ids(client.get("/audit/", {"date_from": "2026-01-01", "date_to": "2026-01-01"})) == [late_jan_1.pk]
    assert _listed_ids(client.get("/audit/", {"date_from": "2026-01-02"})) == [early_jan_2.pk]
    assert _listed_ids(client.get("/audit/", {"date_to": "2026-01-02"})) == [early_jan_2.pk, late_jan_1.pk]


def test_an_inverted_date_range_shows_an_error_next_to_the_field(world):
    write_record(world.c1)

    response = _client(world).get("/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})

    assert response.status_code == 200
    assert "date_to" in response.context["filter"].form.errors
    assert _listed_ids(response) == []


def test_the_list_is_paginated_and_pages_keep_the_filters(world):
    for i in range(PAGE_SIZE + 3):
        write_record(world.c1, verb="bulk", after={"n": i})
    write_record(world.c1, verb="other")
    client = _client(world)

    first = client.get("/audit/", {"verb": "bulk"})
    second = client.get("/audit/", {"verb": "bulk", "page": 2})

    assert len(_listed_ids(first)) == PAGE_SIZE
    assert len(_listed_ids(second)) == 3
    assert "verb=bulk&amp;page=2" in first.content.decode()


def _queries_for(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    # given one record, then thirty, listed by a warmed-up client
    write_record(world.c1, actor=world.system_admin)
    client = _client(world)
    client.get("/audit/")  # warm the content-type and permission caches
    with_one = _queries_for(client, "/audit/", {"object_type": "territory.area"})
    for _ in range(29):
        write_record(world.c1, actor=world.system_admin)

    # when listing thirty, then the page costs the same few queries
    with django_assert_max_num_queries(12):
        response = client.get("/audit/", {"object_type": "territory.area"})
    assert len(_listed_ids(response)) == 30
    assert _queries_for(client, "/audit/", {"object_type": "territory.area"}) == with_one


def test_the_detail_page_shows_the_before_after_diff(world):
    area = world.c1
    before = snapshot(area)
    area.name = "新科技园社区"
    area.save(update_fields=["name", "updated_at"])
    record = write_record(area, verb="update_area", actor=world.street_official_s1, before=before)

    response = _client(world).get(f"/audit/{record.pk}/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.field, r.before, r.after, r.changed) for r in rows] == [("name", "科技园社区", "新科技园社区", True)]
    html = response.content.decode()
    assert "新科技园社区" in html
    assert record.request_id in html


def test_the_detail_of_a_missing_record_is_404(world):
    assert _client(world).get("/audit/999999/").status_code == 404


def test_hostile_text_is_escaped_on_the_pages(world):
    area = world.c1
    before = snapshot(area)
    area.name = "<script>alert(1)</script>"
    area.save(update_fields=["name", "updated_at"])
    record = write_record(area, before=before)
    client = _client(world)

    for url in ("/audit/", f"/audit/{record.pk}/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


def test_export_streams_the_filtered_records_and_is_itself_recorded(world):
    # given records of two verbs
    wanted = write_record(world.c1, verb="update_area", actor=world.system_admin)
    write_record(world.c2, verb="create_area")

    # when the audit admin exports one verb
    response = _client(world).get("/audit/export.csv", {"verb": "update_area"})

    # then the CSV holds a header and the matching record only
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _csv_rows(response)
    assert len(rows) == 2
    assert rows[1][0] == str(wanted.pk)
    assert rows[1][2] == "system_admin"
    assert rows[1][6] == "update_area"
    assert rows[1][7] == "territory.area"
    assert rows[1][1].endswith("+08:00")
    # and the export itself is a change record against the exporter, filters included
    export = ChangeRecord.objects.get(verb="audit_export")
    assert export.actor == world.audit_admin
    assert export.target_id == str(world.audit_admin.pk)
    assert export.after == {"format": "csv", "filters": {"verb": "update_area"}}


def test_export_neutralises_spreadsheet_formulas(world):
    write_record(world.c1, verb="probe", after={"note": "x"})
    area = world.c2
    area.name = '=HYPERLINK("http://evil")'
    write_record(area, verb="=cmd|' /C calc'!A0", after=None)

    rows = _csv_rows(_client(world).get("/audit/export.csv", {"object_id": area.pk}))

    assert rows[1][6] == "'=cmd|' /C calc'!A0"
    assert rows[1][9] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("ok", "ok"),
        (None, ""),
        (7, "7"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_export_with_invalid_filters_is_400_and_records_nothing(world):
    response = _client(world).get("/audit/export.csv", {"date_from": "not-a-date"})

    assert response.status_code == 400
    assert not ChangeRecord.objects.filter(verb="audit_export").exists()
