"""Notices for tests (other domains may import these)."""

from __future__ import annotations

from typing import Any

from gongzhi.notifications.dispatch import notify
from gongzhi.notifications.models import Notification
from gongzhi.notifications.registry import register_group

HOSTILE_TITLE = "<script>alert('x')</script> 🚨 漏水" + "长" * 400

register_group("testing", "Testing", kinds={"testing.ping": "Ping"})


def notice(user: Any, *, title: str = "测试通知", urgent: bool = False, url: str = "", **kwargs: Any) -> Notification:
    [row] = notify([user], kind=kwargs.pop("kind", "testing.ping"), title=title, urgent=urgent, url=url, **kwargs)
    return row
