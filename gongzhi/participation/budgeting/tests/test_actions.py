import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from gongzhi.access.choices import Role
from gongzhi.audit.models import ChangeRecord
from gongzhi.ledger.models import PendingEvent
from gongzhi.notifications.models import Notification
from gongzhi.participation.accountability.models import Result
from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.choices import FundingStage, Phase, ProjectStatus
from gongzhi.participation.budgeting.errors import BudgetingError, BudgetingErrorCode
from gongzhi.participation.budgeting.models import Ballot, BudgetProcess
from gongzhi.participation.budgeting.tests import factories
from gongzhi.testing.world import grant, make_user

E = BudgetingErrorCode


def _residents(world, n, area=None, offset=0):
    people = []
    for i in range(offset, offset + n):
        user = make_user(f"pb_resident_{i}", kind="resident", home_area=world.g1, phone=f"139{i:08d}")
        grant(user, Role.RESIDENT, area=area or world.c1)
        people.append(user)
    return people


def test_process_moves_through_the_phases_with_one_change_record_each(world):
    staff = world.community_worker_c1
    before = ChangeRecord.objects.count()
    process = actions.create_process(world.c1, title=factories.HOSTILE_TITLE[:200], budget=1000, actor=staff)
    project = actions.propose_project(process, title="楼道照明", actor=world.resident_c1)
    actions.review_project(project, feasible=True, estimated_cost=800, actor=staff, note="可行")
    assert actions.advance_phase(process, actor=staff).phase == Phase.REVIEW
    assert actions.advance_phase(process, actor=staff).phase == Phase.VOTING
    with pytest.raises(BudgetingError) as err:
        actions.advance_phase(process, actor=staff)
    assert err.value.code == E.WRONG_PHASE
    assert ChangeRecord.objects.count() - before == 5
    with pytest.raises(BudgetingError) as err:
        actions.propose_project(process, title="晚了", actor=world.resident_c1)
    assert err.value.code == E.WRONG_PHASE


def test_feasible_needs_a_cost_and_voting_needs_a_feasible_project(world):
    staff = world.community_worker_c1
    process = actions.create_process(world.c1, title="t", budget=10, actor=staff)
    project = actions.propose_project(process, title="p", actor=world.resident_c1)
    with pytest.raises(BudgetingError) as err:
        actions.review_project(project, feasible=True, actor=staff)
    assert err.value.code == E.COST_REQUIRED
    assert err.value.http_status == 400
    actions.review_project(project, feasible=False, actor=staff, note="不在社区范围")
    notice = Notification.objects.get(recipient=world.resident_c1, kind="participation_budgeting.review")
    assert notice.body == "不在社区范围"
    actions.advance_phase(process, actor=staff)
    with pytest.raises(BudgetingError) as err:
        actions.advance_phase(process, actor=staff)
    assert err.value.code == E.NOTHING_TO_VOTE_ON


def test_ballot_rules_approval_limit_unknown_project_and_eligibility(world):
    process = factories.process_in_voting(world, max_choices=2)
    p = factories.projects(process)
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c1, choices={x.pk: 1 for x in p[:3]}, actor=world.resident_c1)
    assert err.value.code == E.TOO_MANY_CHOICES
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c1, choices={}, actor=world.resident_c1)
    assert err.value.code == E.EMPTY_BALLOT
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c1, choices={999999: 1}, actor=world.resident_c1)
    assert err.value.code == E.UNKNOWN_PROJECT
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c3, choices={p[0].pk: 1}, actor=world.resident_c3)
    assert err.value.code == E.NOT_ELIGIBLE
    ballot = actions.cast_ballot(process, voter=world.resident_c1, choices={p[0].pk: 1}, actor=world.resident_c1)
    assert ballot.proxy is None
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c1, choices={p[1].pk: 1}, actor=world.resident_c1)
    assert err.value.code == E.ALREADY_VOTED
    process.refresh_from_db()
    assert process.ballots_cast == 1


def test_cumulative_points_and_staff_assisted_ballot_records_the_proxy(world):
    process = factories.process_in_voting(world, ballot_kind="cumulative", points_per_voter=5)
    p = factories.projects(process)
    with pytest.raises(BudgetingError) as err:
        actions.cast_ballot(process, voter=world.resident_c1, choices={p[0].pk: 4, p[1].pk: 2}, actor=world.resident_c1)
    assert err.value.code == E.POINTS_EXCEEDED
    ballot = actions.cast_ballot(
        process, voter=world.resident_c1, choices={p[0].pk: 3, p[1].pk: 2}, actor=world.grid_worker_g1
    )
    assert ballot.proxy == world.grid_worker_g1
    record = ChangeRecord.objects.order_by("-id").first()
    assert record.verb == "vote_on_behalf"
    assert sorted(ballot.choices.values_list("points", flat=True)) == [2, 3]


