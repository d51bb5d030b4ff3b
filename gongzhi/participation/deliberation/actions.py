"""Every write in the deliberation hall. Each action locks what it counts on
(``select_for_update``/``F()``, with database constraints behind them), writes exactly one
change record, enqueues a ledger event for tallies and decisions (ids and counts only), and
tells followers through the notification service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.sequencer import enqueue_event
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.participation.accountability import notices
from gongzhi.participation.accountability.tracking import track_result, unit_label
from gongzhi.participation.deliberation import eligibility, moderation
from gongzhi.participation.deliberation.choices import (
    DECISION_STEPS,
    OPEN_PROPOSAL,
    PHASE_ORDER,
    STEPS_BEFORE_LEAVING,
    AmendmentStatus,
    AnswerOutcome,
    ContentStatus,
    DebateStatus,
    ModerationAction,
    Phase,
    Position,
    ProposalStatus,
    ReportStatus,
    StepKind,
    TargetKind,
    Template,
)
from gongzhi.participation.deliberation.errors import DeliberationError, DeliberationErrorCode
from gongzhi.participation.deliberation.models import (
    Amendment,
    Comment,
    Debate,
    ModerationEntry,
    PhaseChange,
    Process,
    ProcessStep,
    Proposal,
    ProposalFollow,
    Report,
    SensitiveWord,
    Support,
)
from gongzhi.participation.meetings.actions import add_agenda_item
from gongzhi.participation.meetings.choices import MeetingStatus
from gongzhi.participation.meetings.models import Meeting
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building
from gongzhi.work_orders.actions import submit_work_order
from gongzhi.work_orders.choices import Channel, OrderType

E = DeliberationErrorCode

#: The phases in which each step of 四议两公开 may be recorded.
STEP_PHASES = {
    StepKind.PARTY_PROPOSES: {Phase.COLLECT, Phase.DELIBERATE},
    StepKind.COMMITTEES_DELIBERATE: {Phase.COLLECT, Phase.DELIBERATE},
    StepKind.MEMBERS_REVIEW: {Phase.DELIBERATE},
    StepKind.RESIDENTS_RESOLVE: {Phase.DECIDE},
    StepKind.PUBLISH_RESOLUTION: {Phase.DECIDE},
    StepKind.PUBLISH_RESULTS: {Phase.IMPLEMENT, Phase.EVALUATE},
}
SUPPORT_PHASES = frozenset({Phase.COLLECT, Phase.DELIBERATE})
ANSWER_STATUS = {
    AnswerOutcome.ACCEPTED: ProposalStatus.ACCEPTED,
    AnswerOutcome.REJECTED: ProposalStatus.REJECTED,
    AnswerOutcome.MERGED: ProposalStatus.MERGED,
    AnswerOutcome.WORK_ORDER: ProposalStatus.WORK_ORDER,
    AnswerOutcome.AGENDA: ProposalStatus.AGENDA,
}


# --- helpers ------------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, code: DeliberationErrorCode = E.TEXT_REQUIRED) -> str:
    text = str(value or "").strip()
    if not text:
        raise DeliberationError(code, field=field)
    if len(text) > max_length:
        raise DeliberationError(E.TEXT_TOO_LONG, field=field)
    return text


def _lock(obj: Any) -> Any:
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def _require_area(actor: Any, perm: str, area_path: str) -> None:
    if not eligibility.covers(actor, perm, area_path):
        raise DeliberationError(E.AREA_NOT_ALLOWED)


def _log(
    act: ModerationAction,
    *,
    moderator: Any,
    target: Model | None = None,
    reason: str = "",
    matched: list[str] | None = None,
) -> ModerationEntry:
    return ModerationEntry.objects.create(
        action=act,
        target_kind=_kind_of(target) if target is not None else "",
        target_id=target.pk if target is not None else None,
        area_path=getattr(target, "area_path", "") if target is not None else "",
        moderator=moderator if getattr(moderator, "is_authenticated", False) else None,
        reason=reason[:500],
        matched=matched or [],
    )


def _kind_of(target: Model) -> str:
    kinds: dict[type[Model], TargetKind] = {
        Proposal: TargetKind.PROPOSAL,
        Comment: TargetKind.COMMENT,
        Amendment: TargetKind.AMENDMENT,
    }
    return kinds[type(target)].value


def _followers(proposal: Proposal, *, exclude: Any = None) -> list[Any]:
    follows = ProposalFollow.objects.filter(proposal=proposal).select_related("user")
    return [f.user for f in follows if exclude is None or f.user_id != getattr(exclude, "pk", None)]


def _tell_followers(proposal: Proposal, title: str, body: str = "", *, exclude: Any = None) -> None:
    notices.send(
        _followers(proposal, exclude=exclude),
        kind="deliberation.proposal",
        title=title,
        body=body,
        url=proposal.get_absolute_url(),
        source=proposal,
    )


# --- processes ----------------------------------------------------------------------------------


@action
def create_process(
    *,
    actor: Any,
    title: str,
    area: Area,
    description: str = "",
    building: Building | None = None,
    template: Template | str = Template.CUSTOM,
    support_threshold: int = 20,
    requires_verified: bool = False,
    organisation: Organisation | None = None,
) -> Process:
    """Open a process for a street, a community (or grid), or one building in it."""
    _require_area(actor, "add_process", area.path)
    if area.level < AreaLevel.STREET or not area.is_active:
        raise DeliberationError(E.AREA_NOT_ALLOWED, field="area")
    if building is not None and not building.area_path.startswith(area.path):
        raise DeliberationError(E.AREA_NOT_ALLOWED, field="building")
    if not isinstance(support_threshold, int) or support_threshold < 1:
        raise DeliberationError(E.TEXT_REQUIRED, field="support_threshold")
    template = Template(template)
    process = Process.objects.create(
        title=_text(title, "title", 200),
        description=str(description or "").strip()[:8000],
        area=area,
        area_path=area.path,
        building=building,
        organisation=organisation,
        template=template,
        support_threshold=support_threshold,
        requires_verified=requires_verified,
        created_by=actor,
    )
    if template == Template.FOUR_TWO:
        ProcessStep.objects.bulk_create(
            [ProcessStep(process=process, kind=kind, position=i) for i, kind in enumerate(StepKind)]
        )
    record_change(process, verb="create", actor=actor)
    return process


@action
def advance_phase(process: Process, *, actor: Any, note: str = "") -> Process:
    """Move the process to its next phase. With 四议两公开, the steps of the phase must be done."""
    process = _lock(process)
    _require_area(actor, "change_process", process.area_path)
    index = PHASE_ORDER.index(Phase(process.phase))
    if index == len(PHASE_ORDER) - 1:
        raise DeliberationError(E.LAST_PHASE)
    if process.template == Template.FOUR_TWO:
        required = STEPS_BEFORE_LEAVING.get(Phase(process.phase), [])
        if required and process.steps.filter(kind__in=required, done_at__isnull=True).exists():
            raise DeliberationError(E.STEPS_OPEN)
    before, old = snapshot(process), process.phase
    process.phase, process.phase_changed_at = PHASE_ORDER[index + 1], timezone.now()
    process.save(update_fields=["phase", "phase_changed_at", "updated_at"])
    PhaseChange.objects.create(
        process=process,
        from_phase=old,
        to_phase=process.phase,
        actor=actor,
        actor_unit=unit_label(actor, process.organisation),
        note=str(note or "").strip()[:4000],
    )
    enqueue_event(
        EventKind.DECISION,
        {"type": "participation.process.phase", "process": process.pk, "from": old, "to": process.phase},
    )
    record_change(process, verb="advance_phase", actor=actor, before=before)
    return process


@action
def complete_step(step: ProcessStep, *, actor: Any, note: str = "") -> ProcessStep:
    """Record one step of 四议两公开 as done; the steps go in order, each in its phase."""
    process = _lock(step.process)
    _require_area(actor, "change_process", process.area_path)
    step = ProcessStep.objects.select_for_update().get(pk=step.pk)
    if step.done_at is not None:
        raise DeliberationError(E.STEP_DONE)
    if process.steps.filter(position__lt=step.position, done_at__isnull=True).exists():
        raise DeliberationError(E.STEP_OUT_OF_ORDER)
    if process.phase not in STEP_PHASES[StepKind(step.kind)]:
        raise DeliberationError(E.WRONG_PHASE)
    before = snapshot(step)
    step.done_at, step.done_by, step.note = timezone.now(), actor, str(note or "").strip()[:4000]
    step.save(update_fields=["done_at", "done_by", "note"])
    if step.kind in DECISION_STEPS:
        enqueue_event(
            EventKind.DECISION, {"type": "participation.process.step", "process": process.pk, "step": step.kind}
        )
    record_change(step, verb="complete_step", actor=actor, before=before, related=process)
    return step


# --- proposals ----------------------------------------------------------------------------------


@action
def submit_proposal(process: Process, *, actor: Any, title: str, body: str, on_behalf_of: Any = None) -> Proposal:
    """A resident's proposal (or a staff member entering one for a resident without a phone).
    Text matching a sensitive word is held for review."""
    process = Process.objects.get(pk=process.pk)  # the phase as it is now
    if process.phase != Phase.COLLECT:
        raise DeliberationError(E.WRONG_PHASE)
    author, entered_by = eligibility.participant(actor, process, on_behalf_of, "add_proposal")
    title, body = _text(title, "title", 150), _text(body, "body", 6000)
    moderation.check_rate(author, "proposal")
    matched = moderation.find_sensitive(title, body)
    proposal = Proposal.objects.create(
        process=process,
        area_path=process.area_path,
        title=title,
        body=body,
        author=author,
        entered_by=entered_by,
        status=ProposalStatus.HELD if matched else ProposalStatus.PUBLISHED,
        follower_count=1,
    )
    ProposalFollow.objects.create(proposal=proposal, user=author)
    if matched:
        _log(ModerationAction.HELD, moderator=None, target=proposal, matched=matched)
    record_change(proposal, verb="submit", actor=actor)
    return proposal


@action
def withdraw_proposal(proposal: Proposal, *, actor: Any) -> Proposal:
    proposal = _lock(proposal)
    if proposal.author_id != getattr(actor, "pk", None):
        raise DeliberationError(E.NOT_AUTHOR)
    if proposal.status not in (*OPEN_PROPOSAL, ProposalStatus.HELD):
        raise DeliberationError(E.NOT_OPEN)
    before = snapshot(proposal)
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    record_change(proposal, verb="withdraw", actor=actor, before=before)
    return proposal


@action
def support_proposal(proposal: Proposal, *, actor: Any, on_behalf_of: Any = None) -> Support:
    """One support per resident (a unique constraint decides concurrent repeats). Reaching the
    process's threshold moves the proposal to official consideration (a ledger tally)."""
    proposal = Proposal.objects.select_for_update().select_related("process").get(pk=proposal.pk)
    process = proposal.process
    if proposal.status not in OPEN_PROPOSAL or proposal.is_hidden:
        raise DeliberationError(E.NOT_OPEN)
    if process.phase not in SUPPORT_PHASES:
        raise DeliberationError(E.WRONG_PHASE)
    supporter, entered_by = eligibility.participant(actor, process, on_behalf_of, "support_proposal")
    if supporter.pk == proposal.author_id:
        raise DeliberationError(E.OWN_PROPOSAL)
    try:
        with transaction.atomic():
            support = Support.objects.create(proposal=proposal, user=supporter, entered_by=entered_by)
    except IntegrityError:
        raise DeliberationError(E.ALREADY_SUPPORTED) from None
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    proposal.refresh_from_db(fields=["support_count"])
    if proposal.status == ProposalStatus.PUBLISHED and proposal.support_count >= process.support_threshold:
        proposal.status, proposal.threshold_reached_at = ProposalStatus.CONSIDERATION, timezone.now()
        proposal.save(update_fields=["status", "threshold_reached_at", "updated_at"])
        enqueue_event(
            EventKind.VOTE_TALLY,
            {
                "type": "participation.proposal.threshold",
                "proposal": proposal.pk,
                "supports": proposal.support_count,
                "threshold": process.support_threshold,
            },
        )
        _tell_followers(
            proposal,
            gettext("“%(title)s” reached %(n)s supports and goes to official consideration")
            % {"title": proposal.title, "n": proposal.support_count},
        )
    record_change(support, verb="support", actor=actor, related=proposal)
    return support


