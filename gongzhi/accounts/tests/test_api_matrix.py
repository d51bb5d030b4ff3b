"""Authorisation matrix for the accounts API, across every world actor."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gongzhi.accounts.actions import create_staff_user
from gongzhi.accounts.phone_codes import request_code
from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.accounts.tests.conftest import last_code
from gongzhi.testing.matrix import Case, check, matrix_params

ADMINS_SEE_ALL = {"system_admin": 200, "security_admin": 200}


def _all_users(w):
    return set(get_user_model().objects.values_list("pk", flat=True))


CASES = [
    Case(
        "users list",
        "get",
        lambda w: "/api/accounts/users/",
        allow=ADMINS_SEE_ALL,
        default=403,
        expect_ids={"system_admin": _all_users, "security_admin": _all_users},
    ),
    Case(
        "user detail, a resident",
        "get",
        lambda w: f"/api/accounts/users/{w.resident_c1.pk}/",
        allow={**ADMINS_SEE_ALL, "resident_c1": 200},
    ),
    Case(
        "create staff user",
        "post",
        lambda w: "/api/accounts/users/",
        body=lambda w: {"username": "wang.fang", "password": "Gongzhi-Neu-2026", "display_name": "王芳"},
        allow={"system_admin": 201},
        default=403,
    ),
    Case(
        "deactivate user",
        "post",
        lambda w: f"/api/accounts/users/{w.no_grant.pk}/deactivate/",
        allow={"system_admin": 200, "security_admin": 403, "no_grant": 403},
    ),
    Case(
        "unlock user",
        "post",
        lambda w: f"/api/accounts/users/{w.community_worker_c1.pk}/unlock/",
        allow={"security_admin": 200, "system_admin": 403, "community_worker_c1": 403},
    ),
    Case(
        "reset 2fa",
        "post",
        lambda w: f"/api/accounts/users/{w.community_worker_c1.pk}/reset-2fa/",
        allow={"security_admin": 200, "system_admin": 403, "community_worker_c1": 403},
    ),
    Case("me", "get", lambda w: "/api/accounts/me/", default=200),
    Case("me, preferences", "patch", lambda w: "/api/accounts/me/", body=lambda w: {"elder_mode": True}, default=200),
    Case(
        "phone code",
        "post",
        lambda w: "/api/accounts/phone-code/",
        body=lambda w: {"phone": "13712345678"},
        default=200,
        anonymous=200,
    ),
]


@pytest.mark.parametrize(("case", "actor"), matrix_params(CASES))
def test_accounts_matrix(world, client_for, case, actor):
    check(world, client_for, case, actor)


@pytest.mark.parametrize("actor", ["anonymous", "community_worker_c1", "resident_c3"])
def test_phone_login_is_open_to_everyone_and_writes_one_record(
    world, client_for, actor, django_capture_on_commit_callbacks
):
    # given a code sent to resident_c1's phone
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_code("13800000001")
    code = last_code(MemorySmsBackend.outbox, "13800000001")
    case = Case(
        "phone login",
        "post",
        lambda w: "/api/accounts/phone-login/",
        body=lambda w: {"phone": "13800000001", "code": code},
        default=200,
        anonymous=200,
    )
    # when anyone posts it, then they are signed in as that resident
    response = check(world, client_for, case, actor)
    assert response.json()["id"] == world.resident_c1.pk


def test_users_list_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for("security_admin")
    for i in range(20):
        create_staff_user(username=f"staff{i}", password="Gongzhi-Neu-2026", actor=world.system_admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/accounts/users/")
    assert response.json()["count"] == get_user_model().objects.count()


def test_me_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for("street_official_s1")
    with django_assert_max_num_queries(8):
        data = client.get("/api/accounts/me/").json()
    assert [r["role"] for r in data["roles"]] == ["street_official"]
    assert data["roles"][0]["area_name"] == world.s1.name


def test_create_user_with_a_weak_password_is_a_400_with_field_messages(world, client_for):
    response = client_for("system_admin").post(
        "/api/accounts/users/", {"username": "weak", "password": "password"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["fields"]


def test_deactivate_twice_is_a_coded_error(world, client_for):
    client = client_for("system_admin")
    client.post(f"/api/accounts/users/{world.no_grant.pk}/deactivate/")
    response = client.post(f"/api/accounts/users/{world.no_grant.pk}/deactivate/")
    assert (response.status_code, response.json()["code"]) == (400, "already_inactive")


def test_me_rejects_an_unknown_language(world, client_for):
    response = client_for("resident_c1").patch("/api/accounts/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["fields"]
