"""Template context every page gets: elder mode and the shell the user belongs in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gongzhi.web.shell import shell_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "shell": shell_for(user),
    }