@action
def follow_proposal(proposal: Proposal, *, actor: Any) -> ProposalFollow:
    if not proposal.is_public:
        raise DeliberationError(E.NOT_OPEN)
    try:
        with transaction.atomic():
            follow = ProposalFollow.objects.create(proposal=proposal, user=actor)
    except IntegrityError:
        raise DeliberationError(E.ALREADY_FOLLOWING) from None
    Proposal.objects.filter(pk=proposal.pk).update(follower_count=F("follower_count") + 1)
    record_change(follow, verb="follow", actor=actor, related=proposal)
    return follow


@action
def unfollow_proposal(proposal: Proposal, *, actor: Any) -> Proposal:
    deleted, _ = ProposalFollow.objects.filter(proposal=proposal, user=actor).delete()
    if not deleted:
        raise DeliberationError(E.NOT_FOLLOWING)
    Proposal.objects.filter(pk=proposal.pk, follower_count__gt=0).update(follower_count=F("follower_count") - 1)
    record_change(proposal, verb="unfollow", actor=actor, before={"following": True}, after={"following": False})
    return proposal


@action
def answer_proposal(
    proposal: Proposal,
    *,
    actor: Any,
    outcome: AnswerOutcome | str,
    text: str,
    merge_into: Proposal | None = None,
    responsible_unit: Organisation | None = None,
    deadline: dt.date | None = None,
    category: MatterCategory | None = None,
    meeting: Meeting | None = None,
) -> Proposal:
    """The official answer: accepted (becomes a tracked result), not accepted (with a reason),
    merged into another proposal, turned into a request (work order) for the author, or put on
    the agenda of a coming meeting whose area covers the proposal's (the item links back)."""
    proposal = Proposal.objects.select_for_update().select_related("process__area").get(pk=proposal.pk)
    process = proposal.process
    _require_area(actor, "answer_proposal", proposal.area_path)
    if proposal.status not in OPEN_PROPOSAL:
        raise DeliberationError(E.NOT_OPEN)
    outcome = AnswerOutcome(outcome)
    text = _text(text, "text", 4000, E.REASON_REQUIRED if outcome == AnswerOutcome.REJECTED else E.TEXT_REQUIRED)
    before = snapshot(proposal)
    fields = ["status", "answer_outcome", "answer_text", "answered_at", "answered_by", "answer_unit", "updated_at"]
    if outcome == AnswerOutcome.MERGED:
        if (
            merge_into is None
            or merge_into.pk == proposal.pk
            or merge_into.process_id != proposal.process_id
            or merge_into.status not in OPEN_PROPOSAL
        ):
            raise DeliberationError(E.MERGE_TARGET_INVALID, field="merge_into")
        proposal.merged_into = merge_into
        fields.append("merged_into")
    elif outcome == AnswerOutcome.ACCEPTED:
        proposal.result = track_result(
            proposal,
            title=proposal.title,
            area=process.area,
            responsible_unit=responsible_unit,
            deadline=deadline,
            actor=actor,
            description=text,
        )
        fields.append("result")
    elif outcome == AnswerOutcome.WORK_ORDER:
        proposal.work_order = submit_work_order(
            actor=actor,
            order_type=OrderType.SUGGESTION,
            area=process.area,
            title=proposal.title,
            description=f"{proposal.body}\n\n{text}"[:4000],
            channel=Channel.WALK_IN,
            category=category,
            on_behalf_of=proposal.author,
            is_public=True,
        )
        fields.append("work_order")
    elif outcome == AnswerOutcome.AGENDA:
        if (
            meeting is None
            or meeting.status != MeetingStatus.PLANNED
            or not proposal.area_path.startswith(meeting.area_path)
        ):
            raise DeliberationError(E.MEETING_INVALID, field="meeting")
        proposal.agenda_item = add_agenda_item(
            meeting,
            actor=actor,
            title=proposal.title,
            description=f"{proposal.body}\n\n{text}"[:4000],
            source_label=gettext("Residents' proposal %(number)s") % {"number": f"#{proposal.pk}"},
            source_url=proposal.get_absolute_url(),
        )
        fields.append("agenda_item")
    proposal.status = ANSWER_STATUS[outcome]
    proposal.answer_outcome, proposal.answer_text = outcome, text
    proposal.answered_at, proposal.answered_by = timezone.now(), actor
    proposal.answer_unit = unit_label(actor, process.organisation)
    proposal.save(update_fields=fields)
    enqueue_event(
        EventKind.DECISION,
        {
            "type": "participation.proposal.answered",
            "proposal": proposal.pk,
            "process": process.pk,
            "outcome": outcome.value,
            "supports": proposal.support_count,
            "result": proposal.result_id or 0,
            "work_order": proposal.work_order_id or 0,
            "agenda_item": proposal.agenda_item_id or 0,
            "merged_into": proposal.merged_into_id or 0,
        },
    )
    record_change(proposal, verb="answer", actor=actor, before=before)
    _tell_followers(
        proposal,
        gettext("Official answer to “%(title)s”: %(outcome)s") % {"title": proposal.title, "outcome": outcome.label},
        text,
    )
    return proposal


