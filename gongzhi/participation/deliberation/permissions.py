"""Who may do what in the deliberation hall.

``may_*`` answer the relationship question (role and area); the actions then refuse what the
state does not allow (phase, status) with a stable code, and check residents' eligibility
for the process (area, building, verification). Reading is public: processes, proposals,
debates and comments are public pages; held items are seen only by their author and the
moderators of their area.
"""

from __future__ import annotations

from typing import Any

from gongzhi.access.policy import Policy
from gongzhi.participation.deliberation import eligibility
from gongzhi.participation.deliberation.choices import OPEN_PROPOSAL, DebateStatus, Phase
from gongzhi.participation.deliberation.models import Debate, Process, Proposal


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_resident_participant(user: Any, perm: str) -> bool:
    return _signed_in(user) and getattr(user, "is_resident", False) and bool(eligibility.grant_paths(user, perm))


def may_add_process(user: Any) -> bool:
    return _signed_in(user) and bool(eligibility.grant_paths(user, "add_process"))


def may_change_process(user: Any, process: Process) -> bool:
    return _signed_in(user) and eligibility.covers(user, "change_process", process.area_path)


def may_propose(user: Any, process: Process) -> bool:
    return is_resident_participant(user, "add_proposal") or may_proxy(user, process)


def may_proxy(user: Any, process: Process | Proposal | Debate) -> bool:
    return _signed_in(user) and eligibility.overlaps(user, "proxy_proposal", process.area_path)


def may_support(user: Any, proposal: Proposal) -> bool:
    return is_resident_participant(user, "support_proposal") or may_proxy(user, proposal)


def may_follow(user: Any) -> bool:
    """Residents, and staff who follow proposals in their work."""
    return getattr(user, "is_resident", False) or (
        _signed_in(user) and bool(eligibility.grant_paths(user, "view_proposal"))
    )


def may_answer(user: Any, proposal: Proposal) -> bool:
    return _signed_in(user) and eligibility.covers(user, "answer_proposal", proposal.area_path)


def may_comment_self(user: Any, target: Proposal | Debate) -> bool:
    """A resident comments as themselves; staff of the area as their unit (official reply)."""
    if is_resident_participant(user, "add_comment"):
        return True
    return _signed_in(user) and eligibility.covers(user, "add_comment", target.area_path)


def may_comment(user: Any, target: Proposal | Debate) -> bool:
    return may_comment_self(user, target) or may_proxy(user, target)


def may_amend(user: Any) -> bool:
    return is_resident_participant(user, "add_amendment")


def may_report(user: Any) -> bool:
    return _signed_in(user) and bool(eligibility.grant_paths(user, "add_report"))


def may_add_debate(user: Any, process: Process) -> bool:
    return _signed_in(user) and eligibility.covers(user, "add_debate", process.area_path)


def may_change_debate(user: Any, debate: Debate) -> bool:
    return _signed_in(user) and eligibility.covers(user, "change_debate", debate.area_path)


def may_moderate(user: Any, obj: Any = None) -> bool:
    if not _signed_in(user):
        return False
    if obj is None:
        return bool(eligibility.grant_paths(user, "moderate_process"))
    return eligibility.covers(user, "moderate_process", obj.area_path)


def may_manage_words(user: Any) -> bool:
    return _signed_in(user) and bool(eligibility.grant_paths(user, "change_sensitiveword"))


class ProposalPolicy(Policy):
    """``can_<verb>`` with state, for showing the right buttons."""

    model = Proposal

    @classmethod
    def can_support(cls, user: Any, proposal: Proposal) -> bool:
        return (
            proposal.status in OPEN_PROPOSAL
            and not proposal.is_hidden
            and proposal.process.phase in (Phase.COLLECT, Phase.DELIBERATE)
            and proposal.author_id != getattr(user, "pk", None)
            and getattr(user, "is_resident", False)
            and eligibility.may_take_part(user, proposal.process, "support_proposal")
        )

    @classmethod
    def can_answer(cls, user: Any, proposal: Proposal) -> bool:
        return proposal.status in OPEN_PROPOSAL and may_answer(user, proposal)

    @classmethod
    def can_amend(cls, user: Any, proposal: Proposal) -> bool:
        return (
            proposal.status in OPEN_PROPOSAL
            and not proposal.is_hidden
            and proposal.author_id != getattr(user, "pk", None)
            and may_amend(user)
            and eligibility.may_take_part(user, proposal.process, "add_amendment")
        )

    @classmethod
    def can_comment(cls, user: Any, proposal: Proposal) -> bool:
        if not proposal.is_public or not may_comment(user, proposal):
            return False
        if getattr(user, "is_resident", False):
            return eligibility.may_take_part(user, proposal.process, "add_comment")
        return True


class DebatePolicy(Policy):
    model = Debate

    @classmethod
    def can_comment(cls, user: Any, debate: Debate) -> bool:
        if debate.status != DebateStatus.OPEN or not may_comment(user, debate):
            return False
        if getattr(user, "is_resident", False):
            return eligibility.may_take_part(user, debate.process, "add_comment")
        return True

    @classmethod
    def can_close(cls, user: Any, debate: Debate) -> bool:
        return debate.status == DebateStatus.OPEN and may_change_debate(user, debate)
