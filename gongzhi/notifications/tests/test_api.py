"""The notifications API: authorisation matrix, behaviour, hostile input, query counts."""

from __future__ import annotations

import pytest

from gongzhi.notifications.models import Notification, Preference, QuietHours
from gongzhi.notifications.tests.factories import notice
from gongzhi.testing.matrix import Case, check, matrix_params
from gongzhi.testing.world import ACTORS

URL = "/api/notifications/"
SIGNED_IN = [a for a in ACTORS if a != "anonymous"]


def _resident_notice_url(suffix=""):
    return lambda w: f"{URL}{notice(w.resident_c1).pk}/{suffix}"


def _everyone_has_one(w):
    for actor in SIGNED_IN:
        notice(w.users[actor], title=f"for {actor}")
    return URL


def _own(actor):
    return lambda w: set(Notification.objects.filter(recipient=w.users[actor]).values_list("id", flat=True))


CASES = [
    Case(
        "list: own notices only",
        "get",
        _everyone_has_one,
        default=200,
        expect_ids={actor: _own(actor) for actor in SIGNED_IN},
    ),
    Case("detail of resident_c1's notice", "get", _resident_notice_url(), allow={"resident_c1": 200}),
    Case("mark resident_c1's notice read", "post", _resident_notice_url("read/"), allow={"resident_c1": 200}),
    Case("mark all read", "post", lambda w: f"{URL}read-all/", default=200),
    Case("unread count", "get", lambda w: f"{URL}unread-count/", default=200),
    Case("preferences", "get", lambda w: f"{URL}preferences/", default=200),
    Case(
        "update preferences",
        "put",
        lambda w: f"{URL}preferences/",
        body=lambda w: {"groups": [{"group": "work_orders", "mode": "digest", "sms": True}]},
        default=200,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


def test_unread_count_and_filter(world, client_for):
    client = client_for("resident_c1")
    rows = [notice(world.resident_c1, title=f"n{i}") for i in range(3)]
    notice(world.resident_c3)
    assert client.get(f"{URL}unread-count/").json() == {"unread": 3}
    response = client.post(f"{URL}{rows[0].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert client.get(f"{URL}unread-count/").json() == {"unread": 2}
    unread = client.get(f"{URL}?unread=1").json()
    assert {r["id"] for r in unread["results"]} == {rows[1].pk, rows[2].pk}
    assert client.post(f"{URL}read-all/").json() == {"marked_read": 2}
    assert client.get(f"{URL}unread-count/").json() == {"unread": 0}


def test_hostile_titles_come_back_as_data(world, client_for):
    notice(world.resident_c1, title="<script>alert(1)</script>🚨")
    [row] = client_for("resident_c1").get(URL).json()["results"]
    assert row["title"] == "<script>alert(1)</script>🚨"
    assert row["kind_label"] == "Ping"


def test_preferences_round_trip_and_patch_keeps_quiet_hours(world, client_for):
    client = client_for("resident_c1")
    data = client.get(f"{URL}preferences/").json()
    assert {"group": "work_orders", "mode": "immediate", "in_app": True, "sms": False, "email": False}.items() <= next(
        g for g in data["groups"] if g["group"] == "work_orders"
    ).items()
    assert "notifications" not in {g["group"] for g in data["groups"]}  # not configurable
    response = client.put(
        f"{URL}preferences/",
        {"groups": [{"group": "work_orders", "mode": "off"}], "quiet_start": "22:00", "quiet_end": "07:00"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["quiet_start"] == "22:00:00"
    response = client.patch(f"{URL}preferences/", {"groups": [{"group": "work_orders", "email": True}]}, format="json")
    assert response.status_code == 200
    pref = Preference.objects.get(user=world.resident_c1, group="work_orders")
    assert (pref.mode, pref.email) == ("off", True)
    assert QuietHours.objects.filter(user=world.resident_c1).exists()


@pytest.mark.parametrize(
    ("body", "field_or_code"),
    [
        ({"groups": [{"group": "work_orders", "mode": "sometimes"}]}, "groups"),
        ({"groups": "all"}, "groups"),
        ({"groups": [{"group": "work_orders"}, {"group": "work_orders"}]}, "groups"),
        ({"groups": [{"group": "x" * 500}]}, "groups"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"groups": [{"group": "nope"}]}, "unknown_group"),
        ({"quiet_start": "22:00"}, "quiet_hours_incomplete"),
    ],
)
def test_bad_preferences_are_400(world, client_for, body, field_or_code):
    response = client_for("resident_c1").put(f"{URL}preferences/", body, format="json")
    assert response.status_code == 400, response.content
    assert field_or_code in response.content.decode()
    assert not Preference.objects.filter(user=world.resident_c1).exists()


def test_other_users_notice_is_404_for_read(world, client_for):
    row = notice(world.resident_c3)
    assert client_for("resident_c1").post(f"{URL}{row.pk}/read/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for("resident_c1")
    notice(world.resident_c1)
    client.get(URL)
    for i in range(30):
        notice(world.resident_c1, title=f"n{i}")
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(4):
        client.get(f"{URL}unread-count/")
    with django_assert_max_num_queries(5):
        client.get(f"{URL}preferences/")
