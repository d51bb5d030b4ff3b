"""Notices to residents and staff through the platform's notification service
(``gongzhi.notifications.dispatch.notify``: in-app rows in the caller's transaction, SMS and
e-mail after commit, per-user preferences and the daily digest). Called inside an action;
it is not an action itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from gongzhi.notifications.dispatch import notify


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
    """Notify the recipients (users); returns how many notices were written."""
    people = [r for r in recipients if r is not None]
    if not people:
        return 0
    return len(notify(people, kind=kind, title=title, body=body, url=url, source=source, urgent=urgent))
