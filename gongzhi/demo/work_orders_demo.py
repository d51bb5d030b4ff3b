"""Residents' requests for the demo district, replayed through the real work-order actions.

Each request is a small story: a resident submits it, the residents' committee dispatches it
to the unit the duty list names, the unit signs, contacts, handles and replies, the resident
rates it and the committee closes it — or the story stops part-way, so the inboxes hold work
in every state. Stories start up to six weeks ago and each step happens at its own moment:
the loader moves the clock (:class:`DemoClock`) while it calls the actions, so timelines,
deadlines, overdue orders and audit records are all consistent, exactly as if the district
had been using Gongzhi for those weeks. Some units are slow on purpose, so that the
supervision screens show who is late.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.accounts.choices import AccountKind
from gongzhi.core.context import acting_as
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.organisations.queries import propose_units
from gongzhi.territory.models import Area, Building
from gongzhi.work_orders import actions
from gongzhi.work_orders.board import board_queryset
from gongzhi.work_orders.choices import Channel, OrderType, Satisfaction, Status, Urgency
from gongzhi.work_orders.errors import WorkOrderError
from gongzhi.work_orders.models import WorkOrder

#: leaf category → [(type, title, description)]; "{b}" is the building, "{f}" a floor.
STORIES: dict[str, list[tuple[OrderType, str, str]]] = {
    "路面破损": [(OrderType.REPORT, "小区门口路面塌陷", "{b}门口的路面塌了一个坑，晚上电动车经过很危险，请尽快修补。")],
    "井盖缺失": [
        (
            OrderType.REPORT,
            "井盖丢失有安全隐患",
            "{b}旁边人行道上的井盖不见了，已经用树枝围了一下，老人小孩容易掉下去。",
        )
    ],
    "人行道破损": [(OrderType.REPORT, "人行道砖松动", "{b}到公交站一段人行道砖松动翘起，下雨天踩上去溅一身水。")],
    "路灯不亮": [
        (OrderType.REPORT, "路灯连续一周不亮", "{b}东侧的三盏路灯已经一周不亮了，晚上回家很黑，希望尽快维修。"),
        (OrderType.REPORT, "小区外路灯夜里闪烁", "{b}外面那根路灯一直闪，影响休息，也看不清路。"),
    ],
    "下水道堵塞": [(OrderType.REPORT, "下水道堵塞返臭", "{b}一楼化粪池附近下水道堵了，污水漫到路面，臭味很大。")],
    "道路积水": [(OrderType.HELP, "暴雨后道路积水严重", "昨晚下大雨后{b}门前积水到小腿，老人出不了门，请安排抽水。")],
    "电梯故障": [
        (
            OrderType.COMPLAINT,
            "电梯频繁故障无人修",
            "{b}的电梯这个月已经坏了四次，{f}楼的老人上下楼非常困难，物业一直拖着不修。",
        ),
        (OrderType.REPORT, "电梯异响", "{b}2号电梯运行时有很大的异响，担心安全。"),
    ],
    "电梯困人": [(OrderType.HELP, "电梯困人十分钟", "{b}电梯突然停在{f}楼，困了两个人，打物业电话没人接。")],
    "门禁损坏": [(OrderType.REPORT, "单元门禁坏了", "{b}单元门禁坏了好几天，门一直开着，外人随便进出。")],
    "楼道照明": [(OrderType.REPORT, "楼道灯不亮", "{b}{f}楼楼道灯坏了，晚上上楼摸黑，老人摔过一次。")],
    "物业费争议": [
        (OrderType.COMPLAINT, "物业费上涨未公示", "物业通知下月起物业费涨价，但没有召开业主大会，也没有公示收支情况。")
    ],
    "维修资金使用": [
        (OrderType.ENQUIRY, "维修资金怎么申请", "{b}外墙渗水，想用专项维修资金维修，请问需要什么流程和多少业主签字？")
    ],
    "房屋裂缝": [
        (OrderType.REPORT, "承重墙出现裂缝", "{b}{f}楼楼梯间的墙上出现一条斜裂缝，最近越来越长，担心房子有安全问题。"),
    ],
    "外墙脱落": [
        (OrderType.REPORT, "外墙瓷砖掉落", "{b}外墙瓷砖昨天掉下来好几块，砸坏了楼下的电动车，幸好没有砸到人。"),
    ],
    "垃圾未清运": [
        (OrderType.COMPLAINT, "垃圾桶满了没人清", "{b}旁边的垃圾桶已经两天没清运，天气热味道很大，招苍蝇。"),
    ],
    "分类投放不规范": [
        (OrderType.SUGGESTION, "建议增加分类督导", "{b}垃圾分类投放很乱，建议晚上投放时段安排志愿者督导。")
    ],
    "乱张贴": [(OrderType.REPORT, "楼道小广告泛滥", "{b}楼道里贴满了开锁、贷款的小广告，清理后又有人贴。")],
    "占道经营": [(OrderType.COMPLAINT, "早市占道影响通行", "{b}门口每天早上有摊贩占道卖菜，救护车都进不来。")],
    "树木倒伏": [(OrderType.REPORT, "大树被风吹倒", "台风过后{b}旁边一棵大树倒在路上，压住了两辆车。")],
    "绿地损毁": [(OrderType.REPORT, "绿地被改成菜地", "{b}楼下的公共绿地被人圈起来种菜，还用了粪肥。")],
    "消防通道堵塞": [(OrderType.REPORT, "消防通道被车堵死", "{b}的消防通道长期停满私家车，真着火了消防车进不来。")],
    "消防设施损坏": [(OrderType.REPORT, "灭火器过期", "{b}各楼层的灭火器都过期了，消火栓箱也是空的。")],
    "电动车违规充电": [(OrderType.REPORT, "楼道飞线充电", "{b}{f}楼有住户从窗户拉电线给电动车充电，很危险。")],
    "可疑人员": [(OrderType.REPORT, "夜里有人撬车", "最近几晚{b}附近有人撬电动车锁，已经丢了三辆。")],
    "噪音扰民": [
        (OrderType.COMPLAINT, "广场舞噪音扰民", "{b}楼下广场舞每天晚上放到十点以后，音响开得很大，孩子没法写作业。"),
        (OrderType.COMPLAINT, "夜间施工噪音", "{b}旁边工地晚上十一点还在打桩，严重影响休息。"),
    ],
    "漏水纠纷": [(OrderType.HELP, "楼上漏水协商不成", "{b}{f}楼楼上卫生间漏水到我家天花板，多次沟通对方不理会。")],
    "违章搭建": [(OrderType.REPORT, "顶楼违章搭建", "{b}顶楼住户在天台搭建铁皮房，影响全楼防水和消防安全。")],
    "家庭纠纷": [(OrderType.HELP, "邻居家经常吵架", "{b}{f}楼一户人家经常深夜争吵摔东西，担心有家暴。")],
    "高龄津贴": [(OrderType.ENQUIRY, "高龄津贴怎么申请", "我母亲今年满80岁了，请问高龄津贴需要带什么材料到哪里办？")],
    "居家养老": [(OrderType.HELP, "独居老人需要助餐", "{b}{f}楼独居的王阿姨腿脚不便，想申请社区长者食堂送餐服务。")],
    "低保申请": [(OrderType.ENQUIRY, "低保申请条件咨询", "家里老人生病失去收入，想了解申请低保的条件和流程。")],
    "临时救助": [(OrderType.HELP, "家中突发困难求助", "丈夫突发重病住院，家里两个孩子上学，经济非常困难。")],
    "就业援助": [(OrderType.ENQUIRY, "失业后找工作咨询", "今年被公司裁员，想参加社区的技能培训和就业推荐。")],
    "欠薪投诉": [(OrderType.COMPLAINT, "装修公司拖欠工资", "在附近装修工地干了三个月，老板拖欠工资两万多元。")],
    "社康服务": [
        (OrderType.SUGGESTION, "社康中心延长开放时间", "上班族下班后社康已经关门，建议工作日晚上延长开放到八点。")
    ],
    "疫苗接种": [(OrderType.ENQUIRY, "老人流感疫苗预约", "请问社区给65岁以上老人免费打流感疫苗吗？怎么预约？")],
    "学位咨询": [(OrderType.ENQUIRY, "小学学位咨询", "租房满两年，孩子明年上小学，请问能申请哪所学校的学位？")],
    "停水": [(OrderType.REPORT, "突然停水没有通知", "{b}从早上开始停水，没有提前通知，家里老人做不了饭。")],
    "停电": [(OrderType.REPORT, "整栋楼停电", "{b}整栋楼停电三个小时了，冰箱里的东西都要坏了。")],
    "燃气安全": [(OrderType.HELP, "楼道有煤气味", "{b}{f}楼楼道里有明显的煤气味，敲门没人应，请马上派人来看。")],
    "乱停车": [(OrderType.REPORT, "车辆堵住小区出口", "有车长期停在{b}出口，早高峰车都出不去。")],
    "充电桩": [(OrderType.SUGGESTION, "建议建设充电桩", "{b}有很多电动汽车，小区没有充电桩，建议和物业协商安装。")],
    "公交站设施": [(OrderType.SUGGESTION, "公交站缺少遮阳棚", "{b}附近公交站没有遮阳棚和座椅，老人等车很辛苦。")],
}

REPLIES = [
    "已安排工作人员现场核实并处理完毕，后续将加强巡查。",
    "经现场查看，已联系责任单位整改，预计三个工作日内完成。",
    "已于今日上门沟通并解决，感谢您的监督。",
    "根据相关规定已作出处理，具体情况已电话告知。",
]
#: Units that answer late in the demo, so the supervision screens have someone to show.
SLOW_UNIT_WORDS = ("城市管理", "燃气")
NOW_MARGIN = datetime.timedelta(minutes=10)


class DemoClock:
    """Patches ``django.utils.timezone``'s clock: ``timezone.now()`` (and every ``default=timezone.now``)
    reads :attr:`moment` while the loader replays a story."""

    def __init__(self) -> None:
        self.moment = timezone.now()

    @contextmanager
    def running(self) -> Iterator[DemoClock]:
        real = timezone.datetime  # type: ignore[attr-defined]  # the class timezone.now() calls
        clock = self

        class _Frozen(real):  # type: ignore[misc,valid-type]
            @classmethod
            def now(cls, tz: Any = None) -> Any:
                return clock.moment.astimezone(tz) if tz else clock.moment.replace(tzinfo=None)

        with mock.patch.object(timezone, "datetime", _Frozen):
            yield self


@dataclass
class _Cast:
    """Who plays which part in the demo district."""

    residents: list[Any]  # one per story
    committee_worker: dict[int, Any]  # community area id → user
    unit_staff: dict[int, Any]  # organisation id → user


def _cast(rng: random.Random, count: int) -> _Cast:
    """``count`` residents who will raise requests (drawn by id: the district has 100,000) and the staff."""
    users = get_user_model().objects
    ids = list(users.filter(kind=AccountKind.RESIDENT).order_by("id").values_list("id", flat=True))
    chosen = [rng.choice(ids) for _ in range(count)] if ids else []
    by_id = {u.pk: u for u in users.filter(pk__in=set(chosen)).select_related("home_area")}
    committee: dict[int, Any] = {}
    staff: dict[int, Any] = {}
    for grant in RoleGrant.objects.filter(organisation__isnull=False).select_related("user").order_by("id"):
        if grant.role == Role.COMMUNITY_WORKER and grant.area_id is not None:
            committee.setdefault(grant.area_id, grant.user)
        if grant.role != Role.GRID_WORKER and grant.organisation_id is not None:
            staff.setdefault(grant.organisation_id, grant.user)
    return _Cast([by_id[pk] for pk in chosen], committee, staff)


def _working_moment(rng: random.Random, day: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(day)
    return local.replace(hour=rng.choice([9, 10, 11, 14, 15, 16]), minute=rng.randrange(60), second=0, microsecond=0)


class _Story:
    def __init__(self, rng: random.Random, clock: DemoClock, real_now: datetime.datetime) -> None:
        self.rng, self.clock, self.real_now = rng, clock, real_now

    def at(self, moment: datetime.datetime) -> bool:
        """Move the clock on to ``moment``; False (the story stops) once it would pass today."""
        if moment > self.real_now - NOW_MARGIN:
            return False
        self.clock.moment = max(moment, self.clock.moment)
        return True

    def later(self, low_hours: float, high_hours: float) -> bool:
        return self.at(self.clock.moment + datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours)))


def seed_work_orders(count: int, *, rng: random.Random) -> dict[str, int]:
    """Replay ``count`` request stories; returns how many orders ended in each state."""
    cast = _cast(rng, count)
    leaves = {c.name: c for c in MatterCategory.objects.filter(name__in=STORIES, is_active=True)}
    buildings: dict[int, list[Building]] = {}
    for building in Building.objects.order_by("id"):
        buildings.setdefault(building.grid_id, []).append(building)
    grids = {a.pk: a for a in Area.objects.filter(pk__in=buildings)}
    if not cast.residents or not leaves:
        return {}
    real_now = timezone.now()
    clock = DemoClock()
    stories = []
    for resident in cast.residents:
        started = real_now - datetime.timedelta(days=rng.uniform(0.2, 42))
        submitted = min(_working_moment(rng, started), real_now - NOW_MARGIN)
        stories.append((submitted, rng.choice(sorted(leaves)), resident, False))
    stories += _fresh_department_stories(rng, cast, leaves, grids, real_now)
    stories.sort(key=lambda s: s[0])  # order numbers follow submission time
    ended: dict[str, int] = {}
    with clock.running():
        for started, leaf, resident, fresh in stories:
            grid = grids.get(resident.home_area_id)
            if grid is None:
                continue
            clock.moment = started
            order = _replay(
                _Story(rng, clock, real_now), leaves[leaf], grid, resident, cast, buildings[grid.pk], fresh=fresh
            )
            if order is not None:
                ended[order.status] = ended.get(order.status, 0) + 1
        clock.moment = real_now - NOW_MARGIN
        _neighbours_follow(rng, cast)
    return ended


def _fresh_department_stories(
    rng: random.Random,
    cast: _Cast,
    leaves: dict[str, MatterCategory],
    grids: dict[int, Area],
    real_now: datetime.datetime,
) -> list[tuple[datetime.datetime, str, Any, bool]]:
    """One request of the last few days for every government department that has a handler
    account, about a matter the duty lists route to it, so that whichever demo login a visitor
    picks has open work in the inbox (random stories alone left some departments empty). These
    stories are dispatched and stop while open (``_handle(open_only=True)``): a random path
    could reject or close them, whichever day of the week the demo is seeded."""
    departments = set(
        Organisation.objects.filter(kind=OrganisationKind.GOVERNMENT_DEPARTMENT, pk__in=cast.unit_staff).values_list(
            "pk", flat=True
        )
    )
    found: dict[int, tuple[str, Any]] = {}
    for resident in cast.residents[:6]:
        grid = grids.get(resident.home_area_id)
        if grid is None:
            continue
        for leaf in sorted(leaves):
            unit = _lead_unit(leaves[leaf], grid)
            if unit is not None and unit.pk in departments and unit.pk not in found:
                found[unit.pk] = (leaf, resident)
        if len(found) == len(departments):
            break
    fresh = []
    for _unit, (leaf, resident) in sorted(found.items()):
        started = real_now - datetime.timedelta(days=rng.uniform(1.0, 3.0))
        fresh.append((min(_working_moment(rng, started), real_now - NOW_MARGIN), leaf, resident, True))
    return fresh


def _near(rng: random.Random, value: Any) -> Any:
    """A map point a few metres from the building (residents tap roughly where it is)."""
    if value is None:
        return None
    return (value + Decimal(str(round(rng.uniform(-0.0002, 0.0002), 6)))).quantize(Decimal("0.000001"))


#: Share of open board requests that neighbours follow ("me too") in the demo.
FOLLOWED_SHARE = 0.3


def _neighbours_follow(rng: random.Random, cast: _Cast) -> None:
    """Neighbours of the same community press "me too" on some open board requests, so the
    board, "my requests" and the hot-spot attention have followers to show."""
    by_community: dict[int, list[Any]] = {}
    for resident in cast.residents:
        community = resident.home_area.parent_id if resident.home_area else None
        if community is not None:
            by_community.setdefault(community, []).append(resident)
    for order in board_queryset().exclude(status=Status.CLOSED).select_related("area").order_by("id"):
        if rng.random() >= FOLLOWED_SHARE:
            continue
        neighbours = [r for r in by_community.get(order.area.parent_id or 0, []) if r.pk != order.submitter_id]
        for neighbour in rng.sample(neighbours, min(len(neighbours), rng.randint(1, 3))):
            try:
                with acting_as(neighbour, source="seed_demo"):
                    actions.follow_work_order(order, actor=neighbour)
            except WorkOrderError:  # already following
                continue


def _lead_unit(category: MatterCategory, area: Area) -> Organisation | None:
    """The unit the dispatcher would pick: the first proposal, a lead unit when there is one."""
    proposals = propose_units(category, area)
    leads = [org for org, role in proposals if role == DutyRole.LEAD]
    return leads[0] if leads else (proposals[0][0] if proposals else None)


def _replay(
    story: _Story,
    category: MatterCategory,
    grid: Area,
    resident: Any,
    cast: _Cast,
    grid_buildings: list[Building],
    *,
    fresh: bool = False,
) -> WorkOrder | None:
    rng = story.rng
    kind, title, text = rng.choice(STORIES[category.name])
    building = rng.choice(grid_buildings)
    floor = rng.randint(1, max(1, building.floors or 1))
    urgent = category.name in {"电梯困人", "燃气安全", "井盖缺失", "树木倒伏"}
    with acting_as(resident, source="seed_demo"):
        order = actions.submit_work_order(
            actor=resident,
            order_type=kind,
            area=grid,
            title=title,
            description=text.format(b=building.name, f=floor),
            channel=Channel.WEB,
            category=category,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            building=building,
            lat=_near(rng, building.lat),
            lng=_near(rng, building.lng),
            is_public=rng.random() < 0.6,
        )
    community_id = grid.parent_id
    worker = cast.committee_worker.get(community_id) if community_id else None
    unit = _lead_unit(category, grid)
    handler = cast.unit_staff.get(unit.pk) if unit else None
    if worker is None or unit is None or handler is None:
        return order
    slow = any(word in unit.name for word in SLOW_UNIT_WORDS)
    try:
        return _handle(
            story, order, worker=worker, unit=unit, handler=handler, resident=resident, slow=slow, open_only=fresh
        )
    except WorkOrderError:  # a step the rules refuse ends the story where it is
        return WorkOrder.objects.get(pk=order.pk)


def _handle(
    story: _Story,
    order: WorkOrder,
    *,
    worker: Any,
    unit: Organisation,
    handler: Any,
    resident: Any,
    slow: bool,
    open_only: bool = False,
) -> WorkOrder:
    """Take the order as far as the story's clock allows; ``open_only``: never reject, and
    stop before the reply (the order stays in the unit's inbox)."""
    rng = story.rng
    if rng.random() < 0.03 and not open_only and story.later(0.5, 3):
        with acting_as(worker, source="seed_demo"):
            return actions.reject_work_order(
                order, actor=worker, reason="经核实不属于社区受理范围，已告知居民向相关单位咨询。"
            )
    if not story.later(0.3, 4):
        return order
    with acting_as(worker, source="seed_demo"):
        order = actions.dispatch_work_order(order, to=unit, actor=worker, note="请按时限办理。")
    sign_delay = (20, 60) if slow else (0.5, 9)
    if rng.random() < 0.08 or not story.later(*sign_delay):
        return order
    with acting_as(handler, source="seed_demo"):
        order = actions.sign_work_order(order, actor=handler)
        if story.later(0.5, 12):
            order = actions.record_first_contact(order, actor=handler, note="已电话联系居民了解情况。")
        if not story.later(1, 24):
            return order
        order = actions.start_work_order(order, actor=handler)
        if open_only:
            return order
        reply_delay = (150, 500) if slow else (6, 120)
        if rng.random() < 0.12 or not story.later(*reply_delay):
            return order
        order = actions.reply_work_order(order, actor=handler, text=rng.choice(REPLIES))
    if not story.later(2, 40):
        return order
    happy = rng.random() < 0.85
    with acting_as(resident, source="seed_demo"):
        actions.rate_work_order(
            order,
            actor=resident,
            satisfaction=Satisfaction.SATISFIED if happy else Satisfaction.DISSATISFIED,
            resolved=happy,
            comment="处理及时，谢谢！" if happy else "问题没有解决，还是老样子。",
        )
    order.refresh_from_db()
    if not story.later(1, 30):
        return order
    with acting_as(worker, source="seed_demo"):
        if happy:
            return actions.close_work_order(order, actor=worker, note="居民满意，办结。")
        return actions.review_dissatisfaction(order, actor=worker, uphold=True, note="经回访问题确未解决，重办。")
