"""Anonymous reports: a model flag; a contact for follow-up that staff see masked; the
submitter's identity hidden from everyone handling the order (API, pages, Open311)."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.work_orders import actions
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.tests import factories

URL = "/api/work-orders/"


def _body(world, **extra):
    body = {
        "order_type": "complaint",
        "channel": "web",
        "area": world.g1.pk,
        "title": "夜间施工噪音",
        "description": "工地每晚11点后仍在施工",
        "category": factories.category().pk,
        "contact_name": "王小明",
        "contact_phone": "13912345678",
        "is_anonymous": True,
    }
    body.update(extra)
    return body


def test_anonymous_needs_a_contact_and_drops_the_name(world):
    with pytest.raises(WorkOrderError) as exc:
        factories.submitted(world, is_anonymous=True)
    assert exc.value.code == WorkOrderErrorCode.CONTACT_REQUIRED
    order = factories.submitted(world, is_anonymous=True, contact_name="王小明", contact_phone="13912345678")
    assert order.is_anonymous
    assert order.contact_name == ""
    assert order.submitter == world.resident_c1  # the resident still follows and rates it


def test_api_create_and_what_each_side_sees(world, client_for):
    resident = client_for("resident_c1")
    created = resident.post(URL, _body(world), format="json")
    assert created.status_code == 201, created.content
    order = WorkOrder.objects.get(pk=created.json()["id"])
    assert order.is_anonymous
    actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    own = resident.get(f"{URL}{order.pk}/").json()
    assert own["contact_phone"] == "13912345678"
    assert own["is_anonymous"] is True
    for actor in ("community_worker_c1", "department_handler", "district_official"):
        seen = client_for(actor).get(f"{URL}{order.pk}/").json()
        assert seen["contact_phone"] == "139****5678", actor
        assert seen["contact_name"] == ""
        submit = next(e for e in seen["timeline"] if e["kind"] == "submit")
        assert submit["actor_label"] == "", actor
        assert "resident_c1" not in str(seen)


def test_api_anonymous_without_a_phone_is_400(world, client_for):
    response = client_for("resident_c1").post(URL, _body(world, contact_phone=""), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "contact_required"


def test_non_anonymous_orders_are_unchanged(world, client_for):
    order = factories.submitted(world, contact_name="王小明", contact_phone="13912345678")
    seen = client_for("community_worker_c1").get(f"{URL}{order.pk}/").json()
    assert (seen["contact_name"], seen["contact_phone"]) == ("王小明", "13912345678")


def test_detail_page_masks_the_phone_for_staff(world):
    order = factories.submitted(world, is_anonymous=True, contact_phone="13912345678")
    staff = Client()
    staff.force_login(world.community_worker_c1)
    html = staff.get(f"/work-orders/{order.pk}/").content.decode()
    assert "139****5678" in html
    assert "13912345678" not in html
    assert world.resident_c1.display_name not in html
    owner = Client()
    owner.force_login(world.resident_c1)
    assert owner.get(f"/work-orders/{order.pk}/").status_code == 200
