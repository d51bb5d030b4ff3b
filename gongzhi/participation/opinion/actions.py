"""Every write of the opinion map. Each is an ``@action`` with one change record."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.db.models import F
from django.utils import timezone

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.participation.opinion.choices import StatementStatus, VoteValue
from gongzhi.participation.opinion.clustering import compute_opinion_map
from gongzhi.participation.opinion.errors import OpinionError, OpinionErrorCode
from gongzhi.participation.opinion.models import Conversation, OpinionMapSnapshot, OpinionVote, Statement
from gongzhi.participation.opinion.permissions import ConversationPolicy
from gongzhi.territory.models import Area


@action
def start_conversation(area: Area, *, question: str, actor: Any, description: str = "") -> Conversation:
    if not question.strip():
        raise OpinionError(OpinionErrorCode.EMPTY_TEXT, field="question")
    conversation = Conversation.objects.create(
        area=area, area_path=area.path, question=question.strip(), description=description, created_by=actor
    )
    record_change(conversation, verb="create", actor=actor)
    return conversation


@action
def submit_statement(conversation: Conversation, *, text: str, actor: Any) -> Statement:
    """Residents' statements are held for review; a moderator's own are published at once."""
    text = text.strip()
    if not text:
        raise OpinionError(OpinionErrorCode.EMPTY_TEXT, field="text")
    if not conversation.is_open:
        raise OpinionError(OpinionErrorCode.CLOSED)
    moderator = ConversationPolicy.can_moderate(actor, conversation)
    if not moderator and not ConversationPolicy.can_propose(actor, conversation):
        raise OpinionError(OpinionErrorCode.NOT_ELIGIBLE)
    statement = Statement.objects.create(
        conversation=conversation,
        area_path=conversation.area_path,
        text=text[:280],
        author=actor,
        status=StatementStatus.PUBLISHED if moderator else StatementStatus.PENDING,
        moderated_by=actor if moderator else None,
    )
    record_change(statement, verb="submit", actor=actor, related=conversation)
    return statement


@action
def moderate_statement(statement: Statement, *, publish: bool, actor: Any, reason: str = "") -> Statement:
    """Publish a held statement, or reject it with a reason (kept, never silently dropped)."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != StatementStatus.PENDING:
        raise OpinionError(OpinionErrorCode.ALREADY_MODERATED)
    if not publish and not reason.strip():
        raise OpinionError(OpinionErrorCode.REASON_REQUIRED, field="reason")
    before = snapshot(statement)
    statement.status = StatementStatus.PUBLISHED if publish else StatementStatus.REJECTED
    statement.moderation_reason = reason.strip()[:500]
    statement.moderated_by = actor
    statement.save(update_fields=["status", "moderation_reason", "moderated_by", "updated_at"])
    record_change(statement, verb="publish" if publish else "reject", actor=actor, before=before)
    return statement


@action
def cast_opinion_vote(statement: Statement, *, value: int, actor: Any) -> OpinionVote:
    """Agree (1), disagree (-1) or pass (0); voting again replaces the earlier vote."""
    if value not in VoteValue.values:
        raise OpinionError(OpinionErrorCode.INVALID_VOTE, field="value")
    conversation = statement.conversation
    if not conversation.is_open:
        raise OpinionError(OpinionErrorCode.CLOSED)
    if statement.status != StatementStatus.PUBLISHED:
        raise OpinionError(OpinionErrorCode.NOT_PUBLISHED)
    if not ConversationPolicy.can_vote(actor, conversation):
        raise OpinionError(OpinionErrorCode.NOT_ELIGIBLE)
    vote, created = OpinionVote.objects.update_or_create(
        statement=statement,
        participant=actor,
        defaults={"value": value, "voted_at": timezone.now(), "conversation": conversation},
    )
    Conversation.objects.filter(pk=conversation.pk).update(votes_since_map=F("votes_since_map") + 1)
    record_change(
        vote,
        verb="vote" if created else "change_vote",
        actor=actor,
        after={"statement": statement.pk, "value": value},
        related=conversation,
    )
    return vote


