"""Personal data is masked before anything is shown publicly: the Open311 GET responses and the
public work-order board pass free text through the privacy redactor registry, where the text
app registers its richer redactor (licence plates, bank cards, exact addresses). Real messages
from ``../shared/data/messages`` (read in place)."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.open311.tests.helpers import BASE, assert_valid, services
from gongzhi.privacy import redaction
from gongzhi.text.engine.redact import redact as text_redact
from gongzhi.text.tests import shared_data
from gongzhi.work_orders import actions
from gongzhi.work_orders.tests import factories

BOARD = "/work-orders/board/"


def _row(rows, row_id):
    return next(r for r in rows if r["id"] == row_id)


@pytest.fixture
def real_texts():
    plate_msg = _row(shared_data.hotspot_rows(), "261827")  # 赣A50397 … parked in the fire lane
    address_msg = _row(shared_data.hotspot_rows(), "230118")  # 共和世家11栋3单元206室
    reply = _row(shared_data.replied(), "4277")["reply"]  # 先锋东外滩4栋1单元25层
    assert "赣A50397" in plate_msg["text"]
    assert "11栋3单元206室" in address_msg["text"]
    assert "4栋1单元25层" in reply
    return plate_msg, address_msg, reply


def test_text_registers_its_redactor_with_privacy():
    assert "text" in redaction.registered()
    out = redaction.redact_public("车牌赣A50397一汽丰田，住共和世家11栋3单元206室")
    assert "A50397" not in out
    assert "206" not in out
    assert out == text_redact(redaction.default_redact("车牌赣A50397一汽丰田，住共和世家11栋3单元206室"))


def _public_replied(world, *, title, description, reply, category):
    order = factories.signed(world, title=title, description=description, is_public=True, category=category)
    return actions.reply_work_order(order, actor=world.department_handler, text=reply)


def test_open311_get_masks_plates_and_addresses_of_real_messages(client, world, real_texts):
    plate_msg, address_msg, reply = real_texts
    svc = services(world)
    plate_order = factories.submitted(
        world, title=plate_msg["title"], description=plate_msg["text"], is_public=True, category=svc["street_vending"]
    )
    address_order = _public_replied(
        world, title=address_msg["title"], description=address_msg["text"], reply=reply, category=svc["street_light"]
    )
    body = client.get(f"{BASE}/requests.json").json()
    assert_valid("requests.json", body)
    rows = {r["service_request_id"]: r for r in body}
    plate_row, address_row = rows[str(plate_order.pk)], rows[str(address_order.pk)]
    assert "赣A50397" not in plate_row["description"]
    assert "赣A" in plate_row["description"]  # the province and city stay, the number goes
    assert "消防通道" in plate_row["description"]  # the message still reads
    assert "11栋3单元206室" not in address_row["description"]
    assert "206室" not in address_row["description"]
    assert "4栋1单元25层" not in address_row["status_notes"]
    assert "单元" in address_row["status_notes"]
    one = client.get(f"{BASE}/requests/{address_order.pk}.json").json()
    assert_valid("requests.json", one)
    assert "206室" not in one[0]["description"]
    xml = client.get(f"{BASE}/requests.xml").content.decode()
    for secret in ("赣A50397", "11栋3单元206室", "4栋1单元25层"):
        assert secret not in xml, secret


def test_public_board_masks_plates_and_addresses_of_real_messages(world, real_texts):
    plate_msg, address_msg, reply = real_texts
    order = _public_replied(
        world,
        title="消防通道被占 赣A50397",
        description=plate_msg["text"] + address_msg["text"],
        reply=reply,
        category=factories.category(),
    )
    order = actions.accept_work_order(order, actor=world.community_worker_c1) if order.status == "submitted" else order
    listing = Client().get(BOARD).content.decode()
    assert f'data-order-id="{order.pk}"' in listing
    assert "赣A50397" not in listing
    page = Client().get(f"{BOARD}{order.pk}/").content.decode()
    for secret in ("赣A50397", "11栋3单元206室", "4栋1单元25层"):
        assert secret not in page, secret
    assert "消防通道" in page


def test_a_failing_registered_redactor_never_breaks_the_public_text():
    def broken(text: str) -> str:
        raise RuntimeError("boom")

    redaction.register_redactor("broken", broken)
    try:
        assert redaction.redact_public("电话13912345678") == "电话***"
    finally:
        redaction.unregister_redactor("broken")
    assert "broken" not in redaction.registered()
