"""Browser tests of the text pages on a phone (390 x 844), with the shell's guards (no console
errors, no request leaving 127.0.0.1), on real messages from the shared data:

- a resident reporting a problem already on the board is offered it while typing and follows it
  ("me too") instead of filing a duplicate;
- a community worker sees the duplicate candidates of a new order and merges it, opens the hot
  spots; the handling unit gets the reply check while typing its reply.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.access.choices import Role
from gongzhi.testing.world import grant, make_user
from gongzhi.text import actions as text_actions
from gongzhi.text.tests import shared_data
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import PHONE
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import Subscription, WorkOrder
from gongzhi.work_orders.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def _noise() -> dict[str, str]:
    return next(r for r in shared_data.labelled() if "夜宵店制造极大噪音" in r["title"])


def _on_board(w, row):
    order = factories.submitted(w, title=row["title"], description=row["text"], is_public=True)
    order = actions.accept_work_order(order, actor=w.community_worker_c1)
    return actions.dispatch_work_order(order, to=w.orgs["housing_bureau"], actor=w.community_worker_c1)


def test_a_resident_follows_the_same_problem_instead_of_reporting_it(world_live, open_session):
    w = world_live
    row = _noise()
    existing = _on_board(w, row)
    neighbour = make_user("neighbour_browser", kind="resident", home_area=w.g1, phone="13800000029")
    grant(neighbour, Role.RESIDENT, area=w.c1)

    resident = open_session(viewport=PHONE)
    resident.resident_login(neighbour.phone)
    page = resident.page
    page.goto("/work-orders/report/")
    page.fill("textarea[name=description]", row["text"][:40])
    box = page.get_by_test_id("similar-requests")
    box.wait_for()
    assert existing.number in box.inner_text()
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(shell.SCREENSHOTS / "text-me-too-offered-phone-zh.png"))
    box.get_by_test_id("follow-similar").click()
    page.locator("[data-follow-done]:not([hidden])").wait_for()
    assert Subscription.objects.filter(order=existing, user=neighbour).exists()
    assert WorkOrder.objects.count() == 1  # nothing new was filed
    page.goto("/work-orders/mine/")
    assert page.get_by_test_id("following").locator(f"[data-order-id='{existing.pk}']").count() == 1
    resident.shot("text-me-too-following-phone-zh")
    resident.check()


def test_staff_merge_a_duplicate_see_hot_spots_and_check_a_reply(world_live, open_session):
    w = world_live
    rows = [r for r in shared_data.hotspot_rows() if "丽发新城" in r["title"] and "搅拌" in r["title"]][:4]
    first = _on_board(w, rows[0])
    # Three more residents' reports of the same mixing plant arrive (the intake hook reads each).
    later = [
        factories.submitted(
            w,
            by="grid_worker_g1",
            channel="phone",
            contact_phone=f"1390000000{i}",
            title=r["title"][:120],
            description=r["text"][:4000],
        )
        for i, r in enumerate(rows[1:])
    ]

    worker = open_session(viewport=PHONE)
    worker.staff_login("community_worker_c1")
    page = worker.page
    page.goto(f"/work-orders/{later[0].pk}/")
    duplicates = page.get_by_test_id("text-duplicates")
    assert duplicates.locator(f"[data-order-id='{first.pk}']").count() == 1
    duplicates.scroll_into_view_if_needed()
    page.screenshot(path=str(shell.SCREENSHOTS / "text-duplicates-phone-zh.png"))
    with page.expect_navigation():
        duplicates.locator(f"[data-order-id='{first.pk}'] button[type=submit]").click()
    assert WorkOrder.objects.get(pk=later[0].pk).status == Status.MERGED

    text_actions.refresh_hotspots()
    page.goto("/text/hotspots/")
    spots = page.get_by_test_id("hotspots")
    assert "搅拌" in spots.inner_text() or "丽发" in spots.inner_text()
    worker.shot("text-hotspots-phone-zh")
    with page.expect_navigation():
        spots.locator("a").first.click()
    assert page.get_by_test_id("hotspot-members").locator("li").count() >= 2
    worker.shot("text-hotspot-detail-phone-zh")
    worker.check()

    handler = open_session(viewport=PHONE)
    handler.staff_login("department_handler")
    actions.sign_work_order(first, actor=w.department_handler)
    handler.page.goto(f"/work-orders/{first.pk}/")
    details = handler.page.locator("details[data-step=reply]")
    details.locator("summary").click()
    handler.page.locator("textarea[name=reply-text]").fill("已收到")
    score = handler.page.get_by_test_id("reply-score")
    score.wait_for()
    assert handler.page.get_by_test_id("reply-warnings").count() == 1  # a two-character reply is weak
    handler.page.screenshot(path=str(shell.SCREENSHOTS / "text-reply-check-phone-zh.png"))
    weak = int(score.get_attribute("data-score") or 0)
    handler.page.locator("textarea[name=reply-text]").fill(
        "经现场核实，区住房和建设局已于11月30日按照《深圳市建筑废弃物管理办法》责令丽发新城旁搅拌站停工整改，"
        "并安排专人每周巡查，整改完成前不得恢复生产。"
    )
    expect(score).not_to_have_attribute("data-score", str(weak), timeout=10_000)
    assert int(score.get_attribute("data-score") or 0) > weak  # the widget reads the reply being typed
    handler.page.screenshot(path=str(shell.SCREENSHOTS / "text-reply-check-good-phone-zh.png"))
    handler.check()
