"""The demo loader's one action: the change record that says a demo district was loaded."""

from __future__ import annotations

from typing import Any

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.territory.models import Area


@action
def record_demo_seed(district: Area, *, summary: dict[str, Any]) -> Area:
    """Seeding is a bulk loader, not a user's work: it writes its rows directly and leaves
    exactly one change record on the district, with what it loaded in ``after``."""
    record_change(district, verb="seed_demo", actor=None, before=None, after=summary)
    return district