# --- comments and amendments --------------------------------------------------------------------


@action
def add_comment(
    target: Proposal | Debate,
    *,
    actor: Any,
    body: str,
    parent: Comment | None = None,
    position: Position | str = Position.NONE,
    on_behalf_of: Any = None,
) -> Comment:
    """Comment on a proposal or a debate (a reply when ``parent`` is given). Residents of the
    area comment themselves or through staff; staff comment as their unit (official reply)."""
    target = _lock(target)
    is_debate = isinstance(target, Debate)
    if isinstance(target, Debate) and target.status != DebateStatus.OPEN:
        raise DeliberationError(E.DEBATE_CLOSED)
    if isinstance(target, Proposal) and not target.is_public:
        raise DeliberationError(E.NOT_OPEN)
    process = target.process
    author_unit, entered_by = "", None
    if on_behalf_of is None and not getattr(actor, "is_resident", False):
        _require_area(actor, "add_comment", target.area_path)
        author, author_unit = actor, unit_label(actor, process.organisation) or str(actor)[:200]
    else:
        author, entered_by = eligibility.participant(actor, process, on_behalf_of, "add_comment")
    body = _text(body, "body", 3000)
    if parent is not None and (parent.debate_id if is_debate else parent.proposal_id) != target.pk:
        raise DeliberationError(E.REPLY_ELSEWHERE, field="parent")
    position = Position(position or Position.NONE) if is_debate else Position.NONE
    moderation.check_rate(author, "comment")
    matched = moderation.find_sensitive(body)
    comment = Comment.objects.create(
        proposal=None if is_debate else target,
        debate=target if is_debate else None,
        parent=parent,
        area_path=target.area_path,
        author=author,
        entered_by=entered_by,
        author_unit=author_unit,
        body=body,
        position=position,
        status=ContentStatus.HELD if matched else ContentStatus.PUBLISHED,
    )
    if matched:
        _log(ModerationAction.HELD, moderator=None, target=comment, matched=matched)
    else:
        _count_comment(comment, +1)
        _tell_about_comment(comment)
    record_change(comment, verb="comment", actor=actor, related=target)
    return comment


