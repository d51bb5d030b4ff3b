"""Meeting and owner-roll helpers other domains' tests may import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.access.choices import Role
from gongzhi.participation.meetings import actions
from gongzhi.participation.meetings.models import Meeting, Owner
from gongzhi.territory.models import Building, Room, Unit
from gongzhi.testing.world import World, grant, make_user


def meeting(world: World, *, start: bool = True, quorum: int = 1, **kwargs: Any) -> Meeting:
    m = actions.create_meeting(
        actor=world.community_worker_c1,
        kind=kwargs.pop("kind", "council"),
        area=kwargs.pop("area", world.c1),
        title=kwargs.pop("title", "科技园社区居民议事会"),
        starts_at=timezone.now() + dt.timedelta(hours=1),
        location="社区党群服务中心二楼",
        quorum=quorum,
        **kwargs,
    )
    if start:
        m = actions.start_meeting(m, actor=world.community_worker_c1)
    return m


def estate(world: World, areas: list[str], *, name: str = "科苑小区5栋", phones: bool = False) -> list[Owner]:
    """One owner per floor area in ``areas`` (rooms in a new building of grid G1), each with an account."""
    building = Building.objects.create(
        grid=world.g1, area_path=world.g1.path, name=name, address=f"南山区科苑路15号{name}"
    )
    unit = Unit.objects.create(building=building, number="1")
    owners = []
    for i, area in enumerate(areas):
        room = Room.objects.create(unit=unit, number=f"{i + 1:03d}", floor=1 + i // 4, floor_area=Decimal(area))
        phone = f"1370000{i:04d}" if phones else None
        user = make_user(f"{name}-owner-{i}", kind="resident", home_area=world.g1, phone=phone)
        grant(user, Role.RESIDENT, area=world.c1)
        owners.append(
            actions.register_owner(
                actor=world.community_worker_c1,
                estate=world.c1,
                name=f"业主{i}",
                rooms=[room],
                evidence=f"不动产权证 粤(2020)深圳市第{i:07d}号",
                user=user,
            )
        )
    return owners
