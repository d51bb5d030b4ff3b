"""Browser test of notifications on a phone: the header bell shows the unread count (loaded
by htmx), the list opens a notice and marks it read, the preferences save; the shell's guards
(no console errors, nothing leaves 127.0.0.1) hold throughout."""

from __future__ import annotations

import re

import pytest

from gongzhi.notifications.models import Notification, Preference
from gongzhi.notifications.tests.factories import notice
from gongzhi.web.tests import test_browser as shell
from gongzhi.web.tests.test_browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = shell.browser
open_session = shell.open_session
world_live = shell.world_live


def test_bell_list_open_and_preferences(world_live, open_session):
    w = world_live
    for i in range(2):
        notice(w.resident_c1, title=f"您的诉求已受理 {i}", url="/work-orders/mine/")
    resident = open_session(viewport=PHONE)
    resident.resident_login(w.resident_c1.phone)
    page = resident.page
    page.goto("/")
    count = page.get_by_test_id("unread-count")
    count.wait_for()
    assert count.inner_text() == "2"
    page.get_by_test_id("notification-bell").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    resident.shot("notifications-list-phone-zh")
    first = page.locator("[data-notification-id]").first
    first.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"/work-orders/mine/$"))
    assert Notification.objects.filter(recipient=w.resident_c1, read_at__isnull=True).count() == 1
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.goto("/notifications/preferences/")
    page.locator("[data-group=work_orders] input[value=digest]").check()
    page.locator("[data-group=work_orders] input[name=work_orders__sms]").check()
    resident.shot("notifications-preferences-phone-zh")
    with page.expect_navigation():
        page.get_by_test_id("save-preferences").click()
    pref = Preference.objects.get(user=w.resident_c1, group="work_orders")
    assert (pref.mode, pref.sms) == ("digest", True)
    resident.check()
