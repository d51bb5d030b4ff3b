from __future__ import annotations

import re
from typing import Any

import pytest

from gongzhi.accounts.sms import MemorySmsBackend


@pytest.fixture
def outbox() -> Any:
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def last_code(outbox: list[tuple[str, str]], phone: str) -> str:
    messages = [m for p, m in outbox if p == phone]
    assert messages, f"no SMS to {phone}"
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", messages[-1])
    assert match
    return match.group(1)
