"""Staff idle timeout (30 minutes by default) and per-user UI preferences."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from gongzhi.accounts.choices import AccountKind
from gongzhi.core import context

_LAST_SEEN = "gongzhi_last_seen"
#: Set in the fresh session after an idle sign-out; the sign-in page shows a message for it.
TIMED_OUT_FLAG = "gongzhi_timed_out"
#: Seconds between two writes of the last-activity time (the idle timeout is this much coarser).
_TOUCH_EVERY = 60


#: Sent by page fragments that refresh by themselves (``hx-headers`` in the templates).
BACKGROUND_HEADER = "X-Gongzhi-Background"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if getattr(user, "kind", None) == AccountKind.STAFF:
                now = time.time()
                last = request.session.get(_LAST_SEEN)
                if last is not None and now - float(last) > settings.GONGZHI_STAFF_IDLE_TIMEOUT:
                    logout(request)
                    request.session[TIMED_OUT_FLAG] = True
                elif request.headers.get(BACKGROUND_HEADER) != "1" and (
                    last is None or now - float(last) >= _TOUCH_EVERY
                ):
                    # Background refreshes (the notification bell) are not activity: they must
                    # not keep an unattended staff session alive, nor write the session.
                    # Activity is recorded at most once a minute: writing the session on every
                    # page was three statements (BEGIN, UPDATE, COMMIT) per staff request.
                    request.session[_LAST_SEEN] = now
            if request.user.is_authenticated:
                context.set_actor(request.user)
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Signed-in users get their saved language (unless they just switched) and elder mode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        elder = request.COOKIES.get("gongzhi_elder") == "1"
        if user.is_authenticated:
            elder = bool(getattr(user, "elder_mode", False))
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and getattr(user, "language", None):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]
        request.elder_mode = elder  # type: ignore[attr-defined]
        return self.get_response(request)