def _count_comment(comment: Comment, delta: int) -> None:
    if comment.proposal_id:
        Proposal.objects.filter(pk=comment.proposal_id).update(comment_count=F("comment_count") + delta)
        return
    counts: dict[str, Any] = {"comment_count": F("comment_count") + delta}
    if comment.position == Position.FOR:
        counts["for_count"] = F("for_count") + delta
    elif comment.position == Position.AGAINST:
        counts["against_count"] = F("against_count") + delta
    Debate.objects.filter(pk=comment.debate_id).update(**counts)


def _tell_about_comment(comment: Comment) -> None:
    if comment.parent_id and comment.parent is not None and comment.parent.author_id != comment.author_id:
        target = comment.proposal or comment.debate
        notices.send(
            [comment.parent.author],
            kind="deliberation.reply",
            title=gettext("Someone replied to your comment"),
            url=target.get_absolute_url() if target is not None else "",
            source=comment,
        )


@action
def propose_amendment(proposal: Proposal, *, actor: Any, body: str) -> Amendment:
    proposal = _lock(proposal)
    if proposal.status not in OPEN_PROPOSAL or proposal.is_hidden:
        raise DeliberationError(E.NOT_OPEN)
    eligibility.check_resident(actor, proposal.process, "add_amendment")
    if proposal.author_id == actor.pk:
        raise DeliberationError(E.OWN_PROPOSAL)
    body = _text(body, "body", 3000)
    moderation.check_rate(actor, "comment")
    matched = moderation.find_sensitive(body)
    amendment = Amendment.objects.create(
        proposal=proposal,
        area_path=proposal.area_path,
        author=actor,
        body=body,
        status=AmendmentStatus.HELD if matched else AmendmentStatus.PENDING,
    )
    if matched:
        _log(ModerationAction.HELD, moderator=None, target=amendment, matched=matched)
    else:
        notices.send(
            [proposal.author],
            kind="deliberation.amendment",
            title=gettext("An amendment was proposed to “%(title)s”") % {"title": proposal.title},
            url=proposal.get_absolute_url(),
            source=amendment,
        )
    record_change(amendment, verb="propose_amendment", actor=actor, related=proposal)
    return amendment


