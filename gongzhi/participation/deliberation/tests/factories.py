"""Deliberation builders other components' tests may import. Texts include hostile input."""

from __future__ import annotations

import zlib
from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.access.choices import Role
from gongzhi.accounts.choices import AccountKind
from gongzhi.participation.deliberation import actions
from gongzhi.participation.deliberation.choices import Template
from gongzhi.participation.deliberation.models import Debate, Process, Proposal
from gongzhi.testing.world import World, grant, make_user

HOSTILE_TITLE = "<script>alert('x')</script> 小区停车难 🚗 " + "长" * 40


def process(world: World, *, by: str = "community_worker_c1", area: Any = None, **extra: Any) -> Process:
    fields: dict[str, Any] = {
        "title": "科技园社区2027年民生微实事议事",
        "area": area or world.c1,
        "description": "征集居民关于小区改造的提议",
        "support_threshold": 3,
        "organisation": world.orgs["committee_c1"] if area in (None, world.c1) else None,
    }
    fields.update(extra)
    return actions.create_process(actor=world.users[by], **fields)


def four_two(world: World, **extra: Any) -> Process:
    return process(world, template=Template.FOUR_TWO, title="老旧小区加装电梯(四议两公开)", **extra)


def proposal(world: World, proc: Process | None = None, *, by: str = "resident_c1", **extra: Any) -> Proposal:
    fields: dict[str, Any] = {"title": "在3栋旁增设电动车充电桩", "body": "楼道里充电有火灾隐患, 建议在3栋旁设充电棚。"}
    fields.update(extra)
    return actions.submit_proposal(proc or process(world), actor=world.users[by], **fields)


def debate(world: World, proc: Process | None = None, *, by: str = "community_worker_c1") -> Debate:
    return actions.open_debate(
        proc or process(world),
        actor=world.users[by],
        title="是否把小区绿地改建为停车位?",
        description="绿地与停车的取舍",
    )


def neighbours(world: World, n: int, *, area: Any = None, prefix: str = "neighbour") -> list[Any]:
    """``n`` more residents of community C1 (or ``area``), each with a resident grant."""
    area = area or world.c1
    people = []
    for i in range(n):
        phone = f"139{zlib.crc32(prefix.encode()) % 10000:04d}{i:04d}"
        user = make_user(f"{prefix}{i}", kind=AccountKind.RESIDENT, home_area=world.g1, phone=phone)
        grant(user, Role.RESIDENT, area=area)
        people.append(get_user_model().objects.get(pk=user.pk))
    return people
