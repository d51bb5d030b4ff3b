"""Elder mode and language preferences: cookie for visitors, saved on the account for users."""

from __future__ import annotations

import pytest
from django.conf import settings

from gongzhi.audit.models import ChangeRecord

pytestmark = pytest.mark.django_db

ELDER_URL = "/preferences/elder-mode/"
LANGUAGE_URL = "/preferences/language/"


def test_anonymous_elder_mode_is_a_cookie_and_changes_the_page(page_client):
    # given
    client = page_client()
    # when
    response = client.post(ELDER_URL, {"elder_mode": "1", "next": "/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["gongzhi_elder"].value == "1"
    html = client.get("/").content.decode()
    assert 'class="elder"' in html
    assert ChangeRecord.objects.count() == 0


def test_anonymous_elder_mode_off_deletes_the_cookie(page_client):
    # given
    client = page_client()
    client.post(ELDER_URL, {"elder_mode": "1"})
    # when
    response = client.post(ELDER_URL, {"elder_mode": "0"})
    # then
    assert response.cookies["gongzhi_elder"].value == ""
    assert 'class="elder"' not in client.get("/").content.decode()


def test_signed_in_elder_mode_is_saved_on_the_user_with_one_change_record(world, page_client):
    # given
    user = world.resident_c1
    client = page_client("resident_c1")
    # when
    response = client.post(ELDER_URL, {"elder_mode": "1", "next": "/me/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    user.refresh_from_db()
    assert user.elder_mode is True
    record = ChangeRecord.objects.get()
    assert record.verb == "update_preferences"
    assert record.actor_id == user.pk


def test_saved_elder_mode_follows_the_user_to_a_new_session(world, page_client):
    # given elder mode saved in one session
    page_client("grid_worker_g1").post(ELDER_URL, {"elder_mode": "1"})
    # when the same user signs in elsewhere, with no cookie
    html = page_client("grid_worker_g1").get("/").content.decode()
    # then
    assert 'class="elder"' in html
    assert "elder-toggle" in html


def test_elder_toggle_with_htmx_asks_for_a_refresh(world, page_client):
    # when
    response = page_client("resident_c1").post(ELDER_URL, {"elder_mode": "1"}, headers={"HX-Request": "true"})
    # then
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert response.cookies["gongzhi_elder"].value == "1"


def test_unsafe_next_url_falls_back_to_home(page_client):
    # when
    response = page_client().post(ELDER_URL, {"elder_mode": "1", "next": "https://evil.example/"})
    # then
    assert response["Location"] == "/"


@pytest.mark.parametrize("url", [ELDER_URL, LANGUAGE_URL])
def test_preferences_refuse_get(page_client, url):
    assert page_client().get(url).status_code == 405


@pytest.mark.parametrize(("url", "data"), [(ELDER_URL, {"elder_mode": "1"}), (LANGUAGE_URL, {"language": "en"})])
def test_preferences_need_csrf_token(world, page_client, url, data):
    # given
    client = page_client("resident_c1", enforce_csrf_checks=True)
    # when
    response = client.post(url, data)
    # then
    assert response.status_code == 403
    assert ChangeRecord.objects.count() == 0


def test_signed_in_language_is_saved_and_sets_the_cookie(world, page_client):
    # given
    client = page_client("street_official_s1")
    # when
    response = client.post(LANGUAGE_URL, {"language": "en", "next": "/"})
    # then
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user = world.street_official_s1
    user.refresh_from_db()
    assert user.language == "en"
    assert ChangeRecord.objects.filter(verb="update_preferences").count() == 1
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "My scope" in html


def test_saved_language_applies_in_a_new_session_without_cookie(world, page_client):
    # given
    page_client("street_official_s1").post(LANGUAGE_URL, {"language": "en"})
    # when
    html = page_client("street_official_s1").get("/").content.decode()
    # then
    assert '<html lang="en"' in html


def test_anonymous_language_switch_through_django_set_language(page_client):
    # given
    client = page_client()
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # then
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Resident sign in" in html


def test_anonymous_language_switch_through_preferences_needs_no_account(page_client):
    # when
    response = page_client().post(LANGUAGE_URL, {"language": "en"})
    # then
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert ChangeRecord.objects.count() == 0


@pytest.mark.parametrize("language", ["fr", "", "zh-hant"])
def test_unknown_language_is_a_400(world, page_client, language):
    # when
    response = page_client("resident_c1").post(LANGUAGE_URL, {"language": language})
    # then
    assert response.status_code == 400
    assert ChangeRecord.objects.count() == 0


def test_footer_posts_signed_in_users_to_preferences_and_visitors_to_set_language(world, page_client):
    # then
    assert 'action="/i18n/setlang/"' in page_client().get("/").content.decode()
    assert 'action="/preferences/language/"' in page_client("resident_c1").get("/").content.decode()
