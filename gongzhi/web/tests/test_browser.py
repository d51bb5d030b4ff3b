"""Browser tests: Playwright drives Debian's chromium against the live server.

Every page is checked for console errors (a CSP violation is one) and for requests
leaving 127.0.0.1. Screenshots land in test-artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.testing.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to
    # run in a thread with a loop unless told that this is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """One browser context (a person on one device) with its guards."""

    def __init__(self, browser: Any, base_url: str, *, viewport: dict[str, int], locale: str, js: bool) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            viewport=viewport, locale=locale, java_script_enabled=js, base_url=base_url, service_workers="block"
        )
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r".*"), self._route)
        self.page = self.context.new_page()
        self.page.on("request", self._on_request)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if parts.hostname not in LOCAL_HOSTS:
            self.foreign.append(request.url)

    def _route(self, route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in {"http", "https"} and parts.hostname not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def check(self) -> None:
        assert self.foreign == [], f"requests left 127.0.0.1: {self.foreign}"
        assert self.errors == [], f"browser errors: {self.errors}"

    def close(self) -> None:
        self.context.close()

    def shot(self, name: str) -> None:
        """Phone shots show the screen as a phone does (fixed tab bar at the bottom);
        desktop shots show the whole page."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("window.scrollTo(0, 0)")
        full = (self.page.viewport_size or PHONE)["width"] > PHONE["width"]
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)

    # --- flows -------------------------------------------------------------------------
    def submit(self) -> None:
        self.page.locator("main form button[type=submit]").first.click()

    def staff_login(self, username: str) -> None:
        page = self.page
        page.goto("/accounts/login/")
        self.shot("staff-sign-in")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        self.submit()
        page.wait_for_url(f"{self.base_url}/")

    def resident_login(self, phone: str) -> None:
        page = self.page
        MemorySmsBackend.outbox.clear()
        page.goto("/")
        page.get_by_test_id("resident-login").click()
        page.wait_for_url(re.compile(r"/accounts/phone/$"))
        self.shot("phone-sign-in-phone")
        page.fill("input[name=phone]", phone)
        self.submit()
        page.wait_for_url(re.compile(r"/accounts/phone/verify/"))
        messages = [text for to, text in MemorySmsBackend.outbox if to == phone]
        assert messages, f"no code was sent to {phone}"
        code = re.search(r"(?<!\d)(\d{6})(?!\d)", messages[-1])
        assert code, messages[-1]
        page.fill("input[name=code]", code.group(1))
        self.submit()
        page.wait_for_url(f"{self.base_url}/")

    def sign_out(self) -> None:
        page = self.page
        page.locator("summary.user-menu__summary").click()
        page.locator(".user-menu__panel button[type=submit]").click()
        page.wait_for_url(f"{self.base_url}/")

    def area_codes(self) -> set[str]:
        return set(self.page.locator("[data-area-code]").evaluate_all("nodes => nodes.map(n => n.dataset.areaCode)"))


@pytest.fixture
def world_live(live_server: Any) -> World:
    return build_world()


@pytest.fixture
def open_session(browser: Any, live_server: Any) -> Iterator[Any]:
    sessions: list[Session] = []

    def make(*, viewport: dict[str, int] = PHONE, locale: str = "zh-CN", js: bool = True) -> Session:
        session = Session(browser, live_server.url, viewport=viewport, locale=locale, js=js)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


def test_resident_signs_in_with_a_phone_code_and_sees_their_community(world_live, open_session):
    # given
    session = open_session()
    session.page.goto("/")
    session.shot("landing-phone-zh")
    # when
    session.resident_login(world_live.resident_c1.phone)
    # then
    page = session.page
    assert page.get_by_test_id("community-name").inner_text() == "科技园社区"
    assert page.locator(".breadcrumb").inner_text().count("粤海街道") == 1
    assert page.locator(".tabbar a[aria-current=page]").inner_text().strip() == "首页"
    session.shot("resident-home-phone-zh")
    page.locator(".tabbar a", has_text="办事").click()
    page.wait_for_url(re.compile(r"/services/$"))
    session.shot("resident-services-phone-zh")
    session.check()


def test_grid_worker_sees_only_their_grid(world_live, open_session):
    # given
    session = open_session(viewport=DESKTOP)
    # when
    session.staff_login("grid_worker_g1")
    # then
    assert session.area_codes() == {world_live.g1.code}
    assert session.page.get_by_test_id("stat-grids").inner_text() == "1"
    assert session.page.locator(".console-nav").is_visible()
    session.shot("console-grid-worker-desktop-zh")
    session.check()