@action
def decide_amendment(amendment: Amendment, *, actor: Any, accept: bool, reason: str = "") -> Amendment:
    """The proposal's author accepts an amendment (its text is added to the proposal) or declines it."""
    amendment = _lock(amendment)
    proposal = _lock(amendment.proposal)
    if proposal.author_id != getattr(actor, "pk", None):
        raise DeliberationError(E.NOT_AUTHOR)
    if amendment.status != AmendmentStatus.PENDING:
        raise DeliberationError(E.AMENDMENT_DECIDED)
    if proposal.status not in OPEN_PROPOSAL:
        raise DeliberationError(E.NOT_OPEN)
    reason = str(reason or "").strip()
    if not accept and not reason:
        raise DeliberationError(E.REASON_REQUIRED, field="reason")
    before = snapshot(amendment)
    amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    amendment.decided_at, amendment.decision_reason = timezone.now(), reason[:500]
    amendment.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])
    if accept:
        addition = f"\n\n{gettext('Amendment')} #{amendment.pk}: {amendment.body}"
        proposal.body = (proposal.body + addition)[:6000]
        proposal.save(update_fields=["body", "updated_at"])
    record_change(amendment, verb="decide_amendment", actor=actor, before=before, related=proposal)
    notices.send(
        [amendment.author],
        kind="deliberation.amendment",
        title=gettext("Your amendment to “%(title)s”: %(status)s")
        % {"title": proposal.title, "status": amendment.get_status_display()},
        url=proposal.get_absolute_url(),
        source=amendment,
    )
    return amendment


