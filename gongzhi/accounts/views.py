from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("Too many failed attempts; try again later.", status=429)
