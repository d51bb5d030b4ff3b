"""Reads of the opinion map. Public reads expose no personal data."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from gongzhi.participation.opinion.choices import StatementStatus
from gongzhi.participation.opinion.models import Conversation, OpinionMapSnapshot, OpinionVote, Statement

#: A map is recomputed after this many new votes, or 5% of the votes, whichever is larger.
MIN_NEW_VOTES = 20


def list_public_conversations() -> QuerySet[Conversation]:
    return Conversation.objects.select_related("area").annotate(
        published=Count("statements", filter=Q(statements__status=StatementStatus.PUBLISHED))
    )


def list_published_statements(conversation: Conversation) -> QuerySet[Statement]:
    return conversation.statements.filter(status=StatementStatus.PUBLISHED).order_by("pk")


def list_pending_statements(conversation: Conversation) -> QuerySet[Statement]:
    return conversation.statements.filter(status=StatementStatus.PENDING).order_by("pk")


def get_latest_map(conversation: Conversation) -> OpinionMapSnapshot | None:
    return conversation.maps.order_by("-computed_at", "-id").first()


def get_my_votes(conversation: Conversation, user: Any) -> dict[int, int]:
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        OpinionVote.objects.filter(conversation=conversation, participant=user).values_list("statement_id", "value")
    )


def list_conversations_needing_map() -> list[Conversation]:
    candidates = Conversation.objects.filter(is_open=True, votes_since_map__gte=MIN_NEW_VOTES).annotate(
        total=Count("statements__votes")
    )
    return [c for c in candidates if c.votes_since_map >= max(MIN_NEW_VOTES, c.total // 20)]
