"""Result builders other components' tests may import. Texts include hostile input."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongzhi.participation.accountability import actions
from gongzhi.participation.accountability.models import Result
from gongzhi.testing.world import World

HOSTILE_TITLE = "<script>alert('x')</script> 加装电梯 🛗 " + "长" * 60


def result(
    world: World,
    *,
    by: str = "community_worker_c1",
    area: Any = None,
    unit: str | None = "committee_c1",
    deadline: dt.date | None = None,
    title: str = "科苑小区3栋加装电梯",
) -> Result:
    return actions.create_result(
        actor=world.users[by],
        title=title,
        area=area or world.c1,
        responsible_unit=world.orgs[unit] if unit else None,
        deadline=deadline if deadline is not None else timezone.localdate() + dt.timedelta(days=30),
        description="居民议事会决议 3栋加装电梯 费用按楼层分摊",
    )


def overdue(world: World, **extra: Any) -> Result:
    made = result(world, **extra)
    Result.objects.filter(pk=made.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    made.refresh_from_db()
    return made
