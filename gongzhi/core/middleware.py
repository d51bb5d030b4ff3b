"""Per-request context: request id (echoed as ``X-Request-ID``), client IP, user agent."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gongzhi.core import context

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind nginx it is in X-Real-IP (set by our nginx example,
    which overwrites whatever a client sent). A malformed value is ignored: it would be
    refused by the audit table's IP column on PostgreSQL and break every write."""
    return _valid_ip(request.META.get("HTTP_X_REAL_IP")) or _valid_ip(request.META.get("REMOTE_ADDR"))


def request_id_for(incoming: str) -> str:
    """Echo a safe incoming X-Request-ID (8 to 64 of ``A-Za-z0-9._-``), else make a new one."""
    return incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else context.new_request_id()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_current(
            context.RequestContext(
                request_id=request_id,
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:400],
                source="web",
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response
