"""Every write in participatory budgeting. Each is an ``@action`` with one change record."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.actions import enqueue_event
from gongzhi.ledger.choices import EventKind
from gongzhi.notifications.dispatch import notify
from gongzhi.participation.accountability.tracking import track_result
from gongzhi.participation.budgeting import rules
from gongzhi.participation.budgeting.choices import (
    NEXT_PHASE,
    BallotKind,
    CountingRule,
    FundingStage,
    Phase,
    ProjectStatus,
)
from gongzhi.participation.budgeting.errors import BudgetingError, BudgetingErrorCode
from gongzhi.participation.budgeting.models import Ballot, BallotChoice, BudgetProcess, BudgetProject
from gongzhi.participation.budgeting.permissions import is_eligible_voter
from gongzhi.residents.queries import is_on_register
from gongzhi.territory.models import Area

logger = logging.getLogger(__name__)


@action
def create_process(
    area: Area,
    *,
    title: str,
    budget: int,
    actor: Any,
    description: str = "",
    ballot_kind: str = BallotKind.APPROVAL,
    max_choices: int = 3,
    points_per_voter: int = 10,
    counting_rule: str = CountingRule.EQUAL_SHARES,
    requires_verified: bool = False,
) -> BudgetProcess:
    """Open a budgeting round for an area, in the proposals phase."""
    if ballot_kind not in BallotKind.values or counting_rule not in CountingRule.values:
        raise BudgetingError(BudgetingErrorCode.INVALID_SETTINGS)
    if max_choices < 1 or points_per_voter < 1 or budget < 0:
        raise BudgetingError(BudgetingErrorCode.INVALID_SETTINGS)
    process = BudgetProcess.objects.create(
        area=area,
        area_path=area.path,
        title=title,
        description=description,
        budget=budget,
        ballot_kind=ballot_kind,
        max_choices=max_choices,
        points_per_voter=points_per_voter,
        counting_rule=counting_rule,
        requires_verified=requires_verified,
        created_by=actor,
    )
    record_change(process, verb="create", actor=actor)
    return process


@action
def propose_project(process: BudgetProcess, *, title: str, actor: Any, description: str = "") -> BudgetProject:
    """A resident of the area (or staff) proposes a project during the proposals phase."""
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.PROPOSALS:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    project = BudgetProject.objects.create(
        process=process, area_path=process.area_path, title=title, description=description, proposer=actor
    )
    record_change(project, verb="propose", actor=actor, related=process)
    return project


@action
def review_project(
    project: BudgetProject, *, feasible: bool, actor: Any, estimated_cost: int | None = None, note: str = ""
) -> BudgetProject:
    """Staff record the feasibility review and the cost estimate (before voting starts)."""
    project = BudgetProject.objects.select_for_update().select_related("process").get(pk=project.pk)
    if project.process.phase not in {Phase.PROPOSALS, Phase.REVIEW}:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    if feasible and (estimated_cost is None or estimated_cost < 0):
        raise BudgetingError(BudgetingErrorCode.COST_REQUIRED, field="estimated_cost")
    before = snapshot(project)
    project.status = ProjectStatus.FEASIBLE if feasible else ProjectStatus.INFEASIBLE
    project.estimated_cost = estimated_cost
    project.review_note = note
    project.save(update_fields=["status", "estimated_cost", "review_note", "updated_at"])
    if project.proposer_id is not None:
        notify(
            [project.proposer_id],
            kind="participation_budgeting.review",
            title=(
                gettext("Your project “%(title)s” passed the feasibility review")
                if feasible
                else gettext("Your project “%(title)s” did not pass the feasibility review")
            )
            % {"title": project.title[:80]},
            body=note,
            url=reverse("participation_budgeting:detail", args=[project.process_id]),
            source=project,
        )
    record_change(project, verb="review", actor=actor, before=before, related=project.process)
    return project


@action
def advance_phase(process: BudgetProcess, *, actor: Any) -> BudgetProcess:
    """Proposals → review → voting, and results → implementation. Voting ends with the tally."""
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    following = NEXT_PHASE.get(Phase(process.phase))
    if following is None:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    if following == Phase.VOTING and not process.projects.filter(status=ProjectStatus.FEASIBLE).exists():
        raise BudgetingError(BudgetingErrorCode.NOTHING_TO_VOTE_ON)
    before = snapshot(process)
    process.phase = following
    process.save(update_fields=["phase", "updated_at"])
    record_change(process, verb="advance", actor=actor, before=before)
    return process


def _validate_choices(process: BudgetProcess, choices: dict[int, int]) -> dict[int, int]:
    if not choices:
        raise BudgetingError(BudgetingErrorCode.EMPTY_BALLOT, field="choices")
    on_ballot = set(
        process.projects.filter(status=ProjectStatus.FEASIBLE, pk__in=list(choices)).values_list("pk", flat=True)
    )
    if set(choices) - on_ballot:
        raise BudgetingError(BudgetingErrorCode.UNKNOWN_PROJECT, field="choices")
    if process.ballot_kind == BallotKind.APPROVAL:
        if len(choices) > process.max_choices:
            raise BudgetingError(BudgetingErrorCode.TOO_MANY_CHOICES, field="choices")
        return dict.fromkeys(choices, 1)
    if any(p < 1 for p in choices.values()):
        raise BudgetingError(BudgetingErrorCode.EMPTY_BALLOT, field="choices")
    if sum(choices.values()) > process.points_per_voter:
        raise BudgetingError(BudgetingErrorCode.POINTS_EXCEEDED, field="choices")
    return dict(choices)


@action
def cast_ballot(process: BudgetProcess, *, voter: Any, choices: dict[int, int], actor: Any) -> Ballot:
    """Record a resident's ballot. ``choices`` maps project id → points (1 for approval).

    When ``actor`` is not ``voter`` the ballot is staff-assisted and records the staff member
    as proxy (the view/API checks the staff member's ``vote_on_behalf`` permission).
    One ballot per resident: the process row is locked and a unique constraint backs it.
    """
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.VOTING or process.counting_since is not None:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    if not is_eligible_voter(voter, process):
        raise BudgetingError(BudgetingErrorCode.NOT_ELIGIBLE)
    if process.requires_verified and not is_on_register(voter):
        raise BudgetingError(BudgetingErrorCode.NOT_VERIFIED)
    clean = _validate_choices(process, choices)
    if Ballot.objects.filter(process=process, voter=voter).exists():
        raise BudgetingError(BudgetingErrorCode.ALREADY_VOTED)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                process=process,
                area_path=process.area_path,
                voter=voter,
                proxy=actor if actor.pk != voter.pk else None,
            )
    except IntegrityError as exc:
        raise BudgetingError(BudgetingErrorCode.ALREADY_VOTED) from exc
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, project_id=pk, points=points) for pk, points in sorted(clean.items())]
    )
    BudgetProcess.objects.filter(pk=process.pk).update(ballots_cast=F("ballots_cast") + 1)
    record_change(
        ballot,
        verb="vote_on_behalf" if ballot.proxy_id else "vote",
        actor=actor,
        after={"process": process.pk, "projects": len(clean)},
        related=process,
    )
    return ballot


@action
def close_voting(process: BudgetProcess, *, actor: Any) -> BudgetProcess:
    """Close the voting and have the ballots counted in the background (a Celery task; in
    embedded mode it runs in-process right after the commit). No ballot is accepted from now
    on; the scheduled ``count_closed_votes`` job recounts a process whose worker was lost.
    Closing twice is refused (``wrong_phase``)."""
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.VOTING or process.counting_since is not None:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    before = snapshot(process)
    process.counting_since, process.counting_by = timezone.now(), actor
    process.save(update_fields=["counting_since", "counting_by", "updated_at"])
    record_change(process, verb="close_voting", actor=actor, before=before)
    transaction.on_commit(lambda: _request_count(process.pk))
    return process


def _request_count(process_id: int) -> None:
    from gongzhi.participation.budgeting import tasks

    try:
        tasks.count_ballots.delay(process_id)
    except Exception:  # the scheduled job counts it; a failed nudge must not fail the request
        logger.exception("could not queue the count of budget process %s; the scheduled job will", process_id)


@action
def tally_process(process: BudgetProcess, *, actor: Any) -> BudgetProcess:
    """Count the ballots with the process's rule, fund projects, and publish the results.

    Only feasible projects with at least one vote are candidates. The tally is recorded in
    the audit log and, as counts and ids only, in the governance ledger.
    """
    process = BudgetProcess.objects.select_for_update().get(pk=process.pk)
    if process.phase != Phase.VOTING:
        raise BudgetingError(BudgetingErrorCode.WRONG_PHASE)
    projects = list(process.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk"))
    by_ballot: dict[int, dict[str, int]] = defaultdict(dict)
    key_of = {p.pk: p.tie_key for p in projects}
    for ballot_id, project_id, points in BallotChoice.objects.filter(ballot__process=process).values_list(
        "ballot_id", "project_id", "points"
    ):
        if project_id in key_of:
            by_ballot[ballot_id][key_of[project_id]] = points
    n_ballots = Ballot.objects.filter(process=process).count()
    ballots: list[dict[str, int]] = list(by_ballot.values()) + [{} for _ in range(n_ballots - len(by_ballot))]
    kind: rules.BallotKind = "approval" if process.ballot_kind == BallotKind.APPROVAL else "cumulative"
    totals = rules.vote_totals(ballots, kind)
    voters = rules.vote_totals(ballots, "approval")
    candidates = [
        rules.Candidate(key=p.tie_key, cost=int(p.estimated_cost or 0))
        for p in projects
        if totals.get(p.tie_key, 0) > 0
    ]
    if process.counting_rule == CountingRule.EQUAL_SHARES:
        outcome = rules.equal_shares(candidates, ballots, int(process.budget), kind=kind)
    else:
        outcome = rules.greedy_by_votes(candidates, ballots, int(process.budget), kind=kind)
    stage_of = {f.key: f.stage for f in outcome.funded}
    for p in projects:
        p.votes = totals.get(p.tie_key, 0)
        p.voters = voters.get(p.tie_key, 0)
        stage = stage_of.get(p.tie_key)
        p.status = ProjectStatus.FUNDED if stage else ProjectStatus.NOT_FUNDED
        p.funding_stage = FundingStage(stage) if stage else FundingStage.NONE
        p.updated_at = timezone.now()
    BudgetProject.objects.bulk_update(projects, ["votes", "voters", "status", "funding_stage", "updated_at"])

    before = snapshot(process)
    process.phase = Phase.RESULTS
    process.tallied_at = timezone.now()
    process.voter_budget = str(outcome.voter_budget) if outcome.voter_budget is not None else ""
    process.save(update_fields=["phase", "tallied_at", "voter_budget", "updated_at"])
    funded_ids = sorted(p.pk for p in projects if p.status == ProjectStatus.FUNDED)
    area = process.area
    for p in projects:
        if p.pk in funded_ids:  # each funded project is tracked to completion (信息公开)
            track_result(
                p,
                title=p.title,
                description=p.description,
                area=area,
                responsible_unit=None,
                deadline=None,
                actor=actor,
            )
    url = reverse("participation_budgeting:detail", args=[process.pk])
    for p in projects:
        if p.proposer_id is not None:
            notify(
                [p.proposer_id],
                kind="participation_budgeting.result",
                title=(
                    gettext("Your project “%(title)s” will be funded")
                    if p.pk in funded_ids
                    else gettext("Your project “%(title)s” was not funded this time")
                )
                % {"title": p.title[:80]},
                url=url,
                source=p,
            )
    enqueue_event(
        EventKind.VOTE_TALLY,
        {
            "domain": "participation_budgeting",
            "process": process.pk,
            "rule": str(process.counting_rule),
            "ballot_kind": str(process.ballot_kind),
            "budget": int(process.budget),
            "ballots": n_ballots,
            "votes": {str(p.pk): p.votes for p in projects},
            "funded": funded_ids,
        },
    )
    record_change(
        process,
        verb="tally",
        actor=actor,
        before=before,
        after={"phase": process.phase, "ballots": n_ballots, "funded": funded_ids},
    )
    return process
