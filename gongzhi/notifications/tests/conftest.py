from __future__ import annotations

from typing import Any

import pytest

from gongzhi.notifications.channels import MemoryChannel


@pytest.fixture
def outbox(settings: Any) -> list[Any]:
    """Both external channels go to memory."""
    path = "gongzhi.notifications.channels.MemoryChannel"
    settings.GONGZHI_NOTIFICATION_CHANNELS = {"sms": [path], "email": [path]}
    MemoryChannel.outbox.clear()
    yield MemoryChannel.outbox
    MemoryChannel.outbox.clear()
