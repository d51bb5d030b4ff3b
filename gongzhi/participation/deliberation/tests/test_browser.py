"""Browser test of the deliberation hall, residents on phones and staff on a desktop, with the
shell's guards (no console errors, no request leaving 127.0.0.1):

    a resident proposes → two neighbours support it from their phones → it reaches the
    threshold and goes to official consideration → the committee accepts it with a
    responsible unit and a deadline → the public page shows the answer and links the result.
"""

from __future__ import annotations

import re

import pytest

from gongzhi.participation.accountability.models import Result
from gongzhi.participation.deliberation.choices import ProposalStatus
from gongzhi.participation.deliberation.models import Proposal
from gongzhi.participation.deliberation.tests import factories
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live

PROPOSAL = re.compile(r"/participation/proposals/(\d+)/$")


def test_proposal_gathers_support_and_gets_an_official_answer(world_live, open_session):
    w = world_live
    process = factories.process(w, support_threshold=2, title="科技园社区2027年民生微实事议事")
    neighbours = factories.neighbours(w, 2)

    # a resident makes a proposal from their phone
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto("/participation/")
    resident.shot("pdel-processes-phone-zh")
    with page.expect_navigation():
        page.locator(f"[data-process-id='{process.pk}']").click()
    page.fill("[data-testid=form-propose] input[name=title]", "在3栋旁增设电动车充电棚")
    page.fill("[data-testid=form-propose] textarea[name=body]", "楼道里充电有火灾隐患 建议在3栋旁设充电棚 🚲")
    resident.shot("pdel-propose-phone-zh")
    with page.expect_navigation():
        page.locator("[data-testid=form-propose] button[type=submit]").click()
    proposal = Proposal.objects.get(process=process)
    with page.expect_navigation():
        page.locator(f"[data-proposal-id='{proposal.pk}']").click()
    assert PROPOSAL.search(page.url)
    assert page.get_by_test_id("support-count").inner_text() == "0"
    assert page.get_by_test_id("support").count() == 0  # not for one's own proposal
    resident.check()

    # two neighbours support it; the second support reaches the threshold
    for i, neighbour in enumerate(neighbours):
        session = open_session(viewport=PHONE)
        session.resident_login(neighbour.phone)
        session.page.goto(proposal.get_absolute_url())
        with session.page.expect_navigation():
            session.page.get_by_test_id("support").click()
        assert session.page.get_by_test_id("supported").is_visible()
        assert session.page.get_by_test_id("support-count").inner_text() == str(i + 1)
        session.shot(f"pdel-supported-{i + 1}-phone-zh")
        session.check()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONSIDERATION

    # the committee gives the official answer: accepted, with a unit and a deadline
    staff = open_session(viewport=DESKTOP)
    staff.staff_login("community_worker_c1")
    staff.page.goto(proposal.get_absolute_url())
    form = staff.page.get_by_test_id("answer-form")
    form.locator("input[name=outcome][value=accepted]").check()
    form.locator("textarea[name=text]").fill("同意 由物业公司在6月底前建成充电棚")
    form.locator("select[name=responsible_unit]").select_option(str(w.orgs["property_c1"].pk))
    form.locator("input[name=deadline]").fill("2027-06-30")
    staff.shot("pdel-answer-desktop-zh")
    with staff.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert staff.page.get_by_test_id("answer").is_visible()
    staff.check()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    result = Result.objects.get(pk=proposal.result_id)
    assert result.responsible_unit == w.orgs["property_c1"]

    # anyone, signed out, reads the answer and follows the link to the tracked result
    public = open_session(viewport=PHONE)
    public.page.goto(proposal.get_absolute_url())
    assert "同意" in public.page.get_by_test_id("answer").inner_text()
    assert "resident_c1" not in public.page.content()
    public.shot("pdel-answered-public-phone-zh")
    with public.page.expect_navigation():
        public.page.get_by_test_id("result-link").click()
    assert public.page.get_by_test_id("result-title").inner_text() == "在3栋旁增设电动车充电棚"
    public.check()


def test_answer_puts_the_proposal_on_a_meeting_agenda(world_live, open_session):
    """Staff answer a proposal by putting it on a planned meeting's agenda; the proposal links
    to the meeting and the meeting's agenda item links back to the proposal."""
    from gongzhi.participation.meetings.models import AgendaItem
    from gongzhi.participation.meetings.tests.factories import meeting as make_meeting

    w = world_live
    proposal = factories.proposal(w, title="在5栋前增设休息座椅")
    meeting = make_meeting(w, start=False, title="科技园社区居民议事会(十二月)")

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    page = worker.page
    page.goto(proposal.get_absolute_url())
    form = page.get_by_test_id("answer-form")
    form.locator("input[name=outcome][value=agenda]").check()
    form.locator("textarea[name=text]").fill("提交十二月居民议事会讨论。")
    form.locator("select[name=meeting]").select_option(str(meeting.pk))
    worker.shot("pdel-answer-agenda-desktop-zh")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    link = page.get_by_test_id("agenda-link")
    assert meeting.title in link.inner_text()
    item = AgendaItem.objects.get(meeting=meeting)
    assert Proposal.objects.get(pk=proposal.pk).agenda_item_id == item.pk

    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/participation/meetings/{meeting.pk}/")
    source = page.get_by_test_id("agenda-source")
    assert source.count() == 1
    worker.shot("meeting-agenda-from-proposal-desktop-zh")
    with page.expect_navigation():
        source.click()
    assert page.url.endswith(proposal.get_absolute_url())
    worker.check()
