"""Browser test: a budgeting vote counted by the Method of Equal Shares, on a phone.

Six residents back three playground projects, four back the elderly canteen (one of them
votes in the browser); the budget pays for three projects. Greedy counting would fund the
three playgrounds; Equal Shares gives the minority its canteen.
"""

from __future__ import annotations

import pytest

from gongzhi.access.choices import Role
from gongzhi.participation.budgeting import actions
from gongzhi.participation.budgeting.choices import Phase, ProjectStatus
from gongzhi.participation.budgeting.models import BudgetProcess, BudgetProject
from gongzhi.testing.world import grant, make_user
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_budgeting_vote_counted_by_equal_shares(world_live, open_session):
    w = world_live
    staff = w.community_worker_c1
    process = actions.create_process(w.c1, title="2026年科苑社区微实事", budget=300, actor=staff)
    titles = ["儿童游乐场A区", "儿童游乐场B区", "儿童游乐场C区", "长者饭堂"]
    projects = []
    for title in titles:
        project = actions.propose_project(process, title=title, actor=w.resident_c1)
        projects.append(actions.review_project(project, feasible=True, estimated_cost=100, actor=staff))
    actions.advance_phase(process, actor=staff)
    actions.advance_phase(process, actor=staff)
    canteen = projects[3]
    for i in range(9):
        user = make_user(f"pb_browser_{i}", kind="resident", home_area=w.g1, phone=f"136{i:08d}")
        grant(user, Role.RESIDENT, area=w.c1)
        choices = {p.pk: 1 for p in projects[:3]} if i < 6 else {canteen.pk: 1}
        actions.cast_ballot(process, voter=user, choices=choices, actor=user)

    # a resident votes for the canteen on her phone
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto(f"/participation/budgeting/{process.pk}/")
    assert page.get_by_test_id("current-phase").count() == 1
    ballot = page.get_by_test_id("ballot")
    ballot.locator(f"input[name=project_{canteen.pk}]").check()
    resident.shot("pb-ballot-phone-zh")
    with page.expect_navigation():
        page.get_by_test_id("cast-vote").click()
    assert page.get_by_test_id("voted").count() == 1
    assert BudgetProcess.objects.get(pk=process.pk).ballots_cast == 10
    resident.check()

    # the community worker closes the vote and counts it
    worker = open_session(viewport=PHONE)
    worker.staff_login("community_worker_c1")
    worker.page.goto(f"/participation/budgeting/{process.pk}/")
    with worker.page.expect_navigation():
        worker.page.get_by_test_id("tally").click()
    assert BudgetProcess.objects.get(pk=process.pk).phase == Phase.RESULTS
    funded = worker.page.get_by_test_id("funded")
    assert funded.locator(f"[data-project='{canteen.pk}']").count() == 1
    assert funded.locator("[data-project]").count() == 3
    worker.shot("pb-results-phone-zh")
    worker.check()
    assert BudgetProject.objects.get(pk=canteen.pk).status == ProjectStatus.FUNDED

    # the results are public: an anonymous visitor sees the same funded projects
    visitor = open_session(viewport=PHONE)
    visitor.page.goto(f"/participation/budgeting/{process.pk}/")
    assert visitor.page.get_by_test_id("funded").locator("[data-project]").count() == 3
    assert "pb_browser" not in visitor.page.content()
    visitor.check()


def test_closing_the_vote_shows_counting_then_results(world_live, open_session, monkeypatch):
    """Staff close the vote: while the worker has not counted yet the page says so; once the
    background count has run, the same page shows the funded projects."""
    from gongzhi.participation.budgeting import tasks

    w = world_live
    staff = w.community_worker_c1
    process = actions.create_process(w.c1, title="2026年科苑社区微实事(二)", budget=100, actor=staff)
    garden = actions.review_project(
        actions.propose_project(process, title="屋顶小花园", actor=w.resident_c1),
        feasible=True,
        estimated_cost=100,
        actor=staff,
    )
    actions.advance_phase(process, actor=staff)
    actions.advance_phase(process, actor=staff)
    voter = make_user("pb_counting_voter", kind="resident", home_area=w.g1, phone="13699990001")
    grant(voter, Role.RESIDENT, area=w.c1)
    actions.cast_ballot(process, voter=voter, choices={garden.pk: 1}, actor=voter)

    # the worker queue holds the count instead of running it at once
    queued: list[int] = []
    monkeypatch.setattr(tasks.count_ballots, "delay", queued.append)

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    page = worker.page
    page.goto(f"/participation/budgeting/{process.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("tally").click()
    assert queued == [process.pk]
    assert page.get_by_test_id("counting").is_visible()
    assert page.get_by_test_id("tally").count() == 0
    assert page.get_by_test_id("funded").count() == 0
    worker.shot("pb-counting-desktop-zh")
    assert BudgetProcess.objects.get(pk=process.pk).phase == Phase.VOTING

    # the worker runs the queued count; the page (it refreshes itself) now shows the results
    assert tasks.count_ballots(queued[0]) is True
    page.reload()
    assert page.get_by_test_id("counting").count() == 0
    assert page.get_by_test_id("funded").locator(f"[data-project='{garden.pk}']").count() == 1
    worker.shot("pb-counted-desktop-zh")
    worker.check()
    assert BudgetProcess.objects.get(pk=process.pk).phase == Phase.RESULTS
