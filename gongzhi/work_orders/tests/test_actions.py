import datetime as dt
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from gongzhi.audit.models import ChangeRecord
from gongzhi.core import calendar
from gongzhi.notifications.models import Notification
from gongzhi.work_orders import actions
from gongzhi.work_orders.choices import (
    Channel,
    EventKind,
    ExtensionStatus,
    OrderType,
    Satisfaction,
    Status,
    SupervisionLevel,
    Urgency,
)
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode
from gongzhi.work_orders.models import Assignment, DeadlinePolicy, Rating, Subscription, WorkOrder
from gongzhi.work_orders.tests import factories

SH = ZoneInfo("Asia/Shanghai")
E = WorkOrderErrorCode


def test_submit_creates_order_event_and_one_change_record(world):
    before = ChangeRecord.objects.count()
    order = factories.submitted(world, title=factories.HOSTILE_TITLE)
    assert order.status == Status.SUBMITTED
    assert order.submitter == world.resident_c1
    assert order.area_path == world.g1.path
    assert order.number.startswith("GZ")
    assert order.number.endswith(f"-{order.pk:06d}")
    assert WorkOrder.pk_from_number(order.number) == order.pk
    assert list(order.events.values_list("kind", flat=True)) == [EventKind.SUBMIT]
    assert ChangeRecord.objects.count() - before == 1
    record = ChangeRecord.objects.filter(verb="submit").latest("id")
    assert record.after["contact_phone"] is None or record.after["contact_phone"] == "[redacted]"
    assert record.after["description"] == "[redacted]"


def test_the_receipt_notice_is_sent_after_commit_in_the_submitters_language_and_only_once(
    world, django_capture_on_commit_callbacks
):
    # given a resident who reads the site in English
    world.resident_c1.language = "en"
    world.resident_c1.save(update_fields=["language"])
    # when they submit, nothing is sent before the transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = factories.submitted(world)
    assert not Notification.objects.filter(recipient=world.resident_c1, source_id=order.pk).exists()
    # then the after-commit step sends one receipt, in English
    for callback in callbacks:
        callback()
    receipts = Notification.objects.filter(recipient=world.resident_c1, source_id=order.pk)
    assert [n.title for n in receipts] == [f"Your request {order.number} was received."]
    # and running the step again (a redelivered task) sends nothing new
    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_intake([order.pk])
    assert receipts.count() == 1


def test_full_loop_sets_every_timestamp(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = factories.submitted(world)
        order = actions.accept_work_order(order, actor=world.community_worker_c1)
        order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
        order = actions.sign_work_order(order, actor=world.department_handler)
        order = actions.record_first_contact(order, actor=world.department_handler, note="电话联系")
        order = actions.start_work_order(order, actor=world.department_handler)
        order = actions.reply_work_order(order, actor=world.department_handler, text="已修复")
        actions.rate_work_order(order, actor=world.resident_c1, satisfaction=Satisfaction.SATISFIED, resolved=True)
        order = actions.follow_up_work_order(order, actor=world.community_worker_c1, resolved=True)
        order = actions.close_work_order(order, actor=world.community_worker_c1)
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    for field in ("accepted_at", "dispatched_at", "signed_at", "first_contact_at", "started_at", "replied_at"):
        assert getattr(order, field) is not None, field
    assert order.followed_up_at
    assert order.rated_at
    assert order.closed_at
    assert order.follow_up_due
    assert order.rating_due == order.replied_at + dt.timedelta(days=3)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["submit", "accept", "dispatch", "sign", "contact", "start", "reply", "rate", "follow_up", "close"]
    assert Notification.objects.filter(recipient=world.resident_c1, source_id=order.pk).count() >= 5
    assert Notification.objects.filter(
        recipient=world.department_handler, source_id=order.pk, kind="work_orders.dispatched"
    ).exists()


def test_dispatch_computes_default_deadlines_on_the_working_calendar(world, monkeypatch):
    order = factories.submitted(world, order_type=OrderType.COMPLAINT)
    monday_10 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: monday_10)
    order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    assert order.sign_due == dt.datetime(2026, 11, 3, 10, 0, tzinfo=SH)
    assert order.contact_due == monday_10 + dt.timedelta(hours=24)
    assert order.reply_due == calendar.add_working_days(monday_10, 15)
    # 20% of 15 working days = 3 working days before the deadline (earlier than 1 day before).
    assert calendar.working_time_between(order.reply_remind_at, order.reply_due) == 3 * calendar.working_day_length()


