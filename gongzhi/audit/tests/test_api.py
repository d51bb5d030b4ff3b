"""/api/audit/changes/: read-only, filterable, for the audit administrator only."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.tests.factories import write_record

pytestmark = pytest.mark.django_db

LIST = "/api/audit/changes/"


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_the_audit_admin_lists_records_with_their_fields(world, client_for):
    record = write_record(world.c1, verb="update_area", actor=world.system_admin, request_id="req-api-000001")

    response = client_for("audit_admin").get(LIST)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == record.pk
    assert row["actor"] == world.system_admin.pk
    assert row["actor_username"] == "system_admin"
    assert row["verb"] == "update_area"
    assert row["target_type"] == "territory.area"
    assert row["target_id"] == str(world.c1.pk)
    assert row["request_id"] == "req-api-000001"
    assert row["related_type"] is None


def test_the_api_filters_like_the_pages(world, client_for, monkeypatch):
    shanghai = ZoneInfo("Asia/Shanghai")
    old = write_record(
        world.c1,
        verb="update_area",
        actor=world.system_admin,
        at=datetime.datetime(2026, 1, 1, 23, 30, tzinfo=shanghai),
        monkeypatch=monkeypatch,
    )
    new = write_record(
        world.c2,
        verb="create_area",
        actor=world.security_admin,
        at=datetime.datetime(2026, 1, 2, 0, 30, tzinfo=shanghai),
        monkeypatch=monkeypatch,
    )
    client = client_for("audit_admin")

    assert _ids(client.get(LIST, {"actor": "system_admin"})) == [old.pk]
    assert _ids(client.get(LIST, {"verb": "create_area"})) == [new.pk]
    assert _ids(client.get(LIST, {"object_type": "territory.area", "object_id": world.c2.pk})) == [new.pk]
    assert _ids(client.get(LIST, {"date_from": "2026-01-02", "date_to": "2026-01-02"})) == [new.pk]
    assert _ids(client.get(LIST, {"request_id": old.request_id})) == [old.pk]


def test_invalid_filters_are_400_with_field_messages(world, client_for):
    response = client_for("audit_admin").get(LIST, {"date_from": "yesterday", "object_type": "nope.nothing"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"date_from", "object_type"}


def test_the_detail_returns_one_record(world, client_for):
    record = write_record(world.c1, verb="probe", before={"name": "a"}, after={"name": "b"})

    response = client_for("audit_admin").get(f"{LIST}{record.pk}/")

    assert response.status_code == 200
    assert (response.json()["before"], response.json()["after"]) == ({"name": "a"}, {"name": "b"})


def test_the_api_is_read_only(world, client_for):
    record = write_record(world.c1)
    client = client_for("audit_admin")

    assert client.post(LIST, {"verb": "forged"}, format="json").status_code == 405
    assert client.patch(f"{LIST}{record.pk}/", {"verb": "forged"}, format="json").status_code == 405
    assert client.delete(f"{LIST}{record.pk}/").status_code == 405
    assert ChangeRecord.objects.get().verb == "probe"


def _queries_for(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    write_record(world.c1, actor=world.system_admin)
    client = client_for("audit_admin")
    client.get(LIST)  # warm caches
    with_one = _queries_for(client, {"object_type": "territory.area"})
    for _ in range(39):
        write_record(world.c1, actor=world.system_admin)

    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"object_type": "territory.area"})
    assert len(_ids(response)) == 40
    assert _queries_for(client, {"object_type": "territory.area"}) == with_one
