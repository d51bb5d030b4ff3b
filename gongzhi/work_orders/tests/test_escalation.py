import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from gongzhi.audit.models import ChangeRecord
from gongzhi.core import calendar
from gongzhi.notifications.models import Notification
from gongzhi.work_orders import actions, tasks
from gongzhi.work_orders.choices import OrderType, SupervisionLevel
from gongzhi.work_orders.escalation import next_check_of
from gongzhi.work_orders.models import Escalation, WorkOrder, WorkOrderSchedule
from gongzhi.work_orders.tests import factories

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH)


def _dispatch_at(world, monkeypatch, when, **extra):
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)
    return factories.dispatched(world, **extra)


def _levels(order):
    return sorted(Escalation.objects.filter(order=order).values_list("stage", "level"))


def test_nothing_due_nothing_raised(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.COMPLAINT)
    run = actions.escalate_due_work_orders(now=MONDAY_10 + dt.timedelta(hours=1))
    assert _levels(order) == []
    assert sum(run.counts.values()) == 0


def test_sign_reminder_then_supervision(world, monkeypatch, django_capture_on_commit_callbacks):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.COMPLAINT)
    # 1 working day to sign: reminded when 20% (1.5 working hours) remain.
    assert order.sign_remind_at == dt.datetime(2026, 11, 2, 17, 30, tzinfo=SH)
    with django_capture_on_commit_callbacks(execute=True):
        actions.escalate_due_work_orders(now=order.sign_remind_at)
    assert _levels(order) == [("sign", SupervisionLevel.REMINDER)]
    assert (
        Notification.objects.filter(
            recipient=world.department_handler, source_id=order.pk, kind="work_orders.reminder"
        ).count()
        == 1
    )
    day_after = calendar.add_working_days(order.sign_due, 1)
    actions.escalate_due_work_orders(now=day_after)
    assert ("sign", SupervisionLevel.SUPERVISION) in _levels(order)
    order.refresh_from_db()
    assert order.supervision_level == SupervisionLevel.SUPERVISION


def test_reply_ladder_reaches_public_listing_after_five_working_days(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.ENQUIRY)
    order = actions.sign_work_order(order, actor=world.department_handler)
    four_days_late = calendar.add_working_days(order.reply_due, 4)
    actions.escalate_due_work_orders(now=four_days_late)
    assert ("reply", SupervisionLevel.PUBLIC_LISTING) not in _levels(order)
    actions.escalate_due_work_orders(now=calendar.add_working_days(order.reply_due, 5))
    assert ("reply", SupervisionLevel.PUBLIC_LISTING) in _levels(order)
    order.refresh_from_db()
    assert order.supervision_level == SupervisionLevel.PUBLIC_LISTING
    assert order.events.filter(kind="escalate").count() == len(_levels(order))


