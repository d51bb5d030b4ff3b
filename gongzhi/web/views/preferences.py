"""Per-user UI preferences: elder mode and language. They work with and without htmx."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from gongzhi.accounts.actions import update_preferences

ELDER_COOKIE = "gongzhi_elder"
_COOKIE_AGE = 60 * 60 * 24 * 365


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:home")


def _done(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRefresh()
    return HttpResponseRedirect(_next_url(request))


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Turn elder mode on (``elder_mode=1``) or off (``0``); saved on the user or in a cookie."""
    enabled = request.POST.get("elder_mode", "1") in {"1", "true", "on"}
    if request.user.is_authenticated:
        update_preferences(request.user, actor=request.user, elder_mode=enabled)
    response = _done(request)
    if enabled:
        response.set_cookie(ELDER_COOKIE, "1", max_age=_COOKIE_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; signed-in users keep it on their account too."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES) or not translation.check_for_language(language):
        return HttpResponseBadRequest(
            _("Choose one of the offered languages."), content_type="text/plain; charset=utf-8"
        )
    if request.user.is_authenticated:
        update_preferences(request.user, actor=request.user, language=language)
    translation.activate(language)
    response = _done(request)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
