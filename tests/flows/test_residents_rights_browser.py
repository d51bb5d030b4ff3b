"""Browser test of the data-subject rights loop on a phone (390 x 844), with the shell's guards
(no console errors, no request leaving 127.0.0.1):

    a resident opens "my data", downloads the PDF and asks for a correction →
    the community worker finds it in the request queue and completes it →
    the resident sees the answer.

It lives here, not in gongzhi/residents/tests/, because it borrows the web shell's browser
fixtures and the import contract keeps the residents package from importing gongzhi.web.
"""

from __future__ import annotations

import pytest

from gongzhi.privacy.testing import test_keys  # noqa: F401  (autouse: fixed test keys)
from gongzhi.residents.choices import RequestKind, RequestStatus
from gongzhi.residents.factories import ResidentFactory
from gongzhi.residents.models import DataSubjectRequest
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_a_resident_downloads_their_data_and_a_correction_is_answered(world_live, open_session):
    w = world_live
    person = ResidentFactory(grid=w.g1, name="张三", user=w.resident_c1, id_number="11010519491231002X")

    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto("/residents/my-data/")
    assert page.get_by_test_id("downloads").is_visible()
    resident.shot("residents-my-data-phone-zh")
    with page.expect_download() as download:
        page.locator("[data-testid=downloads] a[href*='as=pdf']").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert open(pdf.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115
    page.locator("input[name=kind][value=correction]").check()
    page.fill("textarea[name=details]", "手机号已更换为 13800000009")
    with page.expect_navigation():
        page.locator("[data-testid=request-form] button[type=submit]").click()
    request = DataSubjectRequest.objects.get(resident=person)
    assert request.kind == RequestKind.CORRECTION
    assert page.get_by_test_id("my-requests").is_visible()
    resident.check()

    worker = open_session(viewport=PHONE)
    worker.staff_login("community_worker_c1")
    worker.page.goto("/residents/requests/")
    worker.shot("residents-request-queue-phone-zh")
    with worker.page.expect_navigation():
        worker.page.locator(f"[data-request-id='{request.pk}'] a").click()
    worker.page.fill("[data-testid=complete-form] textarea[name=resolution]", "已更正手机号")
    worker.shot("residents-request-detail-phone-zh")
    with worker.page.expect_navigation():
        worker.page.locator("[data-testid=complete-form] button[type=submit]").click()
    assert DataSubjectRequest.objects.get(pk=request.pk).status == RequestStatus.COMPLETED
    worker.check()

    page.goto("/residents/my-data/")
    assert "已更正手机号" in page.get_by_test_id("my-requests").inner_text()
    resident.check()