def test_running_twice_raises_each_escalation_once(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    late = calendar.add_working_days(order.reply_due, 6)
    first = actions.escalate_due_work_orders(now=late)
    records = ChangeRecord.objects.count()
    second = actions.escalate_due_work_orders(now=late)
    assert sum(first.counts.values()) == 5  # sign: reminder + supervision; reply: all three
    assert sum(second.counts.values()) == 0
    assert Escalation.objects.filter(order=order).count() == 5
    assert ChangeRecord.objects.count() - records == 1  # the second run still records that it ran


def test_held_and_replied_orders_are_skipped(world, monkeypatch):
    held = _dispatch_at(world, monkeypatch, MONDAY_10)
    actions.set_on_hold(held, actor=world.community_worker_c1, on_hold=True, reason="等待鉴定")
    replied = factories.replied(world)
    actions.escalate_due_work_orders(now=calendar.add_working_days(MONDAY_10, 30))
    assert _levels(held) == []
    assert ("reply", SupervisionLevel.SUPERVISION) not in _levels(replied)


def test_reopened_order_is_escalated_again_in_its_new_round(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    actions.escalate_due_work_orders(now=order.sign_remind_at)
    order = actions.transfer_work_order(
        order, to=world.orgs["property_c1"], actor=world.community_worker_c1, reason="x"
    )
    order = actions.return_work_order(order, actor=world.property_staff_c1, reason="非物业职责")
    order = actions.dispatch_work_order(order, to=world.orgs["housing_bureau"], actor=world.community_worker_c1)
    actions.escalate_due_work_orders(now=order.sign_remind_at)
    rounds = sorted(Escalation.objects.filter(order=order, stage="sign", level=1).values_list("round", flat=True))
    assert rounds == [1, 2]


def test_the_task_is_scheduled_and_runs(world):
    assert settings.GONGZHI_SCHEDULE["work-order-deadlines"][0] == "gongzhi.work_orders.tasks.escalate_deadlines"
    counts = tasks.escalate_deadlines.apply().get()
    assert isinstance(counts, dict)
    assert set(counts) == {
        "sign:reminder",
        "sign:supervision",
        "reply:reminder",
        "reply:supervision",
        "reply:public_listing",
    }


def test_a_large_backlog_is_shared_with_helper_runs_for_the_same_moment(world, monkeypatch, settings):
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(3)]
    monkeypatch.undo()
    due_at = max(o.sign_remind_at for o in orders) + dt.timedelta(minutes=1)
    queued: list[tuple[tuple[str, ...], dict[str, bool]]] = []
    monkeypatch.setattr(tasks.escalate_deadlines, "apply_async", lambda args, kwargs: queued.append((args, kwargs)))
    settings.GONGZHI_DEADLINE_CATCHUP_WORKERS = 3

    monkeypatch.setattr(tasks, "CATCHUP_BACKLOG", 4)  # 3 due: one run
    tasks.escalate_deadlines.apply(args=(due_at.isoformat(),)).get()
    assert queued == []

    WorkOrderSchedule.objects.update(next_check_at=due_at - dt.timedelta(hours=1))  # due again (nothing new)
    monkeypatch.setattr(tasks, "CATCHUP_BACKLOG", 3)
    tasks.escalate_deadlines.apply(args=(due_at.isoformat(),)).get()
    assert queued == [((due_at.isoformat(),), {"helper": True})] * 2  # the same moment for every run

    WorkOrderSchedule.objects.update(next_check_at=due_at - dt.timedelta(hours=1))
    queued.clear()
    tasks.escalate_deadlines.apply(args=(due_at.isoformat(),), kwargs={"helper": True}).get()
    assert queued == []  # a helper never queues helpers
    sign_reminders = Escalation.objects.filter(stage="sign", level=SupervisionLevel.REMINDER)
    assert sorted(sign_reminders.values_list("order_id", flat=True)) == sorted(o.pk for o in orders)


@pytest.mark.django_db(transaction=True)
def test_two_workers_raise_one_escalation_each(monkeypatch):
    from gongzhi.testing.world import build_world

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(6)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    shared_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            actions.escalate_due_work_orders(now=late, batch_size=2)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            if not shared_memory:
                connection.close()

    if shared_memory:  # one in-memory SQLite connection cannot be shared by threads: interleave runs
        work()
        work()
    else:
        workers = [threading.Thread(target=work) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert errors == []
    assert Escalation.objects.count() == 6 * 5
    per_order = set(WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("supervision_level", flat=True))
    assert per_order == {SupervisionLevel.PUBLIC_LISTING}
    assert (
        Notification.objects.filter(kind="work_orders.public_listing", recipient=world.department_handler).count() == 6
    )


def test_job_notices_link_to_their_order(world, monkeypatch):
    monday_10 = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: monday_10)
    orders = [factories.dispatched(world) for _ in range(2)]
    actions.escalate_due_work_orders(now=monday_10 + dt.timedelta(days=30))
    for order in orders:
        urls = set(Notification.objects.filter(source_id=order.pk).exclude(url="").values_list("url", flat=True))
        assert urls == {f"/work-orders/{order.pk}/"}


def test_set_based_notices_and_events_match_the_python_formulation(world, monkeypatch):
    from django.utils.translation import gettext

    from gongzhi.work_orders.escalation import MESSAGES

    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    monkeypatch.undo()
    late = calendar.add_working_days(order.reply_due, 6)
    run = actions.escalate_due_work_orders(now=late)
    order.refresh_from_db()
    escalations = list(Escalation.objects.filter(order=order, run=run))
    assert len(escalations) == 5
    labels = dict(Escalation._meta.get_field("stage").choices)
    for level, kind in ((1, "reminder"), (2, "supervision"), (3, "public_listing")):
        expected = {
            gettext(MESSAGES[e.level]) % {"number": order.number, "stage": str(labels[e.stage])}
            for e in escalations
            if e.level == level
        }
        messages = set(
            Notification.objects.filter(source_id=order.pk, kind=f"work_orders.{kind}").values_list("title", flat=True)
        )
        assert messages == expected
    events = order.events.filter(kind="escalate")
    assert sorted((e.data["stage"], e.data["level"]) for e in events) == sorted((e.stage, e.level) for e in escalations)
    dues = {(e.stage, e.level): e.due_at for e in escalations}
    for event in events:
        assert dt.datetime.fromisoformat(event.data["due"]) == dues[(event.data["stage"], event.data["level"])]
        assert event.organisation_id == order.lead_organisation_id
        assert not event.is_public
    # one notice per recipient and escalation (sign and reply supervision: two each)
    notices = list(
        Notification.objects.filter(source_id=order.pk, kind="work_orders.supervision").values_list(
            "recipient_id", "title"
        )
    )
    assert len(notices) == len(set(notices)) == 2 * len({r for r, _m in notices}) > 0


def test_the_jobs_order_number_matches_the_property_past_six_digits(world, monkeypatch):
    from gongzhi.work_orders.escalation import read_due

    order = _dispatch_at(world, monkeypatch, dt.datetime(2026, 11, 2, 23, 30, tzinfo=SH))
    monkeypatch.undo()
    # 23:30 Shanghai is 15:30 UTC: the date must be the local one
    assert read_due([order.pk])[0].number == order.number
    WorkOrder.objects.create(
        id=1234567,
        order_type=order.order_type,
        title="x",
        description="x",
        area=order.area,
        area_path=order.area_path,
        submitted_at=order.submitted_at,
    )
    big = WorkOrder.objects.get(pk=1234567)
    assert read_due([big.pk])[0].number == big.number == "GZ20261102-1234567"


def test_job_reads_only_due_orders_and_stores_the_next_check(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10, order_type=OrderType.COMPLAINT)
    # The action stores a lower bound: the earliest reminder or deadline that applies.
    assert next_check_of(order) == order.sign_remind_at
    before = order.sign_remind_at - dt.timedelta(minutes=1)
    actions.escalate_due_work_orders(now=before)  # not due yet: not read, nothing raised
    assert next_check_of(order) == order.sign_remind_at
    actions.escalate_due_work_orders(now=order.sign_remind_at)
    # The job stores the exact moment of the next rule: sign supervision, one working day late.
    supervise_at = calendar.add_working_time(order.sign_due, calendar.working_day_length())
    assert next_check_of(order) == min(supervise_at, order.reply_remind_at)
    actions.escalate_due_work_orders(now=supervise_at - dt.timedelta(seconds=1))
    assert ("sign", SupervisionLevel.SUPERVISION) not in _levels(order)
    actions.escalate_due_work_orders(now=supervise_at)
    assert ("sign", SupervisionLevel.SUPERVISION) in _levels(order)


def test_an_order_not_due_is_skipped_even_when_a_rule_matches(world, monkeypatch):
    """The job trusts the scheduled check: an order whose check time is later is not read
    (this is what makes a run cost the due orders only, not every open order)."""
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    late = calendar.add_working_days(order.reply_due, 6)
    WorkOrderSchedule.objects.filter(order_id=order.pk).update(next_check_at=late + dt.timedelta(hours=1))
    run = actions.escalate_due_work_orders(now=late)
    assert sum(run.counts.values()) == 0
    run = actions.escalate_due_work_orders(now=late + dt.timedelta(hours=1))
    assert sum(run.counts.values()) == 5


def test_hold_reply_and_ladder_end_clear_the_next_check(world, monkeypatch):
    held = _dispatch_at(world, monkeypatch, MONDAY_10)
    held = actions.set_on_hold(held, actor=world.community_worker_c1, on_hold=True, reason="等待鉴定")
    assert next_check_of(held) is None
    held = actions.set_on_hold(held, actor=world.community_worker_c1, on_hold=False)
    assert next_check_of(held) is not None
    replied = factories.replied(world)
    assert next_check_of(replied) is None
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    actions.escalate_due_work_orders(now=calendar.add_working_days(order.reply_due, 6))
    assert next_check_of(order) is None  # every rule of the round raised: nothing left to check
    order.refresh_from_db()
    assert order.supervision_level == SupervisionLevel.PUBLIC_LISTING


def test_each_batch_is_an_action_with_its_own_change_record(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(5)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    records = ChangeRecord.objects.count()
    run = actions.escalate_due_work_orders(now=late, batch_size=2)
    verbs = list(ChangeRecord.objects.order_by("pk").values_list("verb", flat=True)[records:])
    assert verbs == ["escalate_batch"] * 3 + ["escalate"]  # 2 + 2 + 1 orders, then the run's totals
    assert sum(run.counts.values()) == 5 * 5
    assert run.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_failing_batch_keeps_what_earlier_batches_committed(monkeypatch):
    from gongzhi.testing.world import build_world
    from gongzhi.work_orders import escalation

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(4)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    real = escalation.escalate_batch
    calls = []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(escalation, "escalate_batch", second_fails)
    with pytest.raises(RuntimeError, match="worker lost"):
        actions.escalate_due_work_orders(now=late, batch_size=2)
    assert Escalation.objects.count() == 2 * 5  # the first batch (two orders) is kept
    assert WorkOrderSchedule.objects.filter(next_check_at__lte=late).count() == 2  # the rest is still due
    monkeypatch.setattr(escalation, "escalate_batch", real)
    actions.escalate_due_work_orders(now=late, batch_size=2)  # the next run finishes the catch-up
    assert Escalation.objects.count() == 4 * 5
    assert not WorkOrderSchedule.objects.filter(order__in=orders).exists()  # every rule raised


@pytest.mark.django_db(transaction=True)
def test_an_order_an_action_holds_is_looked_at_again_a_minute_later(monkeypatch):
    from django.db import transaction

    from gongzhi.testing.world import build_world

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    busy, free = factories.dispatched(world), factories.dispatched(world)
    monkeypatch.undo()
    late = calendar.add_working_days(busy.reply_due, 6)
    if connection.vendor != "postgresql":
        # SQLite has no row locks (one writer at a time): both orders are simply escalated.
        actions.escalate_due_work_orders(now=late)
        assert Escalation.objects.filter(order__in=[busy, free]).count() == 10
        return
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def action_in_progress() -> None:  # an action holds the order row, as select_for_update does
        try:
            with transaction.atomic():
                WorkOrder.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=30)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=action_in_progress)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        run = actions.escalate_due_work_orders(now=late)
    finally:
        release.set()
        holder.join()
    assert errors == []
    assert sum(run.counts.values()) == 5  # the free order only; the job did not wait for the busy one
    assert _levels(busy) == []
    assert next_check_of(busy) == late + dt.timedelta(minutes=1)
    actions.escalate_due_work_orders(now=late + dt.timedelta(minutes=1))
    assert len(_levels(busy)) == 5


