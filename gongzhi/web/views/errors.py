"""Error pages: the site's own 400/403/404/500 pages (in the user's language, with the site's
header and a way back), and the API's JSON error body for ``/api/`` and ``/open311/`` paths,
so a client that asks for a resource that does not exist gets ``{"code": "not_found", …}``
instead of an HTML page.

Wired in ``gongzhi/urls.py`` (``handler400`` … ``handler500``) and ``CSRF_FAILURE_VIEW``.
The 500 page is rendered without the request context (no database, no session: whatever
failed may be what the context processors need)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from gongzhi.open311.views import error_response as open311_error

#: Paths whose clients read JSON (the API's own errors already use this body).
JSON_PREFIXES = ("/api/", "/open311/")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _machine_error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    """The error body a machine client of that path reads: GeoReport v2's ``errors`` list
    (XML for ``….xml``) under ``/open311/``, the API's ``{"code", "detail"}`` elsewhere."""
    if request.path.startswith("/open311/"):
        return open311_error("xml" if request.path.endswith(".xml") else "json", status, detail)
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    response = TemplateResponse(
        request, "web/errors/error.html", {"status": status, "title": title, "message": message}, status=status
    )
    return response.render()


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return _machine_error(request, 400, "bad_request", "Bad request.")
    return _page(request, 400, _("Bad request"), _("The request could not be understood. Go back and try again."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return _machine_error(request, 403, "permission_denied", "You do not have permission to perform this action.")
    return _page(
        request,
        403,
        _("No access"),
        _("Your role does not allow you to see this page. If you think it should, ask your administrator."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return _machine_error(request, 404, "not_found", "Not found.")
    return _page(
        request,
        404,
        _("Page not found"),
        _("This page does not exist or has moved. Check the address, or start again from the home page."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that was open too long (or from another site): say what to do."""
    if _wants_json(request):
        return _machine_error(request, 403, "csrf_failed", "CSRF check failed. Reload and try again.")
    return _page(
        request,
        403,
        _("This page has expired"),
        _("For your safety the form could not be sent. Go back, reload the page and send it again."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return _machine_error(request, 500, "server_error", "Server error.")
    context: dict[str, Any] = {}
    return HttpResponse(loader.get_template("web/errors/500.html").render(context), status=500)
