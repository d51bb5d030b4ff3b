"""Demo data for participatory budgeting (微实事) and opinion maps, through the domains' actions.

For the first community of the demo district: a finished budgeting round counted by the
Method of Equal Shares, a round open for voting, and an opinion map on a contested question
with residents' votes. Small and fast: a few dozen residents and a few hundred votes.
"""

from __future__ import annotations

import random
from typing import Any

from django.contrib.auth import get_user_model

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.core.context import acting_as
from gongzhi.participation.budgeting import actions as pb
from gongzhi.participation.opinion import actions as op
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area

PROJECTS = [
    ("老旧楼道照明改造", "3栋至8栋楼道更换声控LED灯，夜间出行更安全。", 48_000),
    ("儿童游乐场地面翻新", "中心花园游乐区更换塑胶地垫，加装防护栏。", 65_000),
    ("长者饭堂助餐点", "在党群服务中心开设助餐点，为60岁以上老人提供午餐。", 80_000),
    ("电动车集中充电棚", "在北门建设带烟感报警的集中充电棚，杜绝飞线充电。", 56_000),
    ("口袋公园绿化提升", "东侧空地种植乡土树种，增设休闲座椅。", 42_000),
    ("无障碍坡道加装", "为5个单元入口加装无障碍坡道和扶手。", 30_000),
]
OPINION_QUESTION = "小区东侧空地，改建停车位还是保留为绿地？"
STATEMENTS = [
    "停车难是小区最迫切的问题，应优先增加车位",
    "空地应保留绿地，老人孩子需要活动空间",
    "可以建生态停车场，兼顾停车和绿化",
    "新增车位应优先租给本小区业主",
    "停车位收费收入应公开并用于小区维护",
    "增加车位会带来更多噪音和安全隐患",
    "晚上路边乱停车影响消防通道",
    "应先清理长期占用车位的僵尸车",
    "绿地可以加装健身器材",
    "方案应由业主大会表决决定",
]


def _people(community: Area, limit: int) -> tuple[Any, list[Any]]:
    user_model = get_user_model()
    staff = (
        user_model.objects.filter(role_grants__role=Role.COMMUNITY_WORKER, role_grants__area_id=community.pk)
        .order_by("pk")
        .first()
    )
    resident_ids = list(
        RoleGrant.objects.filter(role=Role.RESIDENT, area_id=community.pk)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:limit]
    )
    return staff, list(user_model.objects.filter(pk__in=resident_ids).order_by("pk"))


def seed_participation(*, rng: random.Random) -> dict[str, int]:
    counts = {"pb_processes": 0, "pb_ballots": 0, "opinion_votes": 0}
    community = Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path").first()
    if community is None:
        return counts
    staff, residents = _people(community, 40)
    if staff is None or len(residents) < 6:
        return counts
    with acting_as(staff, source="seed_demo"):
        # A finished round: counted by the Method of Equal Shares.
        done = pb.create_process(
            community,
            title=f"{community.name}2026年上半年微实事",
            description="每户居民可勾选不超过3个项目，预算20万元，按平等份额法计票。",
            budget=200_000,
            max_choices=3,
            actor=staff,
        )
        projects = []
        for (title, text, cost), proposer in zip(PROJECTS, residents, strict=False):
            project = pb.propose_project(done, title=title, description=text, actor=proposer)
            projects.append(
                pb.review_project(project, feasible=True, estimated_cost=cost, actor=staff, note="经现场勘查可行")
            )
        pb.advance_phase(done, actor=staff)
        pb.advance_phase(done, actor=staff)
        camps = [[*projects[:2], projects[4]], [projects[2], projects[5]], [projects[3], projects[0]]]
        for i, resident in enumerate(residents):
            camp = camps[0] if i % 5 < 3 else camps[1] if i % 5 == 3 else camps[2]
            chosen = [p for p in camp if rng.random() < 0.9] or camp[:1]
            pb.cast_ballot(done, voter=resident, choices={p.pk: 1 for p in chosen}, actor=resident)
            counts["pb_ballots"] += 1
        pb.tally_process(done, actor=staff)
        # A round open for voting (cumulative points).
        open_round = pb.create_process(
            community,
            title=f"{community.name}2026年下半年微实事",
            description="每位居民有10点，可分配给支持的项目。",
            budget=150_000,
            ballot_kind="cumulative",
            points_per_voter=10,
            actor=staff,
        )
        for title, text, cost in PROJECTS[3:]:
            project = pb.propose_project(open_round, title=title, description=text, actor=residents[0])
            pb.review_project(project, feasible=True, estimated_cost=cost, actor=staff)
        pb.advance_phase(open_round, actor=staff)
        pb.advance_phase(open_round, actor=staff)
        counts["pb_processes"] = 2

        conversation = op.start_conversation(
            community,
            question=OPINION_QUESTION,
            description="居委会将根据讨论结果拟定方案，提交居民议事会。",
            actor=staff,
        )
        statements = [op.submit_statement(conversation, text=text, actor=staff) for text in STATEMENTS]
        op.submit_statement(conversation, text="建议顺便把垃圾分类点也挪一挪", actor=residents[1])
        # Two camps (parking first / green first) and common ground on statements 6, 7 and 9.
        for i, resident in enumerate(residents):
            parking = i % 3 != 0
            for j, statement in enumerate(statements):
                if rng.random() < 0.25:
                    continue
                if j in (6, 7, 9):
                    value = 1 if rng.random() < 0.85 else 0
                elif j in (0, 3):
                    value = 1 if parking else -1
                elif j in (1, 5, 8):
                    value = -1 if parking else 1
                else:
                    value = rng.choice([1, 1, 0, -1])
                if rng.random() < 0.1:
                    value = -value
                op.cast_opinion_vote(statement, value=value, actor=resident)
                counts["opinion_votes"] += 1
        op.compute_map(conversation, actor=staff)
    return counts