# --- debates ------------------------------------------------------------------------------------


@action
def open_debate(process: Process, *, actor: Any, title: str, description: str = "") -> Debate:
    process = Process.objects.get(pk=process.pk)
    _require_area(actor, "add_debate", process.area_path)
    if process.phase in (Phase.IMPLEMENT, Phase.EVALUATE):
        raise DeliberationError(E.WRONG_PHASE)
    debate = Debate.objects.create(
        process=process,
        area_path=process.area_path,
        title=_text(title, "title", 200),
        description=str(description or "").strip()[:6000],
        opened_by=actor,
    )
    record_change(debate, verb="open", actor=actor, related=process)
    return debate


@action
def close_debate(debate: Debate, *, actor: Any, conclusion: str) -> Debate:
    """Close the debate with a conclusion; the for/against tally goes to the ledger."""
    debate = _lock(debate)
    _require_area(actor, "change_debate", debate.area_path)
    if debate.status != DebateStatus.OPEN:
        raise DeliberationError(E.DEBATE_CLOSED)
    before = snapshot(debate)
    debate.conclusion = _text(conclusion, "conclusion", 4000)
    debate.status, debate.closed_at, debate.closed_by = DebateStatus.CLOSED, timezone.now(), actor
    debate.save(update_fields=["conclusion", "status", "closed_at", "closed_by", "updated_at"])
    enqueue_event(
        EventKind.VOTE_TALLY,
        {
            "type": "participation.debate.closed",
            "debate": debate.pk,
            "for": debate.for_count,
            "against": debate.against_count,
            "comments": debate.comment_count,
        },
    )
    record_change(debate, verb="close", actor=actor, before=before)
    return debate


# --- moderation ---------------------------------------------------------------------------------

Moderated = Proposal | Comment | Amendment


@action
def report_content(target: Moderated, *, actor: Any, reason: str) -> Report:
    """A resident reports a proposal, comment or amendment (once per person and item)."""
    if not eligibility.grant_paths(actor, "add_report"):
        raise DeliberationError(E.NOT_ELIGIBLE)
    reason = _text(reason, "reason", 500, E.REASON_REQUIRED)
    moderation.check_rate(actor, "report")
    try:
        with transaction.atomic():
            report = Report.objects.create(
                target_kind=_kind_of(target),
                target_id=target.pk,
                area_path=target.area_path,
                reporter=actor,
                reason=reason,
            )
    except IntegrityError:
        raise DeliberationError(E.ALREADY_REPORTED) from None
    record_change(report, verb="report", actor=actor)
    return report


def _held_status(target: Moderated) -> str:
    return AmendmentStatus.HELD if isinstance(target, Amendment) else ContentStatus.HELD