def test_an_action_reschedules_through_the_side_table(world, monkeypatch):
    order = _dispatch_at(world, monkeypatch, MONDAY_10)
    assert next_check_of(order) == order.sign_remind_at
    order = actions.sign_work_order(order, actor=world.department_handler)
    assert next_check_of(order) == order.reply_remind_at  # signed: only the reply ladder applies
    assert WorkOrderSchedule.objects.filter(order=order).count() == 1


def _notified_numbers(user, kind):
    """Order numbers ``user`` was told about for ``kind``: per-order notices (by source)
    and summary notices (listed in the text), with how many summaries there were."""
    from django.contrib.contenttypes.models import ContentType

    from gongzhi.work_orders.models import EscalationRun

    notices = Notification.objects.filter(recipient=user, kind=f"work_orders.{kind}")
    run_type = ContentType.objects.get_for_model(EscalationRun)
    order_type = ContentType.objects.get_for_model(WorkOrder)
    single = list(notices.filter(source_type=order_type).values_list("source_id", flat=True))
    numbers = [WorkOrder.objects.get(pk=pk).number for pk in single]
    summaries = list(notices.filter(source_type=run_type))
    for summary in summaries:
        numbers += summary.body.split(", ")
    return sorted(numbers), summaries


def test_many_notices_for_one_recipient_become_one_summary(world, monkeypatch, settings):
    settings.GONGZHI_WORK_ORDER_NOTICE_SUMMARY_AFTER = 3
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(4)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    run = actions.escalate_due_work_orders(now=late)
    assert sum(run.counts.values()) == 4 * 5
    # Escalation records and timeline events stay one per order and rule.
    for order in orders:
        assert len(_levels(order)) == 5
        assert order.events.filter(kind="escalate").count() == 5
    expected = sorted(o.number for o in orders)
    for kind in ("reminder", "supervision", "public_listing"):
        numbers, summaries = _notified_numbers(world.department_handler, kind)
        assert len(summaries) == 1  # 4 orders (8 escalations for two stages) > 3: one summary
        summary = summaries[0]
        assert summary.source_id == run.pk
        assert summary.url == "/work-orders/?inbox=" + ("due_soon" if kind == "reminder" else "overdue")
        assert summary.urgent == (kind != "reminder")
        assert "4" in summary.title  # orders, whether one stage escalated or two
        assert numbers == expected  # each order once: listed in the summary, no notice of its own
    # The dispatcher (not staff of the unit) gets one summary of supervision too.
    dispatcher = WorkOrder.objects.get(pk=orders[0].pk).dispatched_by
    numbers, summaries = _notified_numbers(dispatcher, "supervision")
    assert len(summaries) == 1
    assert numbers == expected
    # Idempotent: a second run raises and notifies nothing.
    notices = Notification.objects.count()
    again = actions.escalate_due_work_orders(now=late)
    assert sum(again.counts.values()) == 0
    assert Notification.objects.count() == notices


