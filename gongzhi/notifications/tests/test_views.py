"""The notification pages: matrix, behaviour, header bell, query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.audit.models import ChangeRecord
from gongzhi.notifications.models import Preference, QuietHours
from gongzhi.notifications.registry import groups
from gongzhi.notifications.tests.factories import notice
from gongzhi.testing.matrix import Case, check, matrix_params


@pytest.fixture
def page_client(world):
    def make(actor):
        client = Client()
        if actor != "anonymous":
            client.force_login(world.users[actor])
        return client

    return make


def _resident_notice(suffix):
    return lambda w: f"/notifications/{notice(w.resident_c1, url='/work-orders/mine/').pk}/{suffix}"


CASES = [
    Case("page", "get", lambda w: "/notifications/", default=200, anonymous=302),
    Case("badge", "get", lambda w: "/notifications/badge/", default=200, anonymous=302),
    Case("preferences page", "get", lambda w: "/notifications/preferences/", default=200, anonymous=302),
    Case("open resident_c1's notice", "post", _resident_notice("open/"), allow={"resident_c1": 302}, anonymous=302),
    Case(
        "mark resident_c1's notice read", "post", _resident_notice("read/"), allow={"resident_c1": 302}, anonymous=302
    ),
    Case("mark all read", "post", lambda w: "/notifications/read-all/", default=302, anonymous=302),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, page_client, case, actor):
    if case.method == "get":
        check(world, page_client, case, actor)
        return
    # A page write succeeds with a redirect (the harness counts 3xx as refused): one change
    # record when it succeeded, none for the sign-in redirect or a 404.
    before = ChangeRecord.objects.count()
    response = page_client(actor).post(case.url(world))
    assert response.status_code == case.expected(actor)
    succeeded = actor != "anonymous" and response.status_code == 302
    assert ChangeRecord.objects.count() - before == (1 if succeeded else 0)
    if actor == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_page_lists_own_notices_escaped_and_marks_read(world, page_client):
    client = page_client("resident_c1")
    row = notice(world.resident_c1, title="<script>alert(1)</script>漏水", url="/work-orders/mine/")
    other = notice(world.resident_c3, title="别人的通知")
    html = client.get("/notifications/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;漏水" in html
    assert "<script>alert(1)" not in html
    assert "别人的通知" not in html
    response = client.post(f"/notifications/{row.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/work-orders/mine/"
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    assert client.get("/notifications/read-all/").status_code == 405


def test_open_does_not_redirect_off_site(world, page_client):
    row = notice(world.resident_c1, url="https://evil.example/phish")
    response = page_client("resident_c1").post(f"/notifications/{row.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_header_bell_and_badge(world, page_client):
    client = page_client("resident_c1")
    html = client.get("/").content.decode()
    assert 'data-testid="notification-bell"' in html
    assert 'hx-get="/notifications/badge/"' in html
    assert "unread-count" not in client.get("/notifications/badge/").content.decode()
    for _ in range(2):
        notice(world.resident_c1)
    assert (
        '<span class="nt-bell__count" data-testid="unread-count">2</span>'
        in client.get("/notifications/badge/").content.decode()
    )
    assert 'data-testid="notification-bell"' not in page_client("anonymous").get("/").content.decode()


def test_preferences_form_saves_through_the_action(world, page_client):
    client = page_client("resident_c1")
    assert 'data-group="work_orders"' in client.get("/notifications/preferences/").content.decode()
    before = ChangeRecord.objects.count()
    # groups other domains register keep their default (the form asks for every group's mode)
    others = {f"{g.key}__mode": "immediate" for g in groups() if g.configurable}
    response = client.post(
        "/notifications/preferences/",
        {
            **others,
            "work_orders__mode": "digest",
            "work_orders__in_app": "on",
            "work_orders__email": "on",
            "testing__mode": "off",
            "quiet_start": "22:30",
            "quiet_end": "06:30",
        },
    )
    assert response.status_code == 302
    assert ChangeRecord.objects.count() == before + 1
    pref = Preference.objects.get(user=world.resident_c1, group="work_orders")
    assert (pref.mode, pref.in_app, pref.sms, pref.email) == ("digest", True, False, True)
    assert QuietHours.objects.get(user=world.resident_c1).end.hour == 6


@pytest.mark.parametrize(
    "data",
    [
        {"work_orders__mode": "sometimes", "testing__mode": "off"},
        {"work_orders__mode": "off", "testing__mode": "off", "quiet_start": "22:00"},
        {"work_orders__mode": "off", "testing__mode": "off", "quiet_start": "22:00", "quiet_end": "22:00"},
    ],
)
def test_bad_preferences_re_render_with_400(world, page_client, data):
    before = ChangeRecord.objects.count()
    response = page_client("resident_c1").post("/notifications/preferences/", data)
    assert response.status_code == 400
    assert ChangeRecord.objects.count() == before


def test_page_query_count_does_not_grow_with_rows(world, page_client, django_assert_max_num_queries):
    client = page_client("community_worker_c1")
    notice(world.community_worker_c1)
    client.get("/notifications/")
    for i in range(40):
        notice(world.community_worker_c1, title=f"n{i}")
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200
