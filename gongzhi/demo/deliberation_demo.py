"""Demo content for the deliberation hall and accountability (issue 6): in the first two
communities, a 微实事 collection with residents' proposals, supports, comments, a debate and
official answers, a 四议两公开 process about a lift, and the tracked result of what was
accepted. Rows go in bulk (a fixed number of queries, no change records: the loader writes
the one record of the whole seed), like the rest of the demo district.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.models import Milestone, Result, ResultUpdate
from gongzhi.participation.deliberation.choices import (
    AnswerOutcome,
    DebateStatus,
    Phase,
    Position,
    ProposalStatus,
    StepKind,
    Template,
)
from gongzhi.participation.deliberation.models import (
    Comment,
    Debate,
    PhaseChange,
    Process,
    ProcessStep,
    Proposal,
    ProposalFollow,
    SensitiveWord,
    Support,
)
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area

SENSITIVE_WORDS = ["赌博", "代开发票", "办证", "刷单"]
MICRO_PROPOSALS = [
    ("小区门口增设电动车充电棚", "楼道里充电有火灾隐患, 建议在小区门口空地建一个带充电桩的雨棚。"),
    ("儿童游乐区铺设防滑地垫", "游乐区是水泥地, 孩子摔倒容易受伤, 建议铺设塑胶防滑地垫。"),
    ("增设长者休息座椅", "小广场没有座椅, 老人散步走累了没地方坐, 建议沿步道增设几张带靠背的座椅。"),
    ("修缮3栋屋顶防水", "3栋顶楼住户反映下雨天漏水已经两年, 建议统一修缮屋面防水层。"),
    ("垃圾分类投放点加装洗手池", "投放点没有洗手的地方, 建议加装一个感应洗手池。"),
]
COMMENTS = ["支持, 家里老人也有这个需要。", "建议先征求物业意见。", "费用怎么分摊? 希望公开预算。"]
ARGUMENTS = [
    (Position.FOR, "晚上停车太难了, 支持改建。"),
    (Position.AGAINST, "绿地是孩子和老人活动的地方, 不能改。"),
    (Position.AGAINST, "改成停车位会更吵, 也不安全。"),
    (Position.FOR, "可以做植草砖的生态停车位, 两全其美。"),
]


def seed(seeder: Any = None) -> dict[str, int]:
    """Add the participation demo to the seeded district; returns what was created."""
    now = timezone.now()
    today = timezone.localdate()
    communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path")[:2])
    grants = list(
        RoleGrant.objects.filter(
            role__in=[Role.COMMUNITY_WORKER, Role.RESIDENT],
            area_path__in=[c.path for c in communities],
            revoked_at__isnull=True,
        ).order_by("id")
    )
    SensitiveWord.objects.bulk_create([SensitiveWord(word=w) for w in SENSITIVE_WORDS], ignore_conflicts=True)
    plans = []
    for community in communities:
        workers = [g for g in grants if g.area_path == community.path and g.role == Role.COMMUNITY_WORKER]
        residents = [g.user_id for g in grants if g.area_path == community.path and g.role == Role.RESIDENT][:8]
        if workers and len(residents) >= 6:
            plans.append((community, workers[0], residents))
    processes: list[Process] = []
    for community, worker, _ in plans:
        common = {"area": community, "area_path": community.path, "organisation_id": worker.organisation_id}
        processes.append(
            Process(
                title=f"{community.name}2027年民生微实事项目征集",
                description="征集居民身边的小事、急事、难事, 获得足够支持的提议由居委会正式研究答复。",
                template=Template.CUSTOM,
                phase=Phase.DELIBERATE,
                support_threshold=3,
                created_by_id=worker.user_id,
                **common,
            )
        )
        processes.append(
            Process(
                title=f"{community.name}老旧楼栋加装电梯议事",
                description="按照四议两公开程序, 商议老旧楼栋加装电梯的方案和费用分摊。",
                template=Template.FOUR_TWO,
                phase=Phase.DELIBERATE,
                support_threshold=5,
                created_by_id=worker.user_id,
                **common,
            )
        )
    processes = Process.objects.bulk_create(processes)
    steps, changes, proposals, debates = [], [], [], []
    for i, (community, worker, residents) in enumerate(plans):
        micro, lift = processes[2 * i], processes[2 * i + 1]
        for process in (micro, lift):
            changes.append(
                PhaseChange(
                    process=process,
                    from_phase=Phase.COLLECT,
                    to_phase=Phase.DELIBERATE,
                    actor_id=worker.user_id,
                    note="提议征集结束, 进入商议阶段。",
                )
            )
        notes = {
            StepKind.PARTY_PROPOSES: "社区党委提议启动加装电梯议事。",
            StepKind.COMMITTEES_DELIBERATE: "两委联席会议商议通过方案初稿。",
        }
        for position, kind in enumerate(StepKind):
            done = kind in notes
            steps.append(
                ProcessStep(
                    process=lift,
                    kind=kind,
                    position=position,
                    done_at=now if done else None,
                    done_by_id=worker.user_id if done else None,
                    note=notes.get(kind, ""),
                )
            )
        for n, (title, body) in enumerate(MICRO_PROPOSALS):
            supporters = [r for r in residents if r != residents[n % len(residents)]][: max(0, 5 - n)]
            status = (
                ProposalStatus.CONSIDERATION if len(supporters) >= micro.support_threshold else ProposalStatus.PUBLISHED
            )
            proposals.append(
                Proposal(
                    process=micro,
                    area_path=community.path,
                    title=title,
                    body=body,
                    author_id=residents[n % len(residents)],
                    status=status,
                    support_count=len(supporters),
                    threshold_reached_at=now if status == ProposalStatus.CONSIDERATION else None,
                    follower_count=1,
                )
            )
        proposals.append(
            Proposal(
                process=lift,
                area_path=community.path,
                title="按楼层分摊电梯费用",
                body="建议一楼不出资, 二楼起按楼层递增分摊, 维保费按户均摊。",
                author_id=residents[-1],
                support_count=4,
                follower_count=1,
            )
        )
        debates.append(
            Debate(
                process=micro,
                area_path=community.path,
                title="是否把小区中心绿地改建为停车位?",
                description="停车难与绿化如何取舍, 请大家发表意见。",
                opened_by_id=worker.user_id,
                status=DebateStatus.CLOSED if i == 0 else DebateStatus.OPEN,
                conclusion="保留中心绿地, 在小区外侧空地建生态停车位, 另行立项。" if i == 0 else "",
                closed_by_id=worker.user_id if i == 0 else None,
                closed_at=now if i == 0 else None,
                for_count=2,
                against_count=2,
                comment_count=len(ARGUMENTS),
            )
        )
    ProcessStep.objects.bulk_create(steps)
    PhaseChange.objects.bulk_create(changes)
    proposals = Proposal.objects.bulk_create(proposals)
    debates = Debate.objects.bulk_create(debates)

    supports, follows, comments = [], [], []
    per_plan = len(MICRO_PROPOSALS) + 1
    answered: list[Proposal] = []
    results: list[Result] = []
    for i, (community, worker, residents) in enumerate(plans):
        mine = proposals[i * per_plan : (i + 1) * per_plan]
        for n, proposal in enumerate(mine):
            follows.append(ProposalFollow(proposal=proposal, user_id=proposal.author_id))
            others = [r for r in residents if r != proposal.author_id]
            supports += [Support(proposal=proposal, user_id=r) for r in others[: proposal.support_count]]
            texts = COMMENTS[: 3 - n % 3]
            proposal.comment_count = len(texts)
            comments += [
                Comment(proposal=proposal, area_path=community.path, author_id=others[k % len(others)], body=t)
                for k, t in enumerate(texts)
            ]
        accepted, rejected = mine[0], mine[2]
        accepted.status, accepted.answer_outcome = ProposalStatus.ACCEPTED, AnswerOutcome.ACCEPTED
        accepted.answer_text = "经居民议事会商议同意建设, 由居委会牵头, 物业配合实施。"
        rejected.status, rejected.answer_outcome = ProposalStatus.REJECTED, AnswerOutcome.REJECTED
        rejected.answer_text = "小广场座椅已纳入街道统一采购, 无需单独立项。"
        for proposal in (accepted, rejected):
            proposal.answered_at, proposal.answered_by_id = now, worker.user_id
            proposal.answer_unit = community.name + "居委会"
        answered += [accepted, rejected]
        results.append(
            Result(
                title=accepted.title,
                description=accepted.answer_text,
                area=community,
                area_path=community.path,
                responsible_unit_id=worker.organisation_id,
                deadline=today + dt.timedelta(days=60 if i == 0 else -5),
                status=ResultStatus.IN_PROGRESS,
                progress=35 if i == 0 else 10,
                source_type=ContentType.objects.get_for_model(Proposal),
                source_id=accepted.pk,
                source_label=f"提议 #{accepted.pk}",
                source_url=accepted.get_absolute_url(),
                created_by_id=worker.user_id,
            )
        )
        debate = debates[i]
        comments += [
            Comment(debate=debate, area_path=community.path, author_id=residents[k], body=text, position=position)
            for k, (position, text) in enumerate(ARGUMENTS)
        ]
    Support.objects.bulk_create(supports)
    ProposalFollow.objects.bulk_create(follows)
    Comment.objects.bulk_create(comments)
    results = Result.objects.bulk_create(results)
    updates, milestones = [], []
    for result, accepted in zip(results, answered[::2], strict=True):
        accepted.result = result
        updates += [
            ResultUpdate(result=result, text=result.title, progress=0, status=ResultStatus.PLANNED, created_at=now),
            ResultUpdate(
                result=result,
                text="选址方案已公示 7 天, 无异议, 已确定施工单位。",
                progress=result.progress,
                status=ResultStatus.IN_PROGRESS,
                created_at=now,
            ),
        ]
        milestones += [
            Milestone(result=result, title="选址与方案公示", due_on=today, position=0, done_at=now),
            Milestone(result=result, title="施工建设", due_on=result.deadline, position=1),
        ]
    ResultUpdate.objects.bulk_create(updates)
    Milestone.objects.bulk_create(milestones)
    Proposal.objects.bulk_update(
        proposals,
        [
            "comment_count",
            "status",
            "answer_outcome",
            "answer_text",
            "answered_at",
            "answered_by",
            "answer_unit",
            "result",
        ],
    )
    counts = {"processes": len(processes), "proposals": len(proposals), "results": len(results)}
    if seeder is not None:
        for key, value in counts.items():
            seeder.counts[f"participation_{key}"] += value
    return counts