@action
def approve_content(target: Moderated, *, actor: Any) -> Moderated:
    """Publish an item the sensitive-word filter held."""
    target = _lock(target)
    _require_area(actor, "moderate_process", target.area_path)
    if target.status != _held_status(target):
        raise DeliberationError(E.NOT_HELD)
    before = snapshot(target)
    target.status = AmendmentStatus.PENDING if isinstance(target, Amendment) else ContentStatus.PUBLISHED
    target.save(update_fields=["status", "updated_at"])
    if isinstance(target, Comment):
        _count_comment(target, +1)
    _log(ModerationAction.APPROVED, moderator=actor, target=target)
    record_change(target, verb="approve", actor=actor, before=before)
    return target


@action
def hide_content(target: Moderated, *, actor: Any, reason: str) -> Moderated:
    """Hide an item with a public reason (a held item is removed). Open reports on it are upheld."""
    target = _lock(target)
    _require_area(actor, "moderate_process", target.area_path)
    reason = _text(reason, "reason", 300, E.REASON_REQUIRED)
    before = snapshot(target)
    if target.status == _held_status(target):
        target.status = ContentStatus.REMOVED
        target.hidden_reason = reason
        target.save(update_fields=["status", "hidden_reason", "updated_at"])
        act = ModerationAction.REMOVED
    else:
        if target.is_hidden:
            raise DeliberationError(E.ALREADY_HIDDEN)
        target.is_hidden, target.hidden_reason = True, reason
        target.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
        act = ModerationAction.HIDDEN
    Report.objects.filter(target_kind=_kind_of(target), target_id=target.pk, status=ReportStatus.OPEN).update(
        status=ReportStatus.UPHELD, handled_by=actor, handled_at=timezone.now()
    )
    _log(act, moderator=actor, target=target, reason=reason)
    record_change(target, verb="hide", actor=actor, before=before)
    return target


@action
def unhide_content(target: Moderated, *, actor: Any, reason: str = "") -> Moderated:
    target = _lock(target)
    _require_area(actor, "moderate_process", target.area_path)
    if not target.is_hidden:
        raise DeliberationError(E.NOT_HIDDEN)
    before = snapshot(target)
    target.is_hidden, target.hidden_reason = False, ""
    target.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    _log(ModerationAction.UNHIDDEN, moderator=actor, target=target, reason=str(reason or "")[:500])
    record_change(target, verb="unhide", actor=actor, before=before)
    return target


@action
def dismiss_report(report: Report, *, actor: Any, reason: str = "") -> Report:
    report = _lock(report)
    _require_area(actor, "moderate_process", report.area_path)
    if report.status != ReportStatus.OPEN:
        raise DeliberationError(E.REPORT_CLOSED)
    before = snapshot(report)
    report.status, report.handled_by, report.handled_at = ReportStatus.DISMISSED, actor, timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at", "updated_at"])
    entry = ModerationEntry.objects.create(
        action=ModerationAction.REPORT_DISMISSED,
        target_kind=report.target_kind,
        target_id=report.target_id,
        area_path=report.area_path,
        moderator=actor,
        reason=str(reason or "")[:500],
    )
    record_change(report, verb="dismiss", actor=actor, before=before, related=entry)
    return report


@action
def add_sensitive_word(*, actor: Any, word: str) -> SensitiveWord:
    word = _text(word, "word", 50)
    existing = SensitiveWord.objects.select_for_update().filter(word=word).first()
    if existing is not None and existing.is_active:
        raise DeliberationError(E.WORD_EXISTS, field="word")
    if existing is not None:
        before = snapshot(existing)
        existing.is_active = True
        existing.save(update_fields=["is_active"])
        entry, verb = existing, "reactivate"
    else:
        before, verb = None, "create"
        entry = SensitiveWord.objects.create(word=word, created_by=actor)
    ModerationEntry.objects.create(action=ModerationAction.WORD_ADDED, moderator=actor, reason=word)
    record_change(entry, verb=verb, actor=actor, before=before)
    return entry


@action
def remove_sensitive_word(word: SensitiveWord, *, actor: Any) -> SensitiveWord:
    word = _lock(word)
    before = snapshot(word)
    word.is_active = False
    word.save(update_fields=["is_active"])
    ModerationEntry.objects.create(action=ModerationAction.WORD_REMOVED, moderator=actor, reason=word.word)
    record_change(word, verb="deactivate", actor=actor, before=before)
    return word