def test_tally_by_equal_shares_funds_the_minority_project_and_writes_a_ledger_event(world):
    process = factories.process_in_voting(world, costs=(100, 100, 100, 100), budget=300)
    p = factories.projects(process)
    majority, minority = _residents(world, 6), _residents(world, 4, area=world.g1, offset=6)
    for user in majority:
        actions.cast_ballot(process, voter=user, choices={x.pk: 1 for x in p[:3]}, actor=user)
    for user in minority:
        actions.cast_ballot(process, voter=user, choices={p[3].pk: 1}, actor=user)
    events = PendingEvent.objects.count()
    before = ChangeRecord.objects.count()
    process = actions.tally_process(process, actor=world.community_worker_c1)
    assert ChangeRecord.objects.count() - before == 1
    funded_ids = {x.pk for x in factories.projects(process) if x.status == ProjectStatus.FUNDED}
    # one tally event, and one "result tracked" event per funded project
    assert PendingEvent.objects.count() - events == 1 + len(funded_ids)
    assert all("pb_resident" not in e.data for e in PendingEvent.objects.order_by("-id")[: 1 + len(funded_ids)])
    tracked = Result.objects.filter(source_type__model="budgetproject")
    assert set(tracked.values_list("source_id", flat=True)) == funded_ids
    results = Notification.objects.filter(recipient=world.resident_c1, kind="participation_budgeting.result")
    assert results.count() == 4  # resident_c1 proposed all four projects
    assert process.phase == Phase.RESULTS
    funded = [x for x in factories.projects(process) if x.status == ProjectStatus.FUNDED]
    assert p[3].pk in {x.pk for x in funded}
    assert all(x.funding_stage == FundingStage.EQUAL_SHARES for x in funded)
    assert sum(x.estimated_cost for x in funded) <= 300
    votes = {x.pk: x.votes for x in factories.projects(process)}
    assert votes == {p[0].pk: 6, p[1].pk: 6, p[2].pk: 6, p[3].pk: 4}
    with pytest.raises(BudgetingError) as err:
        actions.tally_process(process, actor=world.community_worker_c1)
    assert err.value.code == E.WRONG_PHASE


def test_tally_greedy_funds_by_votes(world):
    process = factories.process_in_voting(world, costs=(100, 100, 100, 100), budget=300, counting_rule="greedy")
    p = factories.projects(process)
    for user in _residents(world, 6):
        actions.cast_ballot(process, voter=user, choices={x.pk: 1 for x in p[:3]}, actor=user)
    process = actions.tally_process(process, actor=world.community_worker_c1)
    statuses = [x.status for x in factories.projects(process)]
    assert statuses == [ProjectStatus.FUNDED] * 3 + [ProjectStatus.NOT_FUNDED]


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_store_exactly_one_ballot():
    # An in-memory SQLite database cannot be shared between threads: there the race runs
    # sequentially; on PostgreSQL (CI) eight threads race for real.
    threads_possible = not (connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]))
    from gongzhi.testing.world import build_world

    world = build_world()
    process = factories.process_in_voting(world)
    project_id = factories.projects(process)[0].pk
    voter = get_user_model().objects.get(pk=world.resident_c1.pk)
    results: list[str] = []

    def submit() -> None:
        try:
            actions.cast_ballot(
                BudgetProcess.objects.get(pk=process.pk), voter=voter, choices={project_id: 1}, actor=voter
            )
            results.append("ok")
        except BudgetingError as exc:
            results.append(exc.code)
        finally:
            if threads_possible:
                connection.close()

    if threads_possible:
        threads = [threading.Thread(target=submit) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(8):
            submit()
    assert sorted(results) == [E.ALREADY_VOTED] * 7 + ["ok"]
    assert Ballot.objects.filter(process=process).count() == 1


def test_closing_the_voting_counts_in_the_background_and_stops_ballots(world, django_capture_on_commit_callbacks):
    from gongzhi.participation.budgeting import tasks

    process = factories.process_in_voting(world, costs=(100, 100), budget=150)
    p = factories.projects(process)
    voters = _residents(world, 3)
    actions.cast_ballot(process, voter=voters[0], choices={p[0].pk: 1}, actor=voters[0])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        closed = actions.close_voting(process, actor=world.community_worker_c1)
    assert closed.phase == Phase.VOTING
    assert closed.counting_since is not None
    assert len(queued) == 1
    assert ChangeRecord.objects.filter(verb="close_voting", target_id=str(process.pk)).count() == 1
    with pytest.raises(BudgetingError) as late:
        actions.cast_ballot(process, voter=voters[1], choices={p[1].pk: 1}, actor=voters[1])
    assert late.value.code == BudgetingErrorCode.WRONG_PHASE
    with pytest.raises(BudgetingError) as twice:
        actions.close_voting(process, actor=world.community_worker_c1)
    assert twice.value.code == BudgetingErrorCode.WRONG_PHASE
    # The queued nudge was lost (say the broker was down): the scheduled job counts it, once.
    assert tasks.count_closed_votes() == 1
    assert tasks.count_closed_votes() == 0
    process.refresh_from_db()
    assert process.phase == Phase.RESULTS
    assert ChangeRecord.objects.filter(verb="tally", target_id=str(process.pk)).count() == 1
    assert tasks.count_ballots(process.pk) is False  # a late duplicate nudge does nothing


def test_a_verified_only_round_refuses_residents_not_on_the_register(world, client_for):
    from gongzhi.residents.factories import ResidentFactory

    process = factories.process_in_voting(world, costs=(100, 100), budget=150)
    BudgetProcess.objects.filter(pk=process.pk).update(requires_verified=True)
    process.refresh_from_db()
    p = factories.projects(process)
    unverified, verified = _residents(world, 2)
    ResidentFactory(grid=world.g1, user=verified)
    with pytest.raises(BudgetingError) as exc:
        actions.cast_ballot(process, voter=unverified, choices={p[0].pk: 1}, actor=unverified)
    assert exc.value.code == BudgetingErrorCode.NOT_VERIFIED
    assert actions.cast_ballot(process, voter=verified, choices={p[0].pk: 1}, actor=verified).pk
    # Staff-assisted voting does not bypass it.
    with pytest.raises(BudgetingError):
        actions.cast_ballot(process, voter=unverified, choices={p[0].pk: 1}, actor=world.community_worker_c1)
    assert Ballot.objects.filter(process=process).count() == 1


def test_create_a_verified_only_round(world):
    process = actions.create_process(
        world.c1, title="实名投票微实事", budget=1000, actor=world.community_worker_c1, requires_verified=True
    )
    assert BudgetProcess.objects.get(pk=process.pk).requires_verified is True
