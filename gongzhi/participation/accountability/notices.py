"""Notices to residents and staff through the platform's notification service.

``gongzhi.notifications.dispatch.notify`` is built by another component (issue 6/7); until
it is installed this sends nothing. It is looked up at call time so that participation
needs no change once it lands. Called inside an action: ``notify`` is not an action itself.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any

from django.db import models

logger = logging.getLogger(__name__)


def _dispatcher() -> Any:
    try:
        module = importlib.import_module("gongzhi.notifications.dispatch")
    except ModuleNotFoundError:
        return None
    return getattr(module, "notify", None)


def send(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    source: models.Model | None = None,
    urgent: bool = False,
) -> int:
    """Notify the recipients (users); returns how many were addressed (0 when the
    notification service is not installed)."""
    people = [r for r in recipients if r is not None]
    notify = _dispatcher()
    if notify is None or not people:
        return 0
    notify(people, kind=kind, title=title, body=body, url=url, source=source, urgent=urgent)
    return len(people)
