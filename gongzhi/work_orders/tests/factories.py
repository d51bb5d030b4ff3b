"""Work-order builders other domains' tests may import. Texts include hostile input."""

from __future__ import annotations

from typing import Any

from gongzhi.organisations.models import MatterCategory
from gongzhi.testing.world import World
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import Channel, OrderType
from gongzhi.work_orders.models import WorkOrder

HOSTILE_TITLE = "<script>alert('x')</script> 楼道灯坏了 🚨 " + "长" * 60


def category(code: str = "01", name: str = "市容环境", parent: MatterCategory | None = None) -> MatterCategory:
    level = 1 if parent is None else parent.level + 1
    return MatterCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent, "level": level})[0]


def submitted(world: World, *, by: str = "resident_c1", area: Any = None, **extra: Any) -> WorkOrder:
    fields: dict[str, Any] = {
        "order_type": OrderType.REPORT,
        "area": area or world.g1,
        "title": "楼道灯不亮",
        "description": "3栋1单元5楼楼道灯坏了一周",
        "category": category(),
        "channel": Channel.WEB,
    }
    fields.update(extra)
    return actions.submit_work_order(actor=world.users[by], **fields)


def dispatched(world: World, *, to: str = "housing_bureau", **extra: Any) -> WorkOrder:
    order = submitted(world, **extra)
    return actions.dispatch_work_order(order, to=world.orgs[to], actor=world.community_worker_c1)


def signed(world: World, **extra: Any) -> WorkOrder:
    return actions.sign_work_order(dispatched(world, **extra), actor=world.department_handler)


def replied(world: World, **extra: Any) -> WorkOrder:
    return actions.reply_work_order(signed(world, **extra), actor=world.department_handler, text="已更换灯泡")
