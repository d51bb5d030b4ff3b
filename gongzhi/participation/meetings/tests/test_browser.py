"""Browser tests: a meeting with QR sign-in and a resolution; an owners' vote reaching the
statutory thresholds and one failing them (Civil Code art. 278)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gongzhi.participation.meetings import actions
from gongzhi.participation.meetings.models import Attendance, OwnersVote, Resolution
from gongzhi.participation.meetings.tests import factories as f
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_meeting_sign_in_by_qr_and_resolution(world_live, open_session):
    w = world_live
    meeting = f.meeting(w, start=False, quorum=1, title="科技园社区居民议事会(十一月)")
    actions.add_agenda_item(meeting, actor=w.community_worker_c1, title="讨论加装电梯费用分摊")

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    page = worker.page
    page.goto(f"/participation/meetings/{meeting.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("start-meeting").click()
    assert page.get_by_test_id("qr").locator("svg").count() == 1
    check_in_url = page.get_by_test_id("check-in-url").inner_text().strip()
    page.locator("[data-testid=propose] input[name=title]").fill("同意按面积分摊加装电梯费用")
    with page.expect_navigation():
        page.locator("[data-testid=propose] button").click()
    worker.shot("meeting-running-desktop-zh")

    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    rp = resident.page
    rp.goto(check_in_url)
    resident.shot("meeting-check-in-phone-zh")
    with rp.expect_navigation():
        rp.get_by_test_id("confirm-check-in").click()
    assert rp.get_by_test_id("signed-in").is_visible()
    assert Attendance.objects.filter(meeting=meeting, user=w.resident_c1, method="qr").exists()

    resolution = Resolution.objects.get(meeting=meeting)
    page.reload()
    assert page.get_by_test_id("quorum-reached").is_visible()
    with page.expect_navigation():
        page.get_by_test_id(f"open-vote-{resolution.pk}").click()
    rp.reload()
    with rp.expect_navigation():
        rp.get_by_test_id("vote-for").click()
    resident.shot("meeting-voted-phone-zh")
    with page.expect_navigation():
        page.get_by_test_id(f"decide-{resolution.pk}").click()
    assert Resolution.objects.get(pk=resolution.pk).status == "passed"
    assert "1" in page.get_by_test_id(f"tally-{resolution.pk}").inner_text()
    page.locator("textarea[name=minutes]").fill("会议通过按面积分摊加装电梯费用的决议。")
    with page.expect_navigation():
        page.get_by_test_id("close-meeting").click()
    assert page.get_by_test_id("minutes").is_visible()
    worker.shot("meeting-closed-desktop-zh")
    worker.check()
    resident.check()


def _owner_user(owner):
    return get_user_model().objects.get(pk=owner.user_id)


def test_owners_vote_reaches_and_fails_the_thresholds(world_live, open_session):
    w = world_live
    owners = f.estate(w, ["100.00", "100.00", "100.00"], phones=True)
    passing = actions.create_owners_vote(
        actor=w.community_worker_c1, estate=w.c1, title="续聘科苑物业", matter="manager"
    )
    failing = actions.create_owners_vote(
        actor=w.community_worker_c1, estate=w.c1, title="改建小区大门", matter="rebuild"
    )

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    page = worker.page
    for vote in (passing, failing):
        page.goto(f"/participation/meetings/votes/{vote.pk}/")
        with page.expect_navigation():
            page.get_by_test_id("open-owners-vote").click()

    # the first owner votes online for both on a phone
    owner = open_session(viewport=PHONE)
    owner.resident_login(_owner_user(owners[0]).phone)
    for vote in (passing, failing):
        owner.page.goto(f"/participation/meetings/votes/{vote.pk}/")
        with owner.page.expect_navigation():
            owner.page.get_by_test_id("cast-for").click()
        assert owner.page.get_by_test_id("my-ballot").is_visible()
    owner.shot("owners-vote-cast-phone-zh")
    owner.check()

    # staff enter the second owner's written vote on the first matter only: 2 of 3 owners and
    # 200 of 300 m² take part, exactly two thirds
    page.goto(f"/participation/meetings/votes/{passing.pk}/")
    form = page.get_by_test_id("enter-form")
    form.locator("select[name=owner]").select_option(str(owners[1].pk))
    form.locator("select[name=method]").select_option("written")
    form.locator("input[name=evidence]").fill("书面表决票(业主签字)")
    with page.expect_navigation():
        form.get_by_test_id("enter-ballot").click()
    with page.expect_navigation():
        page.get_by_test_id("close-owners-vote").click()
    assert OwnersVote.objects.get(pk=passing.pk).status == "passed"
    assert page.get_by_test_id("vote-status").inner_text() == "已通过"
    assert "66.67%" in page.get_by_test_id("p-area").inner_text()
    worker.shot("owners-vote-passed-desktop-zh")

    # one owner of three is not two thirds: the second matter fails on participation
    page.goto(f"/participation/meetings/votes/{failing.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("close-owners-vote").click()
    assert OwnersVote.objects.get(pk=failing.pk).status == "failed"
    assert page.get_by_test_id("participation-failed").is_visible()
    worker.shot("owners-vote-failed-desktop-zh")
    worker.check()
