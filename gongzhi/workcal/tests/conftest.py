from collections.abc import Iterator

import pytest

from gongzhi.core import calendar


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Each test sees the calendar as stored now, and leaves no edited copy behind."""
    calendar.invalidate()
    yield
    calendar.invalidate()
