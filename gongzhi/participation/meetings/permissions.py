"""Who may do what to meetings, resolutions and owners' votes: scope plus state."""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.participation.meetings.choices import MeetingStatus, OwnersVoteStatus, ResolutionStatus
from gongzhi.participation.meetings.models import Meeting, Owner, OwnersVote, Resolution


class MeetingPolicy(Policy):
    model = Meeting

    @classmethod
    def can_attend(cls, user: Any, meeting: Meeting | None) -> bool:
        if meeting is None:
            return cls.has_permission(user, "attend")
        return meeting.status == MeetingStatus.IN_PROGRESS and cls.in_scope(user, "attend", meeting)

    @classmethod
    def can_change(cls, user: Any, meeting: Meeting | None) -> bool:
        if meeting is None:
            return cls.has_permission(user, "change")
        return cls.in_scope(user, "change", meeting)


class ResolutionPolicy(Policy):
    model = Resolution

    @classmethod
    def can_vote(cls, user: Any, resolution: Resolution | None) -> bool:
        if resolution is None:
            return cls.has_permission(user, "vote")
        return resolution.status == ResolutionStatus.VOTING and cls.in_scope(user, "vote", resolution)


class OwnerPolicy(Policy):
    model = Owner


class OwnersVotePolicy(Policy):
    model = OwnersVote

    @classmethod
    def can_cast(cls, user: Any, vote: OwnersVote | None) -> bool:
        if vote is None:
            return cls.has_permission(user, "cast")
        return vote.status == OwnersVoteStatus.OPEN and cls.in_scope(user, "cast", vote)

    @classmethod
    def can_enter(cls, user: Any, vote: OwnersVote | None) -> bool:
        if vote is None:
            return cls.has_permission(user, "enter")
        return vote.status == OwnersVoteStatus.OPEN and cls.in_scope(user, "enter", vote)