def test_urgent_orders_get_two_hours_to_sign(world, monkeypatch):
    saturday_night = dt.datetime(2026, 11, 7, 22, 0, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: saturday_night)
    order = factories.dispatched(world, urgency=Urgency.URGENT)
    assert order.sign_due == saturday_night + dt.timedelta(hours=2)
    assert order.contact_due == saturday_night + dt.timedelta(hours=2)


def test_deadline_policy_for_a_parent_category_overrides_defaults(world, monkeypatch):
    parent = factories.category("02", "住房")
    child = factories.category("0201", "物业维修", parent)
    DeadlinePolicy.objects.create(
        category=parent,
        sign_value=4,
        sign_unit="working_hours",
        contact_value=8,
        contact_unit="hours",
        reply_value=2,
        reply_unit="working_days",
    )
    monday_10 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: monday_10)
    order = factories.dispatched(world, category=child)
    assert order.sign_due == dt.datetime(2026, 11, 2, 15, 30, tzinfo=SH)
    assert order.reply_due == dt.datetime(2026, 11, 4, 10, 0, tzinfo=SH)


def test_illegal_transition_has_a_code_and_writes_nothing(world):
    order = factories.submitted(world)
    before = ChangeRecord.objects.count()
    with pytest.raises(WorkOrderError) as err:
        actions.sign_work_order(order, actor=world.department_handler)
    assert err.value.code == E.ILLEGAL_TRANSITION
    assert ChangeRecord.objects.count() == before
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_return_only_before_signing_and_with_a_reason(world):
    order = factories.dispatched(world)
    with pytest.raises(WorkOrderError) as no_reason:
        actions.return_work_order(order, actor=world.department_handler, reason="  ")
    assert no_reason.value.code == E.REASON_REQUIRED
    returned = actions.return_work_order(order, actor=world.department_handler, reason="不属于本单位职责")
    assert (returned.status, returned.lead_organisation_id, returned.return_count) == (Status.RETURNED, None, 1)
    assert not Assignment.objects.filter(order=order, ended_at__isnull=True).exists()
    again = actions.dispatch_work_order(returned, to=world.orgs["property_c1"], actor=world.community_worker_c1)
    signed = actions.sign_work_order(again, actor=world.property_staff_c1)
    with pytest.raises(WorkOrderError) as err:
        actions.return_work_order(signed, actor=world.property_staff_c1, reason="晚了")
    assert err.value.code == E.ALREADY_SIGNED


def test_dispatch_refuses_a_unit_that_does_not_serve_the_area(world):
    order = factories.submitted(world, area=world.g4)
    with pytest.raises(WorkOrderError) as err:
        actions.dispatch_work_order(order, to=world.orgs["property_c1"], actor=world.community_worker_c3)
    assert err.value.code == E.UNIT_NOT_SERVING_AREA


def test_dispatch_with_assisting_units(world):
    order = factories.submitted(world)
    order = actions.dispatch_work_order(
        order, to=world.orgs["housing_bureau"], assist=[world.orgs["property_c1"]], actor=world.community_worker_c1
    )
    roles = dict(Assignment.objects.filter(order=order, ended_at__isnull=True).values_list("organisation_id", "role"))
    assert roles == {world.orgs["housing_bureau"].pk: "lead", world.orgs["property_c1"].pk: "assist"}


def test_bulk_dispatch_is_all_or_nothing_with_one_record(world):
    first, second = factories.submitted(world), factories.submitted(world)
    before = ChangeRecord.objects.count()
    done = actions.bulk_dispatch_work_orders(
        [first, second], to=world.orgs["property_c1"], actor=world.community_worker_c1
    )
    assert {o.status for o in done} == {Status.DISPATCHED}
    assert ChangeRecord.objects.count() - before == 1
    third = factories.submitted(world)
    with pytest.raises(WorkOrderError) as err:
        actions.bulk_dispatch_work_orders([first, third], to=world.orgs["property_c1"], actor=world.community_worker_c1)
    assert err.value.code == E.ILLEGAL_TRANSITION
    third.refresh_from_db()
    assert third.status == Status.SUBMITTED


