"""The site's own error pages (in the user's language, with a way home) and the API's JSON
error body for paths that do not exist."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory

from gongzhi.web.views import errors

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_chinese_404_with_the_site_header_and_a_way_home(
    page_client: Callable[..., Client],
) -> None:
    response = page_client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'data-testid="error-page"' in body
    assert 'class="site-header"' in body  # the site's layout, not Django's bare page
    assert 'href="/"' in body


def test_the_404_page_speaks_english_to_an_english_browser(page_client: Callable[..., Client]) -> None:
    response = page_client().get("/no-such-page/", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "页面不存在" not in response.content.decode()


def test_an_unknown_api_path_answers_the_api_error_body(page_client: Callable[..., Client]) -> None:
    response = page_client().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_an_unknown_open311_path_answers_georeport_errors_in_its_format(page_client: Callable[..., Client]) -> None:
    as_json = page_client().get("/open311/v2/no-such-thing.json")
    assert as_json.status_code == 404
    assert as_json.json() == [{"code": 404, "description": "Not found."}]
    as_xml = page_client().get("/open311/v2/no-such-thing.xml")
    assert as_xml.status_code == 404
    assert as_xml["Content-Type"].startswith("text/xml")
    assert b"<errors><error><code>404</code>" in as_xml.content


def test_a_page_the_role_may_not_see_is_a_403_page_that_says_so(page_client: Callable[..., Client]) -> None:
    response = page_client("resident_c1").get("/work-orders/")  # the staff inbox
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body
    assert "联系管理员" in body


def test_a_form_sent_without_its_csrf_token_gets_the_expired_page(page_client: Callable[..., Client]) -> None:
    client = page_client("resident_c1", enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_api_gets_json_for_a_csrf_failure_too() -> None:
    request = RequestFactory().post("/api/work-orders/")
    response = errors.csrf_failure(request, reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert b'"csrf_failed"' in response.content


def test_the_500_page_renders_without_request_context_and_the_api_gets_json() -> None:
    page = errors.server_error(RequestFactory().get("/somewhere/"))
    assert page.status_code == 500
    assert "出错了" in page.content.decode()
    api = errors.server_error(RequestFactory().get("/api/work-orders/"))
    assert api.status_code == 500
    assert b'"server_error"' in api.content


def test_a_bad_request_page_and_its_api_body() -> None:
    page = errors.bad_request(RequestFactory().get("/x/"))
    assert page.status_code == 400
    assert "请求有误" in page.content.decode()
    assert errors.bad_request(RequestFactory().get("/api/x/")).status_code == 400
