"""The installable web app: manifest, icons, service worker, offline page, favicon."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_site_installable(page_client: Callable[..., Client]) -> None:
    response = page_client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["short_name"] == "共治"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes  # what Android asks for before offering "install"
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_manifest_speaks_english_to_an_english_browser(page_client: Callable[..., Client]) -> None:
    manifest = page_client().get("/manifest.webmanifest", headers={"accept-language": "en"}).json()
    assert manifest["short_name"] == "Gongzhi"
    assert manifest["lang"] == "en"


def test_every_page_links_the_manifest_icon_and_theme(page_client: Callable[..., Client]) -> None:
    page = page_client("resident_c1").get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="icon"' in page
    assert 'name="theme-color"' in page


def test_the_service_worker_caches_only_the_offline_page_and_its_style_sheet(
    page_client: Callable[..., Client],
) -> None:
    response = page_client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'var PRECACHE = [OFFLINE_URL, "/static/web/css/gongzhi.css"];' in script
    assert 'var OFFLINE_URL = "/offline/";' in script
    assert "cache.put" not in script  # nothing fetched later is ever stored
    assert 'request.method !== "GET"' in script


def test_the_offline_page_carries_no_user_data(page_client: Callable[..., Client]) -> None:
    response = page_client("resident_c1").get("/offline/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="offline-page"' in body
    assert "网络" in body
    assert "user-menu" not in body  # the same page is cached for whoever opens it next


def test_favicon_ico_points_at_the_icon(page_client: Callable[..., Client]) -> None:
    response = page_client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/img/favicon.svg"
