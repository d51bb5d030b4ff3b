"""The header's notification bell: where it links and where htmx fetches the unread count.

No query here: the count is loaded by the bell itself (``notifications:badge``), so pages
keep their query budgets. Added to TEMPLATES by the settings; web/base.html shows the bell
when ``notifications_bell`` is set."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_bell": {
            "url": reverse("notifications:list"),
            "badge_url": reverse("notifications:badge"),
        }
    }
