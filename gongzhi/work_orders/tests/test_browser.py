"""Browser tests of the work-order loop, on a phone (390 x 844), with the shell's guards
(no console errors, no request leaving 127.0.0.1) from gongzhi/web/tests/test_browser.py.

    resident submits with a photo → community worker accepts and dispatches →
    department handler signs and replies → resident rates satisfied → closed;
    and the reopen path: dissatisfied → reviewer upholds → reopened.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from gongzhi.organisations.models import DutyAssignment
from gongzhi.testing.world import World
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE, SCREENSHOTS, Session
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import Status
from gongzhi.work_orders.models import Attachment, WorkOrder
from gongzhi.work_orders.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The shell's fixtures: chromium launch, sessions with guards, the world on the live server.
browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live

DETAIL = re.compile(r"/work-orders/(\d+)/$")


def _categories(world: World) -> Any:
    top = factories.category("01", "市容环境")
    mid = factories.category("0101", "照明设施", parent=top)
    leaf = factories.category("010101", "楼道灯不亮", parent=mid)
    factories.category("02", "治安安全")
    DutyAssignment.objects.create(
        organisation=world.orgs["housing_bureau"], category=mid, area=world.district, area_path=world.district.path
    )
    return leaf


def _photo() -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, "JPEG")
    return {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _step(session: Session, verb: str) -> Any:
    """Open a step's <details> on the detail page and return its form."""
    page = session.page
    details = page.locator(f"details[data-step={verb}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return page.get_by_test_id(f"form-{verb}")


def _shot_here(session: Session, name: str) -> None:
    """A phone screenshot of what is on the screen now (the step's form), not the page top."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _submit_step(session: Session, verb: str, name: str) -> None:
    form = _step(session, verb)
    form.scroll_into_view_if_needed()
    _shot_here(session, name)
    with session.page.expect_navigation():
        form.locator("button[type=submit]").click()


def _status(order_id: int) -> str:
    return WorkOrder.objects.get(pk=order_id).status


def test_submit_dispatch_sign_reply_rate_close(world_live, open_session):
    w = world_live
    leaf = _categories(w)

    # a resident reports a broken stair light with a photo, on a phone
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto("/services/")
    page.locator("a[href='/work-orders/report/']").first.click()
    page.wait_for_url(re.compile(r"/work-orders/report/$"))
    assert page.locator("select[name=area]").input_value() == str(w.g1.pk)
    resident.shot("wo-report-empty-phone-zh")
    page.locator("input[name=category_search]").fill("楼道灯")
    assert page.locator("select[name=category]").input_value() == str(leaf.pk)
    page.fill("textarea[name=description]", "3栋1单元5楼楼道灯坏了一周 晚上很黑")
    # the photo button speaks the page's language (the browser's own file control would not)
    assert page.locator("label[for=id_photos]").inner_text().strip() == "拍照或选择照片"
    page.set_input_files("input[name=photos]", [_photo()])
    page.wait_for_selector("[data-photo-previews] img")
    assert page.locator("[data-photo-count]").inner_text() == "已选照片：1 张"
    page.locator("label[for=id_photos]").scroll_into_view_if_needed()
    _shot_here(resident, "wo-report-photo-phone-zh")
    page.select_option("select[name=building]", str(w.building_g1.pk))
    page.check("input[name=is_public]")
    resident.shot("wo-report-filled-phone-zh")
    page.locator("[data-testid=request-form] button[type=submit]").scroll_into_view_if_needed()
    _shot_here(resident, "wo-report-filled-bottom-phone-zh")
    with page.expect_navigation():
        page.locator("[data-testid=request-form] button[type=submit]").click()
    match = DETAIL.search(page.url)
    assert match, page.url
    order_id = int(match.group(1))
    assert WorkOrder.objects.count() == 1
    assert Attachment.objects.filter(order_id=order_id).count() == 1
    assert page.locator("[data-testid=timeline] [data-kind=submit]").count() == 1
    resident.shot("wo-detail-submitted-phone-zh")
    resident.check()

    # the community worker accepts and dispatches to the proposed unit
    worker = open_session(viewport=PHONE)
    worker.staff_login("community_worker_c1")
    worker.page.goto("/work-orders/?inbox=to_accept")
    assert worker.page.locator("[data-inbox=to_accept] [data-count]").inner_text() == "1"
    worker.shot("wo-inbox-to-accept-phone-zh")
    with worker.page.expect_navigation():
        worker.page.locator(f"[data-order-id='{order_id}'] a").click()
    worker.shot("wo-detail-staff-submitted-phone-zh")
    _submit_step(worker, "accept", "wo-accept-form-phone-zh")
    assert _status(order_id) == Status.ACCEPTED
    form = _step(worker, "dispatch")
    assert form.locator("select[name=dispatch-to]").input_value() == str(w.orgs["housing_bureau"].pk)
    _submit_step(worker, "dispatch", "wo-dispatch-form-phone-zh")
    assert _status(order_id) == Status.DISPATCHED
    worker.shot("wo-detail-dispatched-phone-zh")
    worker.check()

    # the housing bureau signs for it and replies
    handler = open_session(viewport=PHONE)
    handler.staff_login("department_handler")
    handler.page.goto("/work-orders/?inbox=to_sign")
    assert handler.page.locator(f"[data-order-id='{order_id}'] [data-state]").count() == 1
    handler.shot("wo-inbox-to-sign-phone-zh")
    handler.page.goto(f"/work-orders/{order_id}/")
    _submit_step(handler, "sign", "wo-sign-form-phone-zh")
    assert _status(order_id) == Status.SIGNED
    _step(handler, "reply").locator("textarea[name=reply-text]").fill("已更换楼道灯 经检查工作正常")
    _submit_step(handler, "reply", "wo-reply-form-phone-zh")
    assert _status(order_id) == Status.REPLIED
    handler.shot("wo-detail-replied-staff-phone-zh")
    handler.check()

    # the resident sees the reply and rates it satisfied
    page.goto("/work-orders/mine/")
    resident.shot("wo-mine-phone-zh")
    page.goto(f"/work-orders/{order_id}/")
    assert "已更换楼道灯" in page.get_by_test_id("reply").inner_text()
    form = _step(resident, "rate")
    form.locator("input[name=rate-satisfaction][value=satisfied]").check()
    form.locator("input[name=rate-resolved][value='1']").check()
    _submit_step(resident, "rate", "wo-rate-form-phone-zh")
    assert WorkOrder.objects.get(pk=order_id).rated_at is not None

    # the worker closes the loop; the resident sees it closed
    worker.page.goto(f"/work-orders/{order_id}/")
    _submit_step(worker, "close", "wo-close-form-phone-zh")
    assert _status(order_id) == Status.CLOSED
    page.goto(f"/work-orders/{order_id}/")
    assert page.locator(".wo-status").first.get_attribute("data-status") == "closed"
    resident.shot("wo-detail-closed-phone-zh")
    worker.page.set_viewport_size(DESKTOP)
    worker.page.goto("/work-orders/?inbox=all")
    worker.shot("wo-inbox-all-desktop-zh")
    resident.check()
    worker.check()


def test_dissatisfied_resident_and_the_reviewer_reopens(world_live, open_session):
    w = world_live
    _categories(w)
    order = factories.replied(w)

    # the resident is not satisfied and says it is not resolved
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    resident.page.goto(f"/work-orders/{order.pk}/")
    form = _step(resident, "rate")
    form.locator("input[name=rate-satisfaction][value=dissatisfied]").check()
    form.locator("input[name=rate-resolved][value='0']").check()
    form.locator("textarea[name=rate-comment]").fill("灯还是不亮")
    _submit_step(resident, "rate", "wo-rate-dissatisfied-phone-zh")
    assert resident.page.get_by_test_id("review-pending").is_visible()
    resident.shot("wo-detail-review-pending-phone-zh")

    # the reviewer upholds it: the order is handled again
    reviewer = open_session(viewport=PHONE)
    reviewer.staff_login("community_worker_c1")
    reviewer.page.goto("/work-orders/?inbox=to_review")
    assert reviewer.page.locator("[data-inbox=to_review] [data-count]").inner_text() == "1"
    reviewer.page.goto(f"/work-orders/{order.pk}/")
    assert reviewer.page.get_by_test_id("flag-review").is_visible()
    form = _step(reviewer, "review")
    form.locator("input[name=review-uphold][value='1']").check()
    form.locator("textarea[name=review-note]").fill("居民反映属实 重新派单")
    _submit_step(reviewer, "review", "wo-review-form-phone-zh")
    assert _status(order.pk) == Status.REOPENED
    reviewer.shot("wo-detail-reopened-phone-zh")
    # refused steps show their code next to the form
    actions.set_on_hold(WorkOrder.objects.get(pk=order.pk), actor=w.community_worker_c1, on_hold=True, reason="等待")
    reviewer.page.goto(f"/work-orders/{order.pk}/")
    assert reviewer.page.locator("details[data-step=dispatch]").count() == 0
    resident.check()
    reviewer.check()


def test_elder_mode_report_form(world_live, open_session):
    _categories(world_live)
    session = open_session(viewport=PHONE)
    session.resident_login(world_live.resident_c1.phone)
    session.page.get_by_test_id("elder-toggle").click()
    session.page.wait_for_selector("html.elder")
    session.page.goto("/work-orders/report/")
    assert not session.page.locator("input[name=title]").is_visible()
    height = session.page.evaluate("document.querySelector('select[name=category]').getBoundingClientRect().height")
    assert height >= 56
    session.shot("wo-report-elder-phone-zh")
    session.check()


def test_kpi_dashboard_and_map_draw_with_local_assets(world_live, open_session, settings):
    from decimal import Decimal

    from gongzhi.work_orders.tests.kpi_world import build_kpi_world

    w = world_live
    settings.GONGZHI_KPI_MIN_CASES = 1
    build_kpi_world(w)
    located = factories.dispatched(w, lat=Decimal("22.5405"), lng=Decimal("113.9345"))

    official = open_session(viewport=DESKTOP)
    official.staff_login("district_official")
    page = official.page
    page.goto(f"/work-orders/kpis/?area={w.district.pk}&period=2026-11")
    assert page.locator("[data-kpi=cases]").inner_text() == "10"  # the 9 of the KPI world + the located one
    page.locator("[data-kpi-chart=trend] svg").first.wait_for()
    page.locator("[data-kpi-chart=ranking] svg").first.wait_for()
    assert page.get_by_test_id("kpi-ranking").locator("tbody tr[data-unit]").count() >= 2
    official.shot("wo-kpi-dashboard-desktop-zh")
    official.check()

    worker = open_session(viewport=PHONE)
    worker.staff_login("community_worker_c1")
    worker.page.goto("/work-orders/?inbox=all")
    with worker.page.expect_navigation():
        worker.page.get_by_test_id("map-link").click()
    worker.page.locator("[data-orders-map] .leaflet-interactive").first.wait_for()
    assert worker.page.get_by_test_id("map-points").locator(f"[data-order-id='{located.pk}']").count() == 1
    worker.shot("wo-map-phone-zh")
    worker.check()
