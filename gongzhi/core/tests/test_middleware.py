"""RequestContextMiddleware: X-Request-ID, client IP and user agent for every request."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from gongzhi.core import context
from gongzhi.core.middleware import RequestContextMiddleware, client_ip, request_id_for


def _run(**headers):
    seen = {}

    def view(request):
        seen["ctx"] = context.current()
        seen["request_id"] = request.request_id
        return HttpResponse("ok")

    request = RequestFactory().get("/", **headers)
    response = RequestContextMiddleware(view)(request)
    return response, seen


def test_every_response_gets_a_request_id_that_the_context_carries():
    response, seen = _run()

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] == seen["ctx"].request_id == seen["request_id"]
    assert seen["ctx"].source == "web"


def test_the_context_ends_with_the_request():
    _response, seen = _run()

    assert context.current().request_id != seen["ctx"].request_id


def test_a_safe_incoming_request_id_is_echoed():
    response, seen = _run(HTTP_X_REQUEST_ID="edge-proxy.abc_123-XYZ")

    assert response["X-Request-ID"] == "edge-proxy.abc_123-XYZ" == seen["ctx"].request_id


@pytest.mark.parametrize(
    "incoming",
    [
        "short",
        "x" * 65,
        "has space inside",
        "abcdefgh\n",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "中文请求编号abcdefgh",
    ],
)
def test_an_unsafe_incoming_request_id_is_replaced(incoming):
    replaced = request_id_for(incoming)

    assert replaced != incoming
    assert len(replaced) == 32


def test_ip_and_user_agent_are_captured():
    _response, seen = _run(REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500)

    assert seen["ctx"].ip == "192.0.2.7"
    assert len(seen["ctx"].user_agent) == 400


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"}, "203.0.113.9"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": "garbage"}, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
        ({"REMOTE_ADDR": ""}, None),
    ],
)
def test_client_ip(headers, expected):
    request = RequestFactory().get("/", **headers)
    if not headers.get("REMOTE_ADDR"):
        request.META.pop("REMOTE_ADDR", None)

    assert client_ip(request) == expected