def test_few_notices_stay_one_per_order(world, monkeypatch, settings):
    settings.GONGZHI_WORK_ORDER_NOTICE_SUMMARY_AFTER = 8
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(4)]
    monkeypatch.undo()
    actions.escalate_due_work_orders(now=calendar.add_working_days(orders[0].reply_due, 6))
    # 8 supervisions (sign + reply of 4 orders) is not more than 8: one notice each.
    numbers, summaries = _notified_numbers(world.department_handler, "supervision")
    assert summaries == []
    assert numbers == sorted(o.number for o in orders for _stage in ("sign", "reply"))


@pytest.mark.django_db(transaction=True)
def test_two_workers_summaries_cover_every_escalation_once(monkeypatch, settings):
    from gongzhi.testing.concurrency import run_at_once
    from gongzhi.testing.world import build_world

    settings.GONGZHI_WORK_ORDER_NOTICE_SUMMARY_AFTER = 2
    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(9)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    run_at_once([lambda: actions.escalate_due_work_orders(now=late, batch_size=3)] * 2)
    assert Escalation.objects.count() == 9 * 5
    numbers, summaries = _notified_numbers(world.department_handler, "public_listing")
    # Every order's public listing reached the handler exactly once, in the summaries of
    # the batches (3 orders each: more than 2, so every batch summarised).
    assert numbers == sorted(o.number for o in orders)
    assert len(summaries) == 3