def test_street_official_sees_their_street_and_communities_not_the_other_street(world_live, open_session):
    # given
    session = open_session(viewport=DESKTOP)
    # when
    session.staff_login("street_official_s1")
    # then
    w = world_live
    codes = session.area_codes()
    assert {w.s1.code, w.c1.code, w.c2.code} <= codes
    assert codes.isdisjoint({w.s2.code, w.c3.code, w.g4.code})
    text = session.page.locator("main").inner_text()
    assert "粤海街道" in text
    assert "沙河街道" not in text
    session.shot("console-street-official-desktop-zh")
    session.page.set_viewport_size(PHONE)
    session.shot("console-street-official-phone-zh")
    session.check()


def test_elder_mode_toggles_and_persists_across_a_new_login(world_live, open_session, settings):
    # given a resident on a phone (who may ask for a second code straight away)
    settings.GONGZHI_PHONE_CODE_RESEND_SECONDS = 0
    session = open_session()
    session.resident_login(world_live.resident_c1.phone)
    page = session.page
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    # when elder mode is switched on
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_selector("html.elder")
    page.wait_for_load_state("load")  # the reloaded page's stylesheet applied, not only its <html> parsed
    # then type is at least 20px and the toggle says so
    elder_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder_size >= 20 > normal_size
    assert page.get_by_test_id("elder-toggle").get_attribute("aria-pressed") == "true"
    session.shot("resident-home-phone-zh-elder")
    # when they sign out and sign in again on another device
    session.sign_out()
    other = open_session()
    other.resident_login(world_live.resident_c1.phone)
    # then elder mode is still on
    assert other.page.locator("html.elder").count() == 1
    # and switching it off sticks too
    other.page.get_by_test_id("elder-toggle").click()
    other.page.wait_for_selector("html:not(.elder)")
    other.page.reload()
    assert other.page.locator("html.elder").count() == 0
    session.check()
    other.check()


def test_elder_mode_works_without_javascript(world_live, open_session):
    # given a visitor whose browser runs no scripts
    session = open_session(js=False)
    session.page.goto("/")
    # when
    session.page.get_by_test_id("elder-toggle").click()
    session.page.wait_for_url(f"{session.base_url}/")
    # then the cookie keeps it on
    assert session.page.locator("html.elder").count() == 1
    assert any(c["name"] == "gongzhi_elder" and c["value"] == "1" for c in session.context.cookies())
    session.shot("landing-phone-zh-elder")
    session.check()


def test_language_switch_turns_the_page_to_english_and_back(world_live, open_session):
    # given a street official on a desktop, in Chinese
    session = open_session(viewport=DESKTOP)
    session.staff_login("street_official_s1")
    page = session.page
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "我的辖区"
    # when
    page.get_by_test_id("language-en").click()
    page.wait_for_selector("html[lang=en]")
    # then
    assert page.locator("h1").inner_text() == "My scope"
    assert page.get_by_test_id("language-en").get_attribute("aria-pressed") == "true"
    session.shot("console-street-official-desktop-en")
    # and the choice is saved on the account
    world_live.street_official_s1.refresh_from_db()
    assert world_live.street_official_s1.language == "en"
    # when switching back
    page.get_by_test_id("language-zh-hans").click()
    page.wait_for_selector("html[lang=zh-Hans]")
    # then
    assert page.locator("h1").inner_text() == "我的辖区"
    session.check()


def test_language_switch_without_javascript_uses_django_set_language(world_live, open_session):
    # given
    session = open_session(js=False)
    session.page.goto("/")
    # when
    session.page.get_by_test_id("language-en").click()
    session.page.wait_for_url(f"{session.base_url}/")
    # then
    assert session.page.locator("html").get_attribute("lang") == "en"
    assert session.page.get_by_test_id("resident-login").inner_text().strip() == "Resident sign in"
    session.shot("landing-phone-en")
    session.check()


def test_keyboard_user_can_skip_to_main_content(world_live, open_session):
    # given
    session = open_session(viewport=DESKTOP)
    session.page.goto("/")
    # when
    session.page.keyboard.press("Tab")
    focused = session.page.evaluate("document.activeElement.className")
    session.page.keyboard.press("Enter")
    # then
    assert focused == "skip-link"
    assert session.page.evaluate("document.activeElement.id") == "main"
    session.check()
