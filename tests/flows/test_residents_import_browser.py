"""Browser test of a background import (Playwright + Debian's chromium, the shell's guards):
committee staff upload a spreadsheet → the set's page shows it queued and polls its progress →
a worker runs it → the page reloads itself once and shows the finished counts. It lives here, not
in gongzhi/residents/tests, because it uses the web shell's browser fixtures and the import
contract keeps the residents package from importing gongzhi.web."""

from __future__ import annotations

import re

import pytest

from gongzhi.privacy.testing import test_keys  # noqa: F401  (autouse: fixed test keys)
from gongzhi.residents import importer, tasks
from gongzhi.residents.tests.test_background_import import rows
from gongzhi.residents.tests.test_import import csv_bytes, profile
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.GONGZHI_IMPORT_UPLOAD_DIR = tmp_path
    options = {**settings.STORAGES["residents_imports"].get("OPTIONS", {}), "location": str(tmp_path)}
    settings.STORAGES = {
        **settings.STORAGES,
        "residents_imports": {**settings.STORAGES["residents_imports"], "OPTIONS": options},
    }


def test_upload_then_live_progress_then_finished(world_live, open_session, monkeypatch, private_storage):
    w = world_live
    prof = profile(w)
    queued: list[int] = []
    monkeypatch.setattr(tasks, "enqueue_import", queued.append)  # the worker is this test, below
    staff = open_session(viewport=DESKTOP)
    staff.staff_login("community_worker_c1")
    page = staff.page

    page.goto("/residents/imports/")
    page.set_input_files("input[name=file]", {"name": "名单.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows(3))})
    page.select_option("select[name=profile]", str(prof.pk))
    page.select_option("select[name=grid]", str(w.g2.pk))
    page.uncheck("input[name=dry_run]")
    staff.shot("import-upload-desktop-zh")
    with page.expect_navigation():
        page.get_by_test_id("upload-form").locator("button[type=submit]").click()

    assert re.search(r"/residents/imports/\d+/$", page.url), page.url
    assert page.get_by_test_id("progress").get_attribute("data-status") == "queued"
    assert page.get_by_test_id("cancel-form").count() == 1
    staff.shot("import-queued-desktop-zh")
    assert len(queued) == 1

    importer.run_queued_import(queued[0])  # a worker runs the set; the page finds out by polling

    page.wait_for_selector("[data-testid=progress][data-status=committed]", timeout=20_000)
    assert page.get_by_test_id("created-count").inner_text() == "3"
    assert page.get_by_test_id("percent").inner_text() == "100%"
    assert page.get_by_test_id("cancel-form").count() == 0
    assert page.get_by_test_id("rollback-form").count() == 1
    staff.shot("import-finished-desktop-zh")
    staff.check()
