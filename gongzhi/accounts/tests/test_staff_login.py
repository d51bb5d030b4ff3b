"""Staff sign-in: password, TOTP second factor, lockout, idle timeout, password rules."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts.validators import ComplexityValidator
from gongzhi.testing.world import PASSWORD

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def _token(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def _session_user(client: Client) -> object:
    return client.session.get("_auth_user_id")


def test_login_page_is_accessible(db):
    response = Client().get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert '<label class="field__label" for="id_username">' in html


def test_staff_sign_in_with_password(world):
    client = Client()
    response = _login(client, "community_worker_c1")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _session_user(client) == str(world.community_worker_c1.pk)


def test_wrong_password_shows_an_error_next_to_the_form(world):
    response = _login(Client(), "community_worker_c1", "wrong-password")
    assert response.status_code == 200
    assert "form__errors" in response.content.decode()


def test_residents_may_not_sign_in_with_a_password(world):
    resident = world.resident_c1
    resident.set_password(PASSWORD)  # even if one were set somehow
    resident.save(update_fields=["password"])
    client = Client()
    response = _login(client, "resident_c1")
    assert response.status_code == 200
    assert _session_user(client) is None


def test_staff_with_a_device_must_give_a_totp_token(world):
    user = world.community_worker_c1
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client = Client()
    # when the password is right
    response = _login(client, user.username)
    # then the session is not signed in yet
    assert response["Location"] == "/accounts/login/otp/"
    assert _session_user(client) is None
    assert client.get("/api/accounts/me/").status_code == 403
    # a wrong token is refused
    wrong = f"{(int(_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/login/otp/", {"otp_token": wrong})
    assert response.status_code == 400
    assert 'autocomplete="one-time-code"' in response.content.decode()
    assert 'inputmode="numeric"' in response.content.decode()
    assert _session_user(client) is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()  # as if django-otp's back-off had passed
    # the right token completes the sign-in and verifies the session
    response = client.post("/accounts/login/otp/", {"otp_token": _token(device)})
    assert response.status_code == 302
    assert _session_user(client) == str(user.pk)
    me = client.get("/api/accounts/me/").json()
    assert me["two_factor"] == {"enrolled": True, "verified": True}


def test_otp_page_without_a_pending_sign_in_goes_back_to_login(db):
    response = Client().get("/accounts/login/otp/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN


@override_settings(GONGZHI_REQUIRE_STAFF_2FA=True)
def test_required_2fa_sends_staff_without_a_device_to_enrolment(world):
    user = world.street_official_s1
    client = Client()
    response = _login(client, user.username)
    assert response["Location"] == "/accounts/2fa/setup/"
    assert _session_user(client) is None
    page = client.get("/accounts/2fa/setup/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"otp_token": _token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert _session_user(client) == str(user.pk)


def test_signed_in_staff_can_enrol_voluntarily_and_a_wrong_token_keeps_it_unconfirmed(world, client_for):
    client = Client()
    client.force_login(world.grid_worker_g1)
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=world.grid_worker_g1)
    wrong = f"{(int(_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/setup/", {"otp_token": wrong})
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed


def test_residents_have_no_2fa_enrolment(world):
    client = Client()
    client.force_login(world.resident_c1)
    assert client.get("/accounts/2fa/setup/").status_code == 403


def test_lockout_after_failure_limit_and_cool_off(world):
    user = world.community_worker_c1
    client = Client()
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "wrong-password")
    # then even the right password is refused, with a clear message
    response = _login(client, user.username)
    assert response.status_code == 429
    assert 'data-testid="locked"' in response.content.decode()
    assert _session_user(client) is None
    # another user name is not locked
    assert _login(Client(), "community_worker_c3")["Location"] == "/"
    # after the cool-off the right password works again
    AccessAttempt.objects.filter(username=user.username).update(
        attempt_time=AccessAttempt.objects.get(username=user.username).attempt_time
        - settings.AXES_COOLOFF_TIME
        - timedelta(seconds=1)
    )
    response = _login(client, user.username)
    assert response.status_code == 302
    assert _session_user(client) == str(user.pk)


def _age_session(client: Client, seconds: int) -> None:
    session = client.session
    session["gongzhi_last_seen"] = time.time() - seconds
    session.save()


def test_staff_are_signed_out_after_30_idle_minutes_with_a_message(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    assert client.get("/api/accounts/me/").status_code == 200
    _age_session(client, settings.GONGZHI_STAFF_IDLE_TIMEOUT + 1)
    assert client.get("/api/accounts/me/").status_code == 403
    page = client.get(LOGIN).content.decode()
    assert "message--warning" in page
    # the message is shown once
    assert "message--warning" not in client.get(LOGIN).content.decode()


def test_active_staff_stay_signed_in(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    client.get("/api/accounts/me/")
    _age_session(client, settings.GONGZHI_STAFF_IDLE_TIMEOUT - 60)
    assert client.get("/api/accounts/me/").status_code == 200


def test_staff_activity_is_written_to_the_session_at_most_once_a_minute(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    # given activity recorded 30 s ago
    _age_session(client, 30)
    recorded = client.session["gongzhi_last_seen"]
    # when another page follows, the session is not rewritten
    assert client.get("/api/accounts/me/").status_code == 200
    assert client.session["gongzhi_last_seen"] == recorded
    # but after more than a minute the new activity is recorded
    _age_session(client, 90)
    assert client.get("/api/accounts/me/").status_code == 200
    assert time.time() - client.session["gongzhi_last_seen"] < 30


def test_background_refreshes_do_not_keep_an_idle_staff_session_alive(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    client.get("/api/accounts/me/")
    _age_session(client, settings.GONGZHI_STAFF_IDLE_TIMEOUT - 60)
    badge = client.get("/notifications/badge/", headers={"X-Gongzhi-Background": "1", "HX-Request": "true"})
    assert badge.status_code == 200
    assert time.time() - client.session["gongzhi_last_seen"] > settings.GONGZHI_STAFF_IDLE_TIMEOUT - 120
    _age_session(client, settings.GONGZHI_STAFF_IDLE_TIMEOUT + 1)
    assert client.get("/notifications/badge/", headers={"X-Gongzhi-Background": "1"}).status_code == 302  # to login


def test_residents_have_no_idle_timeout(world):
    client = Client()
    client.force_login(world.resident_c1)
    client.get("/api/accounts/me/")
    _age_session(client, settings.GONGZHI_STAFF_IDLE_TIMEOUT + 60)
    assert client.get("/api/accounts/me/").status_code == 200


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("alllowercase", False),
        ("ALLUPPER123", False),
        ("lower123456", False),
        ("Lower123456", True),
        ("lower-case-1", True),
    ],
)
def test_complexity_validator_wants_three_character_classes(password, ok):
    if ok:
        ComplexityValidator().validate(password)
    else:
        with pytest.raises(ValidationError) as err:
            ComplexityValidator().validate(password)
        assert err.value.error_list[0].code == "password_too_simple"


def test_password_validators_are_configured_for_staff(world):
    with pytest.raises(ValidationError) as err:
        validate_password("short1A", user=world.community_worker_c1)
    assert {e.code for e in err.value.error_list} >= {"password_too_short"}


def test_password_change_enforces_the_validators(world):
    user = world.community_worker_c1
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert 'autocomplete="new-password"' in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "simplepassword", "new_password2": "simplepassword"},
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Neu-Passwort-77", "new_password2": "Neu-Passwort-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Neu-Passwort-77")
    assert client.get("/api/accounts/me/").status_code == 200  # still signed in


def test_password_change_needs_the_current_password(world):
    client = Client()
    client.force_login(world.community_worker_c1)
    response = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Neu-Passwort-77", "new_password2": "Neu-Passwort-77"},
    )
    assert response.status_code == 400
    assert "id_old_password_error" in response.content.decode()
