"""Counting an owners' vote: the art. 278 figures from its ballots, in one SQL aggregate."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gongzhi.participation.meetings import statutory
from gongzhi.participation.meetings.choices import VoteChoice
from gongzhi.participation.meetings.models import OwnersVote


def count_owners_vote(vote: OwnersVote) -> statutory.Count:
    """The art. 278 figures from the ballots (one SQL aggregate)."""
    agg = vote.ballots.aggregate(
        p_area=Sum("floor_area"),
        p_owners=Count("id"),
        f_area=Sum("floor_area", filter=Q(choice=VoteChoice.FOR)),
        f_owners=Count("id", filter=Q(choice=VoteChoice.FOR)),
    )
    return statutory.Count(
        total_area=Decimal(vote.total_area),
        total_owners=vote.total_owners,
        participating_area=Decimal(agg["p_area"] or 0),
        participating_owners=agg["p_owners"],
        for_area=Decimal(agg["f_area"] or 0),
        for_owners=agg["f_owners"],
    )
