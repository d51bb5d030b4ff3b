"""Browser test of a result tracked to completion: the committee reports milestones, evidence
and progress on a desktop; a resident follows it on a phone; the public page shows it done."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.models import Evidence, Result
from gongzhi.participation.accountability.tests import factories
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def _photo() -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 140, 60)).save(buffer, "JPEG")
    return {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_result_tracked_to_completion(world_live, open_session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world_live
    result = factories.result(w, title="科苑小区3栋加装电梯")

    # a resident follows it from their phone
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    resident.page.goto("/participation/results/")
    with resident.page.expect_navigation():
        resident.page.locator(f"[data-result-id='{result.pk}']").click()
    with resident.page.expect_navigation():
        resident.page.get_by_test_id("follow").click()
    assert Result.objects.get(pk=result.pk).follower_count == 1
    resident.shot("pacc-followed-phone-zh")
    resident.check()

    # the committee adds a milestone, evidence and progress, then completes it
    staff = open_session(viewport=DESKTOP)
    staff.staff_login("community_worker_c1")
    page = staff.page
    page.goto("/participation/results/console/")
    with page.expect_navigation():
        page.locator(f"[data-testid=reportable] [data-result-id='{result.pk}']").click()
    page.fill("[data-testid=form-milestone] input[name=title]", "业主表决通过")
    with page.expect_navigation():
        page.locator("[data-testid=form-milestone] button[type=submit]").click()
    milestone = result.milestones.get()
    page.fill("[data-testid=form-progress] input[name=progress]", "60")
    page.fill("[data-testid=form-progress] textarea[name=text]", "电梯井道施工完成")
    with page.expect_navigation():
        page.locator("[data-testid=form-progress] button[type=submit]").click()
    assert page.get_by_test_id("result-progress").inner_text() == "60%"
    page.set_input_files("[data-testid=form-evidence] input[name=file]", [_photo()])
    page.fill("[data-testid=form-evidence] input[name=caption]", "施工现场")
    with page.expect_navigation():
        page.locator("[data-testid=form-evidence] button[type=submit]").click()
    assert Evidence.objects.filter(result=result).count() == 1
    with page.expect_navigation():
        page.get_by_test_id(f"complete-milestone-{milestone.pk}").click()
    page.fill("[data-testid=form-progress] input[name=progress]", "100")
    page.fill("[data-testid=form-progress] textarea[name=text]", "电梯验收合格 投入使用")
    with page.expect_navigation():
        page.locator("[data-testid=form-progress] button[type=submit]").click()
    staff.shot("pacc-completed-desktop-zh")
    staff.check()
    result.refresh_from_db()
    assert result.status == ResultStatus.COMPLETED
    assert result.progress == 100

    # the public page shows it completed, with its updates and the photo
    public = open_session(viewport=PHONE)
    public.page.goto(f"/participation/results/{result.pk}/")
    assert public.page.get_by_test_id("result-progress").inner_text() == "100%"
    assert public.page.get_by_test_id("result-status").inner_text() == "已完成"
    assert public.page.locator("[data-testid=updates] li").count() == 3
    assert public.page.locator("[data-testid=evidence] img").count() == 1
    public.shot("pacc-completed-public-phone-zh")
    public.check()
