"""The resident phone sign-in pages and JSON API (browser tests rely on this contract)."""

from __future__ import annotations

from django.test import Client

from gongzhi.accounts.models import User
from gongzhi.accounts.tests.conftest import last_code

PHONE = "13912345678"


def test_phone_pages_sign_a_new_resident_in(db, outbox, django_capture_on_commit_callbacks):
    client = Client()
    page = client.get("/accounts/phone/").content.decode()
    assert 'autocomplete="tel"' in page
    assert 'name="phone"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/phone/", {"phone": PHONE})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/phone/verify/?phone={PHONE}"
    page = client.get(response["Location"]).content.decode()
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page
    assert f'value="{PHONE}"' in page
    response = client.post("/accounts/phone/verify/", {"phone": PHONE, "code": last_code(outbox, PHONE)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(User.objects.get(phone=PHONE).pk)


def test_phone_page_shows_errors_next_to_the_field(db):
    response = Client().post("/accounts/phone/", {"phone": "12345"})
    assert response.status_code == 400
    assert "id_phone_error" in response.content.decode()


def test_wrong_code_on_the_page_is_an_error_next_to_the_code(db, outbox, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/phone/", {"phone": PHONE})
    code = last_code(outbox, PHONE)
    response = client.post("/accounts/phone/verify/", {"phone": PHONE, "code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert "id_code_error" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_phone_api_signs_in(db, outbox, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/accounts/phone-code/", {"phone": PHONE}, content_type="application/json")
    assert response.status_code == 200
    response = client.post(
        "/api/accounts/phone-login/",
        {"phone": PHONE, "code": last_code(outbox, PHONE)},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["kind"] == "resident"
    assert client.get("/api/accounts/me/").json()["id"] == User.objects.get(phone=PHONE).pk


def test_phone_api_errors_have_codes(db, outbox):
    client = Client()
    bad = client.post("/api/accounts/phone-code/", {"phone": "1"}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "phone_invalid")
    client.post("/api/accounts/phone-code/", {"phone": PHONE}, content_type="application/json")
    again = client.post("/api/accounts/phone-code/", {"phone": PHONE}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (429, "code_throttled")
    wrong = client.post("/api/accounts/phone-login/", {"phone": PHONE, "code": "abc"}, content_type="application/json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "code_invalid")
    missing = client.post("/api/accounts/phone-login/", {}, content_type="application/json")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"phone", "code"}


def test_asking_again_within_the_minute_goes_to_the_code_page_with_the_first_code(
    db, outbox, django_capture_on_commit_callbacks
):
    # given: a code was sent, and the resident came back to the first page
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/phone/", {"phone": PHONE})
    code = last_code(outbox, PHONE)

    # when: they press "send" again within the resend window
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/phone/", {"phone": PHONE}, follow=True)

    # then: no second text, the code page, and the first code signs in
    assert len(outbox) == 1
    assert response.redirect_chain[-1][0] == f"/accounts/phone/verify/?phone={PHONE}"
    assert "刚刚已向这个号码发送验证码" in response.content.decode()
    signed_in = client.post("/accounts/phone/verify/", {"phone": PHONE, "code": code})
    assert signed_in["Location"] == "/"


def test_the_hourly_cap_stays_an_error_once_the_last_code_is_used(
    db, outbox, django_capture_on_commit_callbacks, settings
):
    # given: the cap is one code an hour and that code was used
    settings.GONGZHI_PHONE_CODE_MAX_PER_HOUR = 1
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/phone/", {"phone": PHONE})
    client.post("/accounts/phone/verify/", {"phone": PHONE, "code": last_code(outbox, PHONE)})

    # when
    response = Client().post("/accounts/phone/", {"phone": PHONE})

    # then: no code page to go to, the throttle message next to the field
    assert response.status_code == 400
    assert "id_phone_error" in response.content.decode()