def test_transfer_keeps_the_reply_clock_and_moves_the_lead(world):
    order = factories.signed(world)
    reply_due = order.reply_due
    moved = actions.transfer_work_order(
        order, to=world.orgs["property_c1"], actor=world.community_worker_c1, reason="物业负责"
    )
    assert (moved.status, moved.lead_organisation_id) == (Status.DISPATCHED, world.orgs["property_c1"].pk)
    assert moved.reply_due == reply_due
    with pytest.raises(WorkOrderError) as err:
        actions.transfer_work_order(moved, to=world.orgs["property_c1"], actor=world.community_worker_c1, reason="x")
    assert err.value.code == E.SAME_UNIT


def test_one_extension_before_the_deadline(world):
    order = factories.signed(world)
    due = order.reply_due
    order = actions.request_extension(order, actor=world.department_handler, days=3, reason="需采购配件")
    with pytest.raises(WorkOrderError) as pending:
        actions.request_extension(order, actor=world.department_handler, days=3, reason="again")
    assert pending.value.code == E.EXTENSION_NOT_ALLOWED
    order = actions.decide_extension(order, actor=world.community_worker_c1, approve=True)
    assert order.extension_status == ExtensionStatus.APPROVED
    assert order.reply_due == calendar.add_working_days(due, 3)
    with pytest.raises(WorkOrderError) as limit:
        actions.request_extension(order, actor=world.department_handler, days=1, reason="还要")
    assert limit.value.code == E.EXTENSION_LIMIT_REACHED


def test_extension_too_long_or_after_deadline(world, monkeypatch):
    order = factories.signed(world)
    with pytest.raises(WorkOrderError) as too_long:
        actions.request_extension(order, actor=world.department_handler, days=99, reason="x")
    assert too_long.value.code == E.EXTENSION_TOO_LONG
    late = order.reply_due + dt.timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    with pytest.raises(WorkOrderError) as after:
        actions.request_extension(order, actor=world.department_handler, days=2, reason="x")
    assert after.value.code == E.EXTENSION_AFTER_DEADLINE


def test_dissatisfied_rating_goes_to_review_and_upholding_reopens(world):
    order = factories.replied(world)
    rating = actions.rate_work_order(
        order, actor=world.resident_c1, satisfaction=Satisfaction.DISSATISFIED, resolved=False, comment="灯还是不亮"
    )
    assert rating.round == 0
    order.refresh_from_db()
    assert order.review_pending
    with pytest.raises(WorkOrderError) as twice:
        actions.rate_work_order(order, actor=world.resident_c1, satisfaction=Satisfaction.SATISFIED, resolved=True)
    assert twice.value.code == E.ALREADY_RATED
    order = actions.review_dissatisfaction(order, actor=world.community_worker_c1, uphold=True, note="确未修好")
    assert (order.status, order.reopen_count, order.lead_organisation_id) == (Status.REOPENED, 1, None)
    order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    order = actions.sign_work_order(order, actor=world.department_handler)
    order = actions.reply_work_order(order, actor=world.department_handler, text="已彻底修好")
    second = actions.rate_work_order(order, actor=world.resident_c1, satisfaction="satisfied", resolved=True)
    assert second.round == 1
    assert Rating.objects.filter(order=order).count() == 2


def test_review_not_upheld_closes(world):
    order = factories.replied(world)
    actions.rate_work_order(order, actor=world.resident_c1, satisfaction="dissatisfied", resolved=True)
    order = actions.review_dissatisfaction(order, actor=world.community_worker_c1, uphold=False, note="已按政策答复")
    assert order.status == Status.CLOSED
    assert not order.review_pending


def test_follow_up_unresolved_reopens(world):
    order = factories.replied(world)
    order = actions.follow_up_work_order(order, actor=world.grid_worker_g1, resolved=False, note="居民说没修")
    assert order.status == Status.REOPENED


def test_merge_subscribes_the_duplicate_submitter(world):
    master = factories.submitted(world, by="grid_worker_g1", channel=Channel.GRID_PATROL)
    duplicate = factories.submitted(world)
    merged = actions.merge_work_order(duplicate, master=master, actor=world.community_worker_c1)
    assert (merged.status, merged.master_id) == (Status.MERGED, master.pk)
    assert Subscription.objects.filter(order=master, user=world.resident_c1).exists()
    with pytest.raises(WorkOrderError) as err:
        actions.merge_work_order(master, master=master, actor=world.community_worker_c1)
    assert err.value.code == E.MERGE_INTO_SELF


def test_supervision_only_goes_up(world):
    order = factories.dispatched(world)
    order = actions.supervise_work_order(order, actor=world.street_official_s1, level=SupervisionLevel.SUPERVISION)
    with pytest.raises(WorkOrderError) as err:
        actions.supervise_work_order(order, actor=world.street_official_s1, level=SupervisionLevel.REMINDER)
    assert err.value.code == E.SUPERVISION_NOT_HIGHER


