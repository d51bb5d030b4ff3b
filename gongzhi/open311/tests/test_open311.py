"""GeoReport v2 endpoints; every JSON body is validated against the reference schemas."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import ChangeRecord
from gongzhi.open311 import actions
from gongzhi.open311.keys import hash_key
from gongzhi.open311.models import Open311Client, ServiceRequestToken
from gongzhi.open311.tests.helpers import BASE, assert_valid, client_key, parse_xml, requests, services
from gongzhi.work_orders.choices import Channel, Status, Urgency
from gongzhi.work_orders.models import WorkOrder


@pytest.fixture
def svc(world):
    return services(world)


@pytest.fixture
def key(world):
    return client_key(world)[1]


def _json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_discovery_in_both_formats(client):
    body = _json(client, f"{BASE}/discovery.json")
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = client.get(f"{BASE}/discovery.xml")
    assert xml["Content-Type"].startswith("text/xml")
    root = parse_xml(xml.content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_leaf_categories(client, svc):
    body = _json(client, f"{BASE}/services.json")
    assert_valid("services.json", body)
    assert [s["service_code"] for s in body] == ["0101", "0102"]
    assert body[0] == {
        "service_code": "0101",
        "service_name": "占道经营",
        "description": "占道经营",
        "metadata": True,
        "type": "batch",
        "keywords": "占道经营",
        "group": "市容环境",
    }
    for row in body:
        assert_valid("service.json", row)
    root = parse_xml(client.get(f"{BASE}/services.xml").content)
    assert [s.findtext("service_code") for s in root.findall("service")] == ["0101", "0102"]
    assert root.find("service/metadata").text == "true"


def test_service_definition_lists_the_attributes(client, svc):
    body = _json(client, f"{BASE}/services/0101.json")
    assert_valid("service-definition.json", body)
    assert [a["code"] for a in body["attributes"]] == ["urgency", "public", "anonymous"]
    assert [v["key"] for v in body["attributes"][0]["values"]] == ["normal", "urgent"]
    root = parse_xml(client.get(f"{BASE}/services/0101.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "urgency"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")][:2] == ["normal", "urgent"]


def test_unknown_service_is_a_404_or_400_with_a_georeport_error(client, svc):
    # the parent category is not a service
    missing = client.get(f"{BASE}/services/01.json")
    assert missing.status_code == 400
    assert missing.json()[0]["code"] == 400
    assert "service_code" in missing.json()[0]["description"]
    xml = client.get(f"{BASE}/services/nope.xml")
    root = parse_xml(xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"


def test_unknown_format_and_unknown_jurisdiction(client, svc):
    assert client.get(f"{BASE}/services.csv").status_code == 404
    wrong = client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.gov")
    assert wrong.status_code == 400
    assert "jurisdiction_id" in wrong.json()[0]["description"]
    assert client.get(f"{BASE}/services.json?jurisdiction_id=gongzhi").status_code == 200


def test_requests_show_only_public_requests_without_personal_data(client, world, svc):
    orders = requests(world, svc)
    body = _json(client, f"{BASE}/requests.json")
    assert_valid("requests.json", body)
    ids = {row["service_request_id"] for row in body}
    assert ids == {str(orders["open"].pk), str(orders["closed"].pk)}
    row = next(r for r in body if r["service_request_id"] == str(orders["open"].pk))
    assert row["status"] == "open"
    assert row["service_code"] == "0101"
    assert "13812345678" not in row["description"]
    assert "440305199001011234" not in row["description"]
    assert "li@example.com" not in row["description"]
    assert row["description"].startswith("*栋楼下占道摆摊")  # the building number is an exact address
    assert row["address"] == world.g1.name
    assert row["lat"] == 22.54
    assert row["long"] == 113.95
    text = str(body)
    for personal in ("resident_c1", "13800000001", world.building_g1.name):
        assert personal not in text
    closed = next(r for r in body if r["service_request_id"] == str(orders["closed"].pk))
    assert closed["status"] == "closed"
    assert closed["agency_responsible"] == world.orgs["housing_bureau"].name
    assert closed["status_notes"] == "已更换灯泡"


def test_request_detail_and_private_requests_are_404(client, world, svc):
    orders = requests(world, svc)
    body = _json(client, f"{BASE}/requests/{orders['closed'].pk}.json")
    assert_valid("requests.json", body)
    assert len(body) == 1
    assert_valid("request.json", body[0])
    assert (
        body[0]["updated_datetime"] == timezone.localtime(orders["closed"].closed_at).replace(microsecond=0).isoformat()
    )
    hidden = client.get(f"{BASE}/requests/{orders['private'].pk}.json")
    assert hidden.status_code == 404
    assert hidden.json()[0]["code"] == 404
    root = parse_xml(client.get(f"{BASE}/requests/{orders['private'].pk}.xml").content)
    assert root.findtext("error/code") == "404"
    xml = parse_xml(client.get(f"{BASE}/requests/{orders['open'].pk}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == str(orders["open"].pk)


def test_request_filters_status_codes_ids_dates_and_paging(client, world, svc):
    orders = requests(world, svc)
    ids = lambda q: [r["service_request_id"] for r in _json(client, f"{BASE}/requests.json?{q}")]  # noqa: E731
    assert ids("status=open") == [str(orders["open"].pk)]
    assert ids("status=closed") == [str(orders["closed"].pk)]
    assert set(ids("status=open,closed")) == {str(orders["open"].pk), str(orders["closed"].pk)}
    assert ids("service_code=0102") == [str(orders["closed"].pk)]
    both = f"{orders['open'].pk},{orders['private'].pk}"
    assert ids(f"service_request_id={both}&status=closed") == [str(orders["open"].pk)]  # ids override
    assert len(ids("page_size=1")) == 1
    assert ids("page_size=1&page=2") != ids("page_size=1&page=1")
    assert ids("page=3&page_size=1") == []
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"start_date={future.replace('+', '%2B')}") == []
    assert ids("end_date=2020-01-01T00:00:00Z") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("start_date=yesterday", "start_date"),
        ("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
        ("status=pending", "status"),
        ("page=0", "page"),
        ("service_request_id=abc", "service_request_id"),
    ],
)
def test_bad_request_parameters_are_400_errors(client, svc, query, field):
    body = _json(client, f"{BASE}/requests.json?{query}", status=400)
    assert body[0]["code"] == 400
    assert body[0]["description"].startswith(field)


def _post(client, fmt="json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", fields)


def test_post_creates_a_work_order_through_the_submit_action(client, world, svc, key):
    before = ChangeRecord.objects.count()
    response = _post(
        client,
        api_key=key,
        service_code="0101",
        lat="22.540100",
        long="113.950200",
        description="人行道上有人摆摊",
        phone="13912345678",
        first_name="小",
        last_name="李",
        **{"attribute[urgency]": "urgent", "attribute[public]": "yes"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body[0]["service_request_id"].isdigit()
    order = WorkOrder.objects.get(pk=int(body[0]["service_request_id"]))
    assert order.channel == Channel.OPEN311
    assert order.status == Status.SUBMITTED
    assert order.area == world.g1
    assert order.urgency == Urgency.URGENT
    assert order.is_public is True
    assert order.contact_phone == "13912345678"
    assert order.events.get().kind == "submit"
    assert ChangeRecord.objects.count() - before == 2  # submit_work_order + open311_submit
    token = body[0]["token"]
    by_token = _json(client, f"{BASE}/tokens/{token}.json")
    assert by_token == [{"service_request_id": str(order.pk), "token": token}]
    assert Open311Client.objects.get().last_used_at is not None
    root = parse_xml(client.get(f"{BASE}/tokens/{token}.xml").content)
    assert root.findtext("request/service_request_id") == str(order.pk)


def test_post_anonymously(client, world, svc, key):
    response = _post(
        client,
        api_key=key,
        service_code="0101",
        address_id=world.g1.code,
        description="匿名反映占道经营",
        phone="13912345678",
        first_name="小",
        **{"attribute[anonymous]": "yes"},
    )
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert order.is_anonymous
    assert order.contact_name == ""
    assert order.contact_phone == "13912345678"
    definition = _json(client, f"{BASE}/services/0101.json")
    assert "anonymous" in {a["code"] for a in definition["attributes"]}


def test_post_in_xml_and_by_address_id(client, world, svc, key):
    response = _post(
        client, "xml", api_key=key, service_code="0102", address_id=world.g2.code, description="路灯不亮", phone="1"
    )
    assert response.status_code == 201
    root = parse_xml(response.content)
    order = WorkOrder.objects.get(pk=int(root.findtext("request/service_request_id")))
    assert order.area == world.g2
    assert order.is_public is False
    assert client.get(f"{BASE}/requests/{order.pk}.json").status_code == 404  # not consented


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"api_key": "nope"}, 403, "api_key"),
        ({"api_key": None}, 403, "api_key"),
        ({"service_code": "9999"}, 400, "service_code"),
        ({"lat": None, "long": None}, 400, "lat"),
        ({"lat": "22.700000"}, 400, "lat"),  # 18 km away: not served
        ({"address_id": "440305002001G01"}, 400, "address_id"),  # grid G4: another street
        ({"lat": "abc"}, 400, "lat"),
        ({"description": ""}, 400, "description"),
        ({"phone": ""}, 400, "phone"),
        ({"attribute[urgency]": "now"}, 400, "attribute[urgency]"),
        ({"attribute[anonymous]": "maybe"}, 400, "attribute[anonymous]"),
    ],
)
def test_post_errors(client, world, svc, key, fields, status, field):
    data = {
        "api_key": key,
        "service_code": "0101",
        "lat": "22.540100",
        "long": "113.950200",
        "description": "摆摊",
        "phone": "13912345678",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    before = ChangeRecord.objects.count()
    response = _post(client, **data)
    assert response.status_code == status
    assert response.json()[0]["code"] == status
    assert response.json()[0]["description"].startswith(field)
    assert WorkOrder.objects.count() == 0
    assert ChangeRecord.objects.count() == before


def test_revoked_key_is_refused_and_keys_are_stored_hashed(client, world, svc):
    client_row, raw = client_key(world)
    assert raw not in (client_row.key_hash, client_row.key_prefix)
    assert client_row.key_hash == hash_key(raw)
    actions.revoke_client(client_row, actor=None)
    response = _post(client, api_key=raw, service_code="0101", address_id=world.g1.code, description="x", phone="1")
    assert response.status_code == 403
    assert ServiceRequestToken.objects.count() == 0


def test_unknown_token_and_request_are_404(client, svc):
    assert client.get(f"{BASE}/tokens/nope.json").status_code == 404
    assert client.get(f"{BASE}/requests/999999.json").status_code == 404
    assert client.get(f"{BASE}/requests/abc.json").status_code == 404


def test_requests_list_has_a_constant_number_of_queries(client, world, svc, django_assert_max_num_queries):
    requests(world, svc)
    requests(world, svc)
    with django_assert_max_num_queries(3):
        assert client.get(f"{BASE}/requests.json").status_code == 200


def test_issue_client_command_prints_the_key_once(world, capsys):
    from django.core.management import call_command

    call_command("open311_client", "ORG-C1", "12345热线")
    out = capsys.readouterr().out
    raw = out.strip().splitlines()[-1]
    assert Open311Client.objects.get(name="12345热线").key_hash == hash_key(raw)