@pytest.mark.django_db(transaction=True)
def test_a_batch_for_a_missing_run_is_rejected(monkeypatch):
    """``Escalation.run`` has no database constraint: the batch checks its run once."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from gongzhi.testing.world import build_world
    from gongzhi.work_orders import escalation
    from gongzhi.work_orders.models import EscalationRun

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    orders = [factories.dispatched(world) for _ in range(2)]
    monkeypatch.undo()
    late = calendar.add_working_days(orders[0].reply_due, 6)
    run = EscalationRun.objects.create(as_of=late, started_at=timezone.now())
    EscalationRun.objects.filter(pk=run.pk).delete()
    with pytest.raises(IntegrityError, match=f"escalation run {run.pk} does not exist"), transaction.atomic():
        escalation.escalate_batch(run, now=late, batch_size=10)
    assert Escalation.objects.count() == 0
    assert WorkOrderSchedule.objects.filter(next_check_at__lte=late).count() == 2  # still due
    # With its run the same batch raises every rule.
    run = EscalationRun.objects.create(as_of=late, started_at=timezone.now())
    with transaction.atomic():
        escalation.escalate_batch(run, now=late, batch_size=10)
    assert Escalation.objects.filter(run=run).count() == 2 * 5


@pytest.mark.django_db(transaction=True)
def test_an_escalation_of_a_missing_order_is_rejected(monkeypatch):
    """``Escalation.order`` has no database constraint (the batch writes escalations only for
    orders it holds locked); an escalation for an order that does not exist is still
    rejected, by the foreign key of the timeline event written with it, and nothing stays."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from gongzhi.testing.world import build_world
    from gongzhi.work_orders import escalation
    from gongzhi.work_orders.models import EscalationRun, WorkOrderEvent

    world = build_world()
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10)
    order = factories.dispatched(world)
    monkeypatch.undo()
    late = calendar.add_working_days(order.reply_due, 6)
    run = EscalationRun.objects.create(as_of=late, started_at=timezone.now())
    missing = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    [due] = escalation.read_due([order.pk])
    due.pk = missing
    raises = escalation.fired(due, escalation.rules(late))
    assert len(raises) == 5
    with pytest.raises(IntegrityError), transaction.atomic():
        escalation._write(run, raises, now=late)
    assert not Escalation.objects.filter(order_id=missing).exists()
    assert not WorkOrderEvent.objects.filter(order_id=missing).exists()
    assert Escalation.objects.count() == 0