def test_hold_blocks_dispatch(world):
    order = factories.submitted(world)
    order = actions.set_on_hold(order, actor=world.community_worker_c1, on_hold=True, reason="等待产权核实")
    with pytest.raises(WorkOrderError) as err:
        actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    assert err.value.code == E.ON_HOLD
    order = actions.set_on_hold(order, actor=world.community_worker_c1, on_hold=False)
    assert (
        actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1).status
        == "dispatched"
    )


def test_reject_is_terminal(world):
    order = actions.reject_work_order(factories.submitted(world), actor=world.community_worker_c1, reason="重复诉求")
    with pytest.raises(WorkOrderError) as err:
        actions.accept_work_order(order, actor=world.community_worker_c1)
    assert err.value.code == E.ILLEGAL_TRANSITION


def test_staff_entry_needs_a_contact_when_anonymous(world):
    with pytest.raises(WorkOrderError) as err:
        factories.submitted(world, by="community_worker_c1", channel=Channel.PHONE)
    assert err.value.code == E.CONTACT_REQUIRED
    order = factories.submitted(world, by="community_worker_c1", channel=Channel.PHONE, contact_phone="13900000000")
    assert order.submitter is None
    assert order.entered_by == world.community_worker_c1


def test_grid_worker_reports_only_in_their_grid(world):
    with pytest.raises(WorkOrderError) as err:
        factories.submitted(world, by="grid_worker_g1", channel=Channel.GRID_PATROL, area=world.g2)
    assert err.value.code == E.AREA_NOT_ALLOWED


def test_resident_cannot_use_staff_channels(world):
    with pytest.raises(WorkOrderError) as err:
        factories.submitted(world, channel=Channel.PHONE, contact_phone="13900000000")
    assert err.value.code == E.CHANNEL_NOT_ALLOWED


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (22.0, 32.0, 10.0), 3: "E", 4: (113.0, 56.0, 5.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_attachment_is_reencoded_and_exif_stripped(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = factories.submitted(world)
    upload = SimpleUploadedFile("IMG_0001.heic.jpg", _jpeg_with_gps(), content_type="image/png")
    attachment = actions.add_attachment(order, actor=world.resident_c1, upload=upload)
    assert attachment.content_type == "image/jpeg"
    assert (attachment.width, attachment.height) == (40, 30)
    with Image.open(attachment.file.path) as stored:
        assert dict(stored.getexif()) == {}


def test_attachment_keeps_only_location_when_asked(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = factories.submitted(world)
    upload = SimpleUploadedFile("p.jpg", _jpeg_with_gps())
    attachment = actions.add_attachment(order, actor=world.resident_c1, upload=upload, keep_location=True)
    assert attachment.kept_location
    with Image.open(attachment.file.path) as stored:
        exif = stored.getexif()
        assert exif.get_ifd(0x8825)[1] == "N"
        assert 0x010F not in exif


def test_attachment_type_and_count_are_checked(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGZHI_WORK_ORDER_MAX_ATTACHMENTS = 1
    order = factories.submitted(world)
    with pytest.raises(WorkOrderError) as bad:
        actions.add_attachment(order, actor=world.resident_c1, upload=SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>"))
    assert bad.value.code == E.ATTACHMENT_TYPE_NOT_ALLOWED
    actions.add_attachment(order, actor=world.resident_c1, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"))
    with pytest.raises(WorkOrderError) as many:
        actions.add_attachment(order, actor=world.resident_c1, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%%EOF"))
    assert many.value.code == E.TOO_MANY_ATTACHMENTS


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_sign_signs_once():
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        # An in-memory SQLite database cannot be shared between threads; run the race sequentially.
        threads_possible = False
    else:
        threads_possible = True
    from gongzhi.testing.world import build_world

    world = build_world()
    order = factories.dispatched(world)
    results: list[str] = []

    def sign() -> None:
        try:
            actions.sign_work_order(order, actor=world.department_handler)
            results.append("ok")
        except WorkOrderError as err:
            results.append(err.code)
        finally:
            connection.close()

    if threads_possible:
        workers = [threading.Thread(target=sign) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    else:
        sign()
        sign()
    assert sorted(results) == [E.ILLEGAL_TRANSITION, "ok"]
    assert WorkOrder.objects.get(pk=order.pk).events.filter(kind="sign").count() == 1
