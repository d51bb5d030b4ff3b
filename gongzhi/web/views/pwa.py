"""The installable web app (PWA): manifest, service worker and the offline page.

Residents add Gongzhi to their phone's home screen from the browser; it then opens full
screen with its own icon. The service worker does one thing: when the phone is offline, a
page load shows a short offline page instead of the browser's error. It caches that page and
the style sheet only — never a page with personal data, never an API answer — and every
other request goes to the network as if there were no worker. The cache name carries a
digest of what it caches, so a release that changes them replaces the old cache."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOR = "#b42318"  # --c-primary in gongzhi.css
CSS = "web/css/gongzhi.css"


@functools.cache
def cache_version() -> str:
    """A digest of the cached files (the style sheet and the offline page's templates)."""
    digest = hashlib.sha256()
    css = finders.find(CSS)
    digest.update(Path(str(css)).read_bytes() if css else b"")
    for name in ("web/pwa/offline.html", "web/standalone.html"):
        origin = get_template(name).origin.name  # type: ignore[attr-defined]
        digest.update(Path(origin).read_bytes())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": _("Gongzhi community governance"),
            "short_name": _("Gongzhi"),
            "description": _("Raise needs, follow your requests and take part in your community's decisions."),
            "lang": "zh-Hans" if (get_language() or settings.LANGUAGE_CODE) == "zh-hans" else "en",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOR,
            "icons": [
                {"src": static("web/img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("web/img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("web/img/icon-512-maskable.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": static("web/img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "web/pwa/sw.js",
        {
            "cache_name": f"gongzhi-offline-{cache_version()}",
            "offline_url": "/offline/",
            "css_url": static(CSS),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Cached by the service worker and shown when a page cannot load: no user, no data."""
    return render(request, "web/pwa/offline.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """``/favicon.ico``, which browsers and bookmark tools ask for without reading the page."""
    return HttpResponsePermanentRedirect(static("web/img/favicon.svg"))
