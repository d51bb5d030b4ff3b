"""Pages of work orders: submit, my requests, detail, inboxes, bulk dispatch, staff entry."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.audit.models import ChangeRecord
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import Channel, Status
from gongzhi.work_orders.models import Attachment, WorkOrder
from gongzhi.work_orders.tests import factories

pytestmark = pytest.mark.django_db

REPORT = "/work-orders/report/"
INBOX = "/work-orders/"


def _jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _token(response) -> str:
    return re.search(r'name="form_token" value="([0-9a-f]+)"', response.content.decode()).group(1)


def _report_body(world, token: str, **extra):
    body = {
        "form_token": token,
        "order_type": "report",
        "category": str(factories.category().pk),
        "description": "3栋楼道灯坏了一周\n晚上很黑",
        "area": str(world.g1.pk),
        "contact_name": "张三",
        "contact_phone": "13800000001",
    }
    body.update(extra)
    return body


# --- resident: submit ---------------------------------------------------------------------------------


def test_report_form_preselects_the_home_area_and_offers_buildings(world, client_for, django_assert_max_num_queries):
    # given
    factories.category()
    client = client_for("resident_c1")
    # when
    with django_assert_max_num_queries(20):
        response = client.get(REPORT)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{world.g1.pk}" selected>' in html
    assert world.building_g1.name in html
    assert world.building_g4.name not in html  # another community
    assert 'accept="image/*"' in html
    assert "capture=" in html


def test_report_form_maps_the_first_boundary_without_reading_every_area_boundary(world, client_for):
    """The area choices are read without their GeoJSON; the map gets the first area (in the
    order offered: the resident's own area first) that has a boundary."""
    # given a boundary on the community, none on the resident's grid
    from gongzhi.territory.models import Area

    square = {"type": "Polygon", "coordinates": [[[114.0, 22.5], [114.1, 22.5], [114.1, 22.6], [114.0, 22.5]]]}
    Area.objects.filter(pk=world.c1.pk).update(boundary=square)
    Area.objects.filter(pk=world.g1.pk).update(boundary=None)
    factories.category()
    client = client_for("resident_c1")
    # when
    response = client.get(REPORT)
    # then the community's boundary is the map's, and the choices read for the page (all but the
    # resident's home area, loaded with the user) carry no boundary
    assert response.context["boundary"] == square
    areas = [a for a in response.context["form"].areas.values() if a.pk != world.g1.pk]
    assert areas
    assert all("boundary" in a.get_deferred_fields() for a in areas)
    # and with a boundary on the grid too, the resident's own grid comes first
    Area.objects.filter(pk=world.g1.pk).update(boundary={**square, "coordinates": [[[1.0, 1.0]]]})
    assert client.get(REPORT).context["boundary"]["coordinates"] == [[[1.0, 1.0]]]


def test_resident_submits_with_a_photo_and_a_double_submit_creates_nothing_more(world, client_for):
    # given
    client = client_for("resident_c1")
    token = _token(client.get(REPORT))
    body = _report_body(world, token, building=str(world.building_g1.pk), is_public="on")
    # when
    first = client.post(REPORT, {**body, "photos": [_jpeg()]})
    again = client.post(REPORT, {**body, "photos": [_jpeg()]})
    # then
    order = WorkOrder.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/work-orders/{order.pk}/"
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert order.submitter_id == world.resident_c1.pk
    assert order.title == "3栋楼道灯坏了一周"
    assert order.building_id == world.building_g1.pk
    assert order.is_public
    assert Attachment.objects.filter(order=order).count() == 1


def test_a_bad_photo_is_refused_with_its_code_and_nothing_is_created(world, client_for):
    # given
    client = client_for("resident_c1")
    token = _token(client.get(REPORT))
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    # when
    response = client.post(REPORT, {**_report_body(world, token), "photos": [fake]})
    # then
    assert response.status_code == 400
    assert "attachment_type_not_allowed" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_more_than_nine_photos_is_a_field_error(world, client_for):
    client = client_for("resident_c1")
    token = _token(client.get(REPORT))
    response = client.post(REPORT, {**_report_body(world, token), "photos": [_jpeg(f"{i}.jpg") for i in range(10)]})
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_anonymous_option_needs_a_phone_and_hides_the_name(world, client_for):
    # given
    client = client_for("resident_c1")
    token = _token(client.get(REPORT))
    # when
    missing = client.post(REPORT, _report_body(world, token, anonymous="on", contact_phone=""))
    done = client.post(REPORT, _report_body(world, token, anonymous="on"))
    # then
    assert missing.status_code == 400
    assert done.status_code == 302
    order = WorkOrder.objects.get()
    assert order.contact_name == ""
    assert order.contact_phone == "13800000001"


def test_a_unit_outside_the_building_is_refused(world, client_for):
    from gongzhi.territory.models import Unit

    other = Unit.objects.create(building=world.building_g4, number="9")
    client = client_for("resident_c1")
    token = _token(client.get(REPORT))
    response = client.post(REPORT, _report_body(world, token, building=str(world.building_g1.pk), unit=str(other.pk)))
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_staff_cannot_use_the_resident_form_and_residents_not_the_staff_form(world, client_for):
    assert client_for("department_handler").get(REPORT).status_code == 403
    assert client_for("resident_c1").get("/work-orders/new/").status_code == 403


# --- staff entry --------------------------------------------------------------------------------------


def test_staff_enter_a_phone_call_for_a_registered_resident(world, client_for):
    # given
    client = client_for("community_worker_c1")
    token = _token(client.get("/work-orders/new/"))
    body = _report_body(world, token, channel="phone", resident_phone="13800000001", contact_name="张三")
    # when
    response = client.post("/work-orders/new/", body)
    # then
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == Channel.PHONE
    assert order.submitter_id == world.resident_c1.pk
    assert order.entered_by_id == world.community_worker_c1.pk


def test_staff_enter_a_walk_in_without_an_account_needs_a_contact_phone(world, client_for):
    client = client_for("community_worker_c1")
    token = _token(client.get("/work-orders/new/"))
    refused = client.post("/work-orders/new/", _report_body(world, token, channel="walk_in", contact_phone=""))
    assert refused.status_code == 400
    assert "contact_required" in refused.content.decode()
    done = client.post("/work-orders/new/", _report_body(world, token, channel="walk_in"))
    assert done.status_code == 302
    assert WorkOrder.objects.get().submitter_id is None


def test_grid_worker_reports_from_patrol(world, client_for):
    client = client_for("grid_worker_g1")
    token = _token(client.get("/work-orders/new/"))
    response = client.post("/work-orders/new/", _report_body(world, token, channel="grid_patrol", contact_phone=""))
    assert response.status_code == 302
    assert WorkOrder.objects.get().channel == Channel.GRID_PATROL


def test_unknown_resident_phone_is_a_field_error(world, client_for):
    client = client_for("community_worker_c1")
    token = _token(client.get("/work-orders/new/"))
    response = client.post("/work-orders/new/", _report_body(world, token, channel="phone", resident_phone="139"))
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 0


# --- my requests and detail --------------------------------------------------------------------------


def test_my_requests_lists_only_mine_in_constant_queries(world, client_for, django_assert_max_num_queries):
    # given
    mine = [factories.submitted(world) for _ in range(3)]
    factories.submitted(world, by="resident_c3", area=world.g4)
    client = client_for("resident_c1")
    with django_assert_max_num_queries(12) as few:
        client.get("/work-orders/mine/")
    for _ in range(10):
        factories.submitted(world)
    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/work-orders/mine/")
    # then
    ids = {int(i) for i in re.findall(r'data-order-id="(\d+)"', response.content.decode())}
    assert {o.pk for o in mine} <= ids
    assert len(ids) == 13


def test_resident_detail_shows_progress_and_hides_internal_events(world, client_for):
    order = factories.dispatched(world)
    actions.return_work_order(order, actor=world.department_handler, reason="不归我们管")
    response = client_for("resident_c1").get(f"/work-orders/{order.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-kind="dispatch"' in html
    assert 'data-kind="return"' not in html  # internal
    assert "不归我们管" not in html
    assert 'aria-current="step"' in html


@pytest.mark.parametrize("actor", ["resident_c3", "community_worker_c3", "street_official_s2", "no_grant"])
def test_detail_of_an_order_out_of_scope_is_404(world, client_for, actor):
    order = factories.submitted(world)
    assert client_for(actor).get(f"/work-orders/{order.pk}/").status_code == 404


def test_staff_detail_shows_deadlines_coloured_and_the_proposed_units(world, client_for):
    from gongzhi.organisations.models import DutyAssignment

    order = factories.submitted(world)
    DutyAssignment.objects.create(
        organisation=world.orgs["property_c1"], category=order.category, area=world.c1, area_path=world.c1.path
    )
    html = client_for("community_worker_c1").get(f"/work-orders/{order.pk}/").content.decode()
    assert 'data-testid="proposed"' in html
    assert "深圳科苑物业管理有限公司 ★" in html
    dispatched = factories.dispatched(world)
    html = client_for("department_handler").get(f"/work-orders/{dispatched.pk}/").content.decode()
    assert 'data-testid="deadlines"' in html
    assert re.search(r'data-state="(ok|soon|overdue)"', html)


def test_attachment_is_served_to_the_resident_and_404_elsewhere(world, client_for):
    order = factories.submitted(world)
    item = actions.add_attachment(order, actor=world.resident_c1, upload=_jpeg())
    url = f"/work-orders/{order.pk}/attachments/{item.pk}/"
    ok = client_for("resident_c1").get(url)
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/jpeg"
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert client_for("resident_c3").get(url).status_code == 404


# --- inboxes ------------------------------------------------------------------------------------------


def _inbox_ids(response) -> set[int]:
    return {int(i) for i in re.findall(r'<li class="wo-row[^"]*" data-order-id="(\d+)"', response.content.decode())}


def test_inbox_counts_and_lists_in_constant_queries(world, client_for, django_assert_max_num_queries):
    # given
    for _ in range(2):
        factories.submitted(world)
        factories.dispatched(world)
    client = client_for("community_worker_c1")
    with django_assert_max_num_queries(40) as few:
        client.get(INBOX + "?inbox=to_accept")
    for _ in range(12):
        factories.submitted(world)
        factories.dispatched(world)
    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX + "?inbox=to_accept")
    # then
    assert response.status_code == 200
    counts = dict(
        re.findall(r'data-inbox="(\w+)"[^>]*>[^<]*<span class="wo-tab__count"[^>]*>(\d+)<', response.content.decode())
    )
    assert counts["to_accept"] == "14"
    assert counts["to_sign"] == "14"
    assert len(_inbox_ids(response)) == 14


@pytest.mark.parametrize(
    "inbox",
    [
        "to_accept",
        "to_dispatch",
        "to_sign",
        "in_progress",
        "due_soon",
        "overdue",
        "awaiting_follow_up",
        "to_review",
        "all",
    ],
)
def test_every_inbox_page_has_a_bounded_query_count(world, client_for, django_assert_max_num_queries, inbox):
    for _ in range(3):
        factories.replied(world)
    with django_assert_max_num_queries(30):
        response = client_for("street_official_s1").get(f"{INBOX}?inbox={inbox}")
    assert response.status_code == 200


def test_department_sees_only_what_was_dispatched_to_it(world, client_for):
    mine = factories.dispatched(world)
    factories.submitted(world)
    other = factories.dispatched(world, to="property_c1")
    response = client_for("department_handler").get(INBOX + "?inbox=all")
    ids = _inbox_ids(response)
    assert mine.pk in ids
    assert other.pk not in ids
    assert len(ids) == 1
    html = response.content.decode()
    assert 'data-inbox="to_sign"' in html
    assert 'data-inbox="to_accept"' not in html


def test_inbox_of_another_community_shows_nothing_of_c1(world, client_for):
    factories.submitted(world)
    c3 = factories.submitted(world, by="resident_c3", area=world.g4)
    assert _inbox_ids(client_for("community_worker_c3").get(INBOX + "?inbox=all")) == {c3.pk}


def test_inbox_is_not_for_residents_or_anonymous(world, client_for):
    assert client_for("resident_c1").get(INBOX).status_code == 403
    assert client_for("anonymous").get(INBOX).status_code == 302


def test_inbox_filters_by_number_type_and_unknown_inbox(world, client_for):
    a = factories.submitted(world)
    factories.submitted(world, order_type="complaint")
    client = client_for("community_worker_c1")
    assert _inbox_ids(client.get(f"{INBOX}?inbox=all&q={a.number}")) == {a.pk}
    assert len(_inbox_ids(client.get(f"{INBOX}?inbox=all&order_type=complaint"))) == 1
    assert client.get(f"{INBOX}?inbox=nonsense").status_code == 404


def test_late_units_panel_groups_overdue_orders_by_lead_unit(world, client_for):
    from datetime import timedelta

    from django.utils import timezone

    late = [factories.dispatched(world) for _ in range(2)] + [factories.dispatched(world, to="property_c1")]
    WorkOrder.objects.filter(pk__in=[o.pk for o in late]).update(sign_due=timezone.now() - timedelta(days=3))
    client = client_for("street_official_s1")
    # the inbox page loads the panel after it is shown
    assert 'data-testid="late-units-slot"' in client.get(INBOX).content.decode()
    panel = client.get(INBOX + "late/").content.decode()
    assert re.search(r"南山区住房和建设局</span> <span class=\"wo-late__count\">2<", panel)
    assert re.search(r"深圳科苑物业管理有限公司</span> <span class=\"wo-late__count\">1<", panel)


def test_bulk_dispatch_from_the_inbox(world, client_for):
    # given
    orders = [actions.accept_work_order(factories.submitted(world), actor=world.community_worker_c1) for _ in range(3)]
    client = client_for("community_worker_c1")
    html = client.get(INBOX + "?inbox=to_dispatch").content.decode()
    assert 'data-testid="bulk-form"' in html
    before = ChangeRecord.objects.count()
    # when
    response = client.post(
        "/work-orders/bulk-dispatch/",
        {"ids": [o.pk for o in orders], "to": world.orgs["housing_bureau"].pk, "note": "批量"},
    )
    # then
    assert response.status_code == 302
    assert set(WorkOrder.objects.values_list("status", flat=True)) == {Status.DISPATCHED}
    assert ChangeRecord.objects.count() - before == 1


def test_bulk_dispatch_refuses_orders_out_of_scope_and_illegal_ones(world, client_for):
    c3 = factories.submitted(world, by="resident_c3", area=world.g4)
    ok = factories.submitted(world)
    client = client_for("community_worker_c1")
    hb = world.orgs["housing_bureau"].pk
    assert client.post("/work-orders/bulk-dispatch/", {"ids": [c3.pk, ok.pk], "to": hb}).status_code == 404
    signed = factories.signed(world)
    response = client.post("/work-orders/bulk-dispatch/", {"ids": [signed.pk, ok.pk], "to": hb}, follow=True)
    assert "illegal_transition" in response.content.decode()
    assert WorkOrder.objects.get(pk=ok.pk).status == Status.SUBMITTED


def test_navigation_lists_the_pages(world, client_for):
    assert 'href="/work-orders/"' in client_for("community_worker_c1").get("/").content.decode()
    assert 'href="/work-orders/report/"' in client_for("resident_c1").get("/services/").content.decode()


def test_deadline_colours_follow_the_reminder_moment_and_the_deadline(world):
    from datetime import timedelta

    from gongzhi.work_orders.views import current_deadline

    # given an order waiting to be signed
    order = factories.dispatched(world)
    # then before the reminder it is ok, after it soon, after the deadline overdue
    assert current_deadline(order, order.sign_remind_at - timedelta(minutes=1)).state == "ok"
    assert current_deadline(order, order.sign_remind_at + timedelta(minutes=1)).state == "soon"
    late = current_deadline(order, order.sign_due + timedelta(days=3))
    assert late.state == "overdue"
    assert late.remaining.endswith("overdue") or "超期" in late.remaining
    # and a signed order is measured against its reply deadline
    signed = actions.sign_work_order(order, actor=world.department_handler)
    assert current_deadline(signed, signed.signed_at).due == signed.reply_due
