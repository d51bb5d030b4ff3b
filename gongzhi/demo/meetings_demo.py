"""Demo meetings and owners' votes: a residents' council held with a passed resolution, a
planned representatives' assembly, and an estate's owner roll with a closed statutory vote and
an open one. Rows are written directly (the demo seed is one transaction, one change record)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.participation.meetings import statutory
from gongzhi.participation.meetings.choices import (
    AttendanceMethod,
    MeetingKind,
    MeetingStatus,
    OwnersMatter,
    OwnersVoteStatus,
    ResolutionStatus,
    VoteChoice,
    VoteMethod,
)
from gongzhi.participation.meetings.models import (
    AgendaItem,
    Attendance,
    Elector,
    Meeting,
    Owner,
    OwnerBallot,
    Ownership,
    OwnersVote,
    Resolution,
)
from gongzhi.territory.models import Area, Room


def seed(seeder: Any) -> None:
    community: Area = seeder.communities[0].area
    now = timezone.now()
    held = Meeting.objects.create(
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="加装电梯议事协商会",
        description="就加装电梯意向调查结果和费用分摊方案进行协商。",
        area=community,
        area_path=community.path,
        starts_at=now - dt.timedelta(days=1, hours=3),
        location="社区党群服务中心二楼会议室",
        quorum=10,
        status=MeetingStatus.CLOSED,
        started_at=now - dt.timedelta(days=1, hours=3),
        closed_at=now - dt.timedelta(days=1, hours=1),
        minutes="会议通报了加装电梯意向调查结果，与会居民代表就费用按楼层分摊达成一致，"
        "同意由社区居委会牵头向街道申请加装电梯补贴，并在三十日内公示分摊方案。",
        minutes_published_at=now - dt.timedelta(days=1),
    )
    for i, title in enumerate(["通报加装电梯意向调查结果", "讨论费用分摊方案", "表决申请补贴事项"], start=1):
        AgendaItem.objects.create(meeting=held, position=i, title=title)
    users = list(
        get_user_model()
        .objects.filter(kind="resident", home_area__path__startswith=community.path)
        .order_by("id")
        .values_list("id", flat=True)[:18]
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=held, user_id=u, method=AttendanceMethod.PAPER if i % 4 else AttendanceMethod.QR)
            for i, u in enumerate(users)
        ]
    )
    present = len(users)
    Meeting.objects.filter(pk=held.pk).update(attendance_count=present)
    votes_for = present - present // 6
    Resolution.objects.create(
        meeting=held,
        area_path=community.path,
        title="同意向街道申请加装电梯补贴并按楼层分摊自筹费用",
        status=ResolutionStatus.PASSED if 2 * votes_for > present else ResolutionStatus.REJECTED,
        votes_for=votes_for,
        votes_against=present // 6,
        present=present,
        decided_at=now - dt.timedelta(days=1, hours=1),
    )
    Meeting.objects.create(
        kind=MeetingKind.REPRESENTATIVES,
        title="第四季度居民代表大会",
        area=community,
        area_path=community.path,
        starts_at=now + dt.timedelta(days=6),
        location="社区党群服务中心一楼大厅",
        quorum=20,
    )
    seeder.counts["meetings"] += 2
    _owners(seeder, community)


def _owners(seeder: Any, community: Area) -> None:
    grid = Area.objects.filter(parent=community).order_by("path").first()
    if grid is None:
        return
    rooms = list(Room.objects.filter(unit__building__grid=grid, floor_area__isnull=False).order_by("id")[:48])
    if len(rooms) < 6:
        return
    rng = seeder.rng
    owners = Owner.objects.bulk_create(
        [
            Owner(
                estate=grid,
                area_path=grid.path,
                name=seeder._resident_name(),
                evidence=f"不动产权证 粤({2010 + i % 12})第{rng.randrange(10**7):07d}号",
            )
            for i, _room in enumerate(rooms)
        ]
    )
    Ownership.objects.bulk_create([Ownership(owner=o, room=r) for o, r in zip(owners, rooms, strict=True)])
    areas = {o.pk: Decimal(r.floor_area) for o, r in zip(owners, rooms, strict=True)}
    now = timezone.now()
    for title, matter, status in (
        ("续聘物业服务企业", OwnersMatter.PROPERTY_MANAGER, "closed"),
        ("使用专项维修资金更换2栋电梯", OwnersMatter.USE_MAINTENANCE_FUND, "open"),
    ):
        vote = OwnersVote.objects.create(
            estate=grid,
            area_path=grid.path,
            title=title,
            matter=matter,
            status=OwnersVoteStatus.OPEN,
            total_area=sum(areas.values(), Decimal("0")),
            total_owners=len(owners),
            opened_at=now - dt.timedelta(days=14),
        )
        electors = Elector.objects.bulk_create([Elector(vote=vote, owner=o, floor_area=areas[o.pk]) for o in owners])
        share = 0.8 if status == "closed" else 0.4
        ballots = []
        for elector in electors:
            if rng.random() > share:
                continue
            choice = rng.choices([VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN], weights=[75, 15, 10])[0]
            written = rng.random() < 0.3
            ballots.append(
                OwnerBallot(
                    vote=vote,
                    elector=elector,
                    owner_id=elector.owner_id,
                    choice=choice,
                    floor_area=elector.floor_area,
                    method=VoteMethod.WRITTEN if written else VoteMethod.ONLINE,
                    evidence="书面表决票(业主签字)" if written else "",
                )
            )
        OwnerBallot.objects.bulk_create(ballots)
        if status == "closed":
            count = statutory.Count(
                total_area=vote.total_area,
                total_owners=vote.total_owners,
                participating_area=sum((b.floor_area for b in ballots), Decimal("0")),
                participating_owners=len(ballots),
                for_area=sum((b.floor_area for b in ballots if b.choice == VoteChoice.FOR), Decimal("0")),
                for_owners=sum(1 for b in ballots if b.choice == VoteChoice.FOR),
            )
            outcome = statutory.decide(count, matter)
            against = [b for b in ballots if b.choice == VoteChoice.AGAINST]
            OwnersVote.objects.filter(pk=vote.pk).update(
                status=OwnersVoteStatus.PASSED if outcome.passed else OwnersVoteStatus.FAILED,
                participating_area=count.participating_area,
                participating_owners=count.participating_owners,
                for_area=count.for_area,
                for_owners=count.for_owners,
                against_area=sum((b.floor_area for b in against), Decimal("0")),
                against_owners=len(against),
                participation_met=outcome.participation_met,
                majority_met=outcome.majority_met,
                closed_at=now - dt.timedelta(days=1),
            )
    seeder.counts["owners"] += len(owners)