@action
def close_conversation(conversation: Conversation, *, actor: Any) -> Conversation:
    before = snapshot(conversation)
    conversation.is_open = False
    conversation.save(update_fields=["is_open", "updated_at"])
    record_change(conversation, verb="close", actor=actor, before=before)
    return conversation


def _map_data(
    conversation: Conversation, votes: list[tuple[int, int, int]], statement_ids: list[int]
) -> dict[str, Any]:
    arr = np.asarray(votes, dtype=np.int64).reshape(-1, 3)
    result = compute_opinion_map(arr[:, 0], arr[:, 1], arr[:, 2], statement_ids=statement_ids)
    # Participants appear only as anonymous points, in a shuffled order (no ids).
    order = np.random.default_rng(conversation.pk).permutation(result.participant_ids.size)
    points = [
        [round(float(result.coords[i, 0]), 3), round(float(result.coords[i, 1]), 3), int(result.labels[i])]
        for i in order
    ]

    def shown(g: int, r: Any) -> dict[str, Any]:
        # Polis puts the group's "best agree" statement first even when its repness test
        # points the other way; the page shows it as what it is, the group's agreement.
        if r.best_agree and result.stats is not None:
            j = int(np.searchsorted(result.statement_ids, r.statement_id))
            seen = int(result.stats.n_seen[g, j])
            agreed = int(result.stats.n_agree[g, j])
            return {
                "statement": r.statement_id,
                "direction": "agree",
                "percent": round(100 * agreed / seen) if seen else 0,
                "repness": round(float(result.stats.r_agree[g, j]), 3),
            }
        return {
            "statement": r.statement_id,
            "direction": r.direction,
            "percent": round(100 * r.n_success / r.n_trials) if r.n_trials else 0,
            "repness": round(r.repness, 3),
        }

    groups = [
        {
            "size": int(np.count_nonzero(result.labels == g)),
            "representative": [shown(g, r) for r in result.representative[g]],
        }
        for g in range(result.k)
    ]

    def consensus(items: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "statement": c.statement_id,
                "score": round(c.score, 4),
                "groups": [round(100 * p) for p in c.group_probabilities],
            }
            for c in items
        ]

    return {
        "points": points,
        "groups": groups,
        "consensus_agree": consensus(result.consensus_agree),
        "consensus_disagree": consensus(result.consensus_disagree),
        "statements": [
            [int(s), round(float(x), 3), round(float(y), 3)]
            for s, (x, y) in zip(result.statement_ids, result.statement_coords, strict=True)
        ],
        "k": result.k,
        "silhouette": result.silhouette,
    }


@action
def compute_map(conversation: Conversation, *, actor: Any = None) -> OpinionMapSnapshot:
    """Compute and store a map snapshot from the current votes on published statements."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    started = time.perf_counter()
    statement_ids = list(conversation.statements.filter(status=StatementStatus.PUBLISHED).values_list("pk", flat=True))
    votes = list(
        OpinionVote.objects.filter(conversation=conversation, statement_id__in=statement_ids)
        .order_by("voted_at", "id")
        .values_list("participant_id", "statement_id", "value")
    )
    data = _map_data(conversation, votes, statement_ids)
    map_snapshot = OpinionMapSnapshot.objects.create(
        conversation=conversation,
        computed_at=timezone.now(),
        participants=len({v[0] for v in votes}),
        votes=len(votes),
        groups=data["k"],
        silhouette=data["silhouette"],
        seconds=round(time.perf_counter() - started, 4),
        data=data,
    )
    Conversation.objects.filter(pk=conversation.pk).update(votes_since_map=0)
    record_change(
        map_snapshot,
        verb="compute",
        actor=actor,
        after={"participants": map_snapshot.participants, "votes": map_snapshot.votes, "groups": map_snapshot.groups},
        related=conversation,
    )
    return map_snapshot
