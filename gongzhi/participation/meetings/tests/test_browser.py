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


ROLL_CSV = (
    "楼栋,单元,房号,业主姓名,产权证明,建筑面积,手机号\n"
    "桃源居3栋,1,101,王建国,粤(2019)深圳市第0000101号,89.50,13900000001\n"
    "桃源居3栋,1,102,王建国,粤(2019)深圳市第0000101号,76.20,\n"
    "桃源居3栋,1,201,李秀英,粤(2020)深圳市第0000201号,120.00,\n"
)


def test_convener_imports_the_owners_roll_and_records_a_transfer(world_live, open_session):
    """A convener checks a CSV roll with a dry run (nothing written), imports it for real, and
    records the sale of one owner's rooms: the seller leaves the roll, the buyer joins it."""
    from decimal import Decimal

    from gongzhi.participation.meetings.models import Owner, Ownership
    from gongzhi.territory.models import Building, Room, Unit

    w = world_live
    building = Building.objects.create(grid=w.g1, area_path=w.g1.path, name="桃源居3栋", address="南山区桃源路3号")
    unit = Unit.objects.create(building=building, number="1")
    for number in ("101", "102", "201"):
        Room.objects.create(unit=unit, number=number, floor=int(number[0]), floor_area=None)
    upload = {"name": "roll.csv", "mimeType": "text/csv", "buffer": ROLL_CSV.encode()}

    worker = open_session(viewport=DESKTOP)
    worker.staff_login("community_worker_c1")
    page = worker.page
    page.goto("/participation/meetings/owners/")
    page.locator("select[name=estate]").select_option(str(w.c1.pk))
    with page.expect_navigation():
        page.get_by_test_id("show-estate").click()
    assert page.url.endswith(f"?estate={w.c1.pk}")
    form = page.get_by_test_id("import-roll")
    form.locator("input[name=file]").set_input_files(upload)
    assert form.locator("input[name=dry_run]").is_checked()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.get_by_test_id("import-report").is_visible()
    assert "2" in page.get_by_test_id("import-report").inner_text()
    assert page.get_by_test_id("roll").count() == 0
    assert not Owner.objects.filter(estate=w.c1).exists()
    worker.shot("owners-roll-dry-run-desktop-zh")

    form = page.get_by_test_id("import-roll")
    form.locator("input[name=file]").set_input_files(upload)
    form.locator("input[name=dry_run]").uncheck()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.get_by_test_id("roll").locator("tbody tr").count() == 2
    assert "王建国" not in page.content()  # names are masked on the roll page
    seller = Owner.objects.get(estate=w.c1, name="王建国")
    assert Ownership.objects.filter(owner=seller).count() == 2
    assert Room.objects.get(unit=unit, number="102").floor_area == Decimal("76.20")

    transfer = page.get_by_test_id(f"transfer-{seller.pk}")
    page.locator(f"details:has([data-testid=transfer-{seller.pk}]) summary").click()
    transfer.locator("input[name=name]").fill("陈晓梅")
    transfer.locator("input[name=evidence]").fill("买卖合同 深房买字(2026)第0012号")
    worker.shot("owners-roll-transfer-desktop-zh")
    with page.expect_navigation():
        transfer.locator("button[type=submit]").click()
    assert Owner.objects.get(pk=seller.pk).is_active is False
    buyer = Owner.objects.get(estate=w.c1, name="陈晓梅")
    assert buyer.is_active
    assert Ownership.objects.filter(owner=buyer).count() == 2
    rows = page.get_by_test_id("roll").locator("tbody tr")
    assert rows.count() == 3
    assert page.get_by_test_id(f"transfer-{seller.pk}").count() == 0  # the seller left the roll
    assert page.get_by_test_id(f"transfer-{buyer.pk}").count() == 1
    worker.shot("owners-roll-after-transfer-desktop-zh")
    worker.check()
