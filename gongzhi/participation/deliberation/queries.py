"""Reads of the deliberation hall: public lists, what a user may see of held items, and the
moderation queue of a moderator's area."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from gongzhi.participation.deliberation import eligibility
from gongzhi.participation.deliberation.choices import AmendmentStatus, ContentStatus, ProposalStatus, ReportStatus
from gongzhi.participation.deliberation.models import (
    Amendment,
    Comment,
    Debate,
    ModerationEntry,
    Process,
    Proposal,
    Report,
)

HIDDEN_FROM_PUBLIC = (ProposalStatus.HELD, ProposalStatus.REMOVED)


def public_processes() -> QuerySet[Process]:
    return Process.objects.select_related("area", "building", "organisation")


def _own_or_moderated(user: Any) -> Q:
    """Held items their author and the moderators of their area may still see."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(author_id=user.pk)
    moderated = eligibility.area_q(user, "moderate_process")
    return q | moderated if moderated is not None else q


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Public proposals, plus the user's own held ones and (for moderators) held ones of their area."""
    qs = Proposal.objects.select_related("process")
    return qs.filter(~Q(status__in=HIDDEN_FROM_PUBLIC) | _own_or_moderated(user))


def visible_comments(user: Any) -> QuerySet[Comment]:
    return Comment.objects.filter(Q(status=ContentStatus.PUBLISHED) | _own_or_moderated(user))


def visible_amendments(user: Any) -> QuerySet[Amendment]:
    public = ~Q(status__in=[AmendmentStatus.HELD, AmendmentStatus.REMOVED])
    return Amendment.objects.filter(public | _own_or_moderated(user))


def public_debates() -> QuerySet[Debate]:
    return Debate.objects.select_related("process")


def proposal_page(user: Any) -> QuerySet[Proposal]:
    """A proposal with what its page shows, in a fixed number of queries."""
    comments = visible_comments(user).select_related("parent").order_by("created_at", "id")
    return (
        visible_proposals(user)
        .select_related("process__area", "merged_into", "result", "work_order", "agenda_item__meeting")
        .prefetch_related(
            Prefetch("comments", queryset=comments, to_attr="visible_comments"),
            Prefetch("amendments", queryset=visible_amendments(user).order_by("id"), to_attr="visible_amendments"),
        )
    )


def debate_page(user: Any) -> QuerySet[Debate]:
    comments = visible_comments(user).select_related("parent").order_by("created_at", "id")
    return public_debates().prefetch_related(Prefetch("comments", queryset=comments, to_attr="visible_comments"))


def moderation_queue(user: Any) -> dict[str, Any]:
    """Held items and open reports in the moderator's area (empty when they moderate nowhere)."""
    area = eligibility.area_q(user, "moderate_process")
    if area is None:
        return {"proposals": [], "comments": [], "amendments": [], "reports": []}
    return {
        "proposals": list(Proposal.objects.filter(area, status=ProposalStatus.HELD).order_by("id")[:100]),
        "comments": list(Comment.objects.filter(area, status=ContentStatus.HELD).order_by("id")[:100]),
        "amendments": list(Amendment.objects.filter(area, status=AmendmentStatus.HELD).order_by("id")[:100]),
        "reports": list(Report.objects.filter(area, status=ReportStatus.OPEN).order_by("id")[:100]),
    }


def moderation_log(user: Any) -> QuerySet[ModerationEntry]:
    area = eligibility.area_q(user, "moderate_process")
    if area is None:
        return ModerationEntry.objects.none()
    # Word-list changes have no area: every moderator sees them.
    return (
        ModerationEntry.objects.filter(area | Q(area_path=""))
        .select_related("moderator")
        .order_by("-created_at", "-id")
    )


def comment_tree(comments: list[Comment]) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies (replies to replies are shown under the top one)."""
    by_id = {c.pk: c for c in comments}
    roots: dict[int, list[Comment]] = {c.pk: [] for c in comments if c.parent_id is None}
    for c in comments:
        if c.parent_id is None:
            continue
        root = c
        seen = 0
        while root.parent_id is not None and root.parent_id in by_id and seen < 50:
            root = by_id[root.parent_id]
            seen += 1
        if root.pk in roots:
            roots[root.pk].append(c)
    return [(by_id[pk], replies) for pk, replies in roots.items()]
