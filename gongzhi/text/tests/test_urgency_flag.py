"""Urgency cues at intake make the order urgent (through the work-order action, audited, shown in
its timeline) and alert the people watching the area and the unit handling it, once per order."""

from __future__ import annotations

from django.conf import settings

from gongzhi.audit.models import ChangeRecord
from gongzhi.notifications.models import Notification
from gongzhi.text import actions
from gongzhi.text.choices import AlertKind
from gongzhi.text.models import TextAlert
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.choices import EventKind, Urgency
from gongzhi.work_orders.tests import factories

WATCHERS_OF_G1 = {"grid_worker_g1", "community_worker_c1", "street_official_s1", "district_official"}


def _alerted(world, order) -> set[str]:
    ids = set(
        Notification.objects.filter(kind=actions.URGENT_KIND, url__contains=f"/{order.pk}/").values_list(
            "recipient_id", flat=True
        )
    )
    return {name for name, user in world.users.items() if user.pk in ids}


def test_urgent_cue_flags_the_order_once_and_alerts_the_area(world):
    order = factories.submitted(world, title="楼道有燃气味", description="三楼燃气管道泄漏，味道很大，老人小孩都在家")
    assert order.urgency == Urgency.NORMAL
    actions.analyse_order(order)
    order.refresh_from_db()
    assert order.urgency == Urgency.URGENT
    events = list(order.events.filter(kind=EventKind.FLAG_URGENT))
    assert len(events) == 1
    assert "燃气" in events[0].note
    assert events[0].data["cues"]
    assert ChangeRecord.objects.filter(verb="flag_urgent", target_id=order.pk).count() == 1
    alerted = _alerted(world, order)
    assert alerted == WATCHERS_OF_G1  # not C3's staff, not street S2, not the resident
    first_count = Notification.objects.filter(kind=actions.URGENT_KIND).count()
    # The hook re-runs (retry, "analyse again"): nothing new.
    actions.analyse_order(order)
    actions.analyse_order(order)
    assert order.events.filter(kind=EventKind.FLAG_URGENT).count() == 1
    assert TextAlert.objects.filter(kind=AlertKind.URGENT, order=order).count() == 1
    assert Notification.objects.filter(kind=actions.URGENT_KIND).count() == first_count
    assert ChangeRecord.objects.filter(verb="flag_urgent", target_id=order.pk).count() == 1


def test_the_unit_handling_the_order_is_alerted_too(world):
    order = factories.dispatched(world, title="电梯困人", description="5栋电梯困人半小时了，里面有老人")
    actions.analyse_order(order)
    assert _alerted(world, order) == WATCHERS_OF_G1 | {"department_handler"}


def test_the_flag_is_shown_on_the_staff_order_page_in_both_languages(world, client_for):
    order = factories.submitted(world, title="家里着火了", description="厨房里面浓烟很大")
    actions.analyse_order(order)
    client = client_for("community_worker_c1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    zh = client.get(f"/work-orders/{order.pk}/").content.decode()
    item = zh[zh.index('data-kind="flag_urgent"') :]
    item = item[: item.index("</li>")]
    assert "标记为紧急" in item
    assert "紧急线索" in item  # the cue words, in the timeline
    assert "着火" in item
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(f"/work-orders/{order.pk}/").content.decode()
    item = en[en.index('data-kind="flag_urgent"') :]
    assert "Flagged urgent" in item[: item.index("</li>")]


def test_a_calm_real_message_is_not_flagged(world):
    row = next(r for r in shared_data.labelled() if "路灯" in r["title"])
    order = factories.submitted(world, title=row["title"][:120], description=row["text"][:4000])
    actions.analyse_order(order)
    order.refresh_from_db()
    assert order.urgency == Urgency.NORMAL
    assert not order.events.filter(kind=EventKind.FLAG_URGENT).exists()
    assert not Notification.objects.filter(kind=actions.URGENT_KIND).exists()


def test_a_closed_order_keeps_its_urgency_but_the_alert_is_raised(world):
    order = factories.replied(world, title="燃气泄漏", description="楼下燃气泄漏了")
    order = wo_actions.close_work_order(order, actor=world.community_worker_c1)
    actions.analyse_order(order)
    order.refresh_from_db()
    assert order.urgency == Urgency.NORMAL
    assert not order.events.filter(kind=EventKind.FLAG_URGENT).exists()
    assert TextAlert.objects.filter(kind=AlertKind.URGENT, order=order).count() == 1
