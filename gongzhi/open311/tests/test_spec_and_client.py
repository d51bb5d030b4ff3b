"""Interoperability: the spec's own form-encoded POST example, and the independent PyPI
client ``georeport`` reading a live test server in JSON and XML."""

import pytest
from georeport import GeoReport

from gongzhi.open311.tests.helpers import BASE, assert_valid, client_key, parse_xml, requests, services
from gongzhi.organisations.models import MatterCategory
from gongzhi.work_orders.choices import Channel
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

#: The example body of "POST Service Request" in the GeoReport v2 specification, verbatim.
SPEC_EXAMPLE = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def test_the_spec_example_post_is_understood(client, world, settings):
    # given our jurisdiction is the example's, service 001 exists, and the client's key
    settings.GONGZHI_OPEN311_JURISDICTION = "city.gov"
    factories.category("001", "路面塌陷")
    _client, key = client_key(world)
    body = SPEC_EXAMPLE.replace("api_key=xyz", f"api_key={key}")

    # when posted verbatim (apart from the key): San Francisco is outside our areas
    outside = client.post(f"{BASE}/requests.xml", body, content_type=FORM)

    # then a GeoReport XML error, nothing created
    assert outside.status_code == 400
    error = parse_xml(outside.content)
    assert error.tag == "errors"
    assert error.findtext("error/code") == "400"
    assert error.findtext("error/description").startswith("lat")
    assert WorkOrder.objects.count() == 0

    # when the same example points at grid G1
    inside = client.post(
        f"{BASE}/requests.xml",
        body.replace("lat=37.76524078&long=-122.4212043", "lat=22.54001&long=113.95002"),
        content_type=FORM,
    )

    # then the response has the spec's shape and the order carries the example's fields
    assert inside.status_code == 201
    root = parse_xml(inside.content)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert {child.tag for child in request} >= {"service_request_id", "service_notice", "account_id"}
    order = WorkOrder.objects.get(pk=int(request.findtext("service_request_id")))
    assert order.channel == Channel.OPEN311
    assert order.category == MatterCategory.objects.get(code="001")
    assert order.area == world.g1
    assert order.description == "A large sinkhole is destroying the street"
    assert order.address == "1234 5th street"
    assert order.contact_name == "john smith"
    assert order.contact_phone == "111111111"
    assert order.external_id == "tt222111"


@pytest.fixture
def live_world(world):
    svc = services(world)
    orders = requests(world, svc)
    return svc, orders


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(live_server, live_world, output_format):
    _svc, orders = live_world
    api = GeoReport(f"{live_server.url}{BASE}", output_format=output_format)

    service_list = api.get_service_list()
    codes = [s["service_code"] for s in service_list]
    assert codes == ["0101", "0102"]
    definition = api.get_service_definition("0101")
    assert definition["service_code"] == "0101"

    found = api.get_service_requests(status="open")
    found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [str(orders["open"].pk)]
    assert found[0]["status"] == "open"

    every = api.get_service_requests()
    every = every if isinstance(every, list) else [every]
    assert {r["service_request_id"] for r in every} == {str(orders["open"].pk), str(orders["closed"].pk)}

    one = api.get_service_request(str(orders["closed"].pk))
    assert one["status"] == "closed"
    assert one["service_code"] == "0102"
    assert one["requested_datetime"].endswith("+08:00")
    if output_format == "json":
        assert_valid("services.json", service_list)
        assert_valid("service-definition.json", definition)
        assert_valid("requests.json", every)
        assert_valid("request.json", one)
