"""Intake's after-commit half runs in batches from a queue in the database
(``IntakePending``, ``actions.complete_queued_intake``, ``work_orders.intake``)."""

from __future__ import annotations

import pytest

from gongzhi.notifications.models import Notification
from gongzhi.work_orders import actions, extensions, intake, tasks
from gongzhi.work_orders.models import IntakePending, WorkOrder
from gongzhi.work_orders.tests import factories


def test_a_submission_queues_its_intake_in_its_own_transaction(world, django_capture_on_commit_callbacks):
    # when a resident submits and the transaction has not committed yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = factories.submitted(world)
    # then the order is queued, and the only thing waiting for the commit is the nudge
    assert list(IntakePending.objects.values_list("order_id", flat=True)) == [order.pk]
    assert intake.request_completion in callbacks


def test_a_burst_of_submissions_is_completed_by_one_run_in_one_batch(world, monkeypatch):
    # given three submissions committed while no worker ran (their nudges were lost)
    monkeypatch.setattr(intake, "request_completion", lambda: None)
    hooked: list[list[int]] = []
    monkeypatch.setitem(extensions._intake_hooks, "probe", hooked.append)
    orders = [factories.submitted(world, title=f"楼道灯不亮 {i}") for i in range(3)]
    ids = sorted(o.pk for o in orders)
    # when one completion run (the scheduled sweep) runs
    done = tasks.complete_queued_intake.run()
    # then all three are completed in one batch: receipts sent, queue empty, hooks called once
    assert done == 3
    assert not IntakePending.objects.exists()
    assert hooked == [ids]
    receipts = Notification.objects.filter(recipient=world.resident_c1, source_id__in=ids)
    assert sorted(receipts.values_list("source_id", flat=True)) == ids
    # and a second run finds nothing to do and sends nothing new
    assert tasks.complete_queued_intake.run() == 0
    assert receipts.count() == 3


def test_a_failing_completion_leaves_the_orders_queued_for_the_next_run(world, monkeypatch):
    # given a queued submission whose completion fails half-way (after the repeat flags)
    monkeypatch.setattr(intake, "request_completion", lambda: None)
    order = factories.submitted(world)

    def broken(rows):
        raise RuntimeError("notification service down")

    monkeypatch.setattr(actions, "notify_many", broken)
    # when a run tries it
    with pytest.raises(RuntimeError):
        actions.complete_queued_intake()
    # then the order is still queued and has no receipt
    assert IntakePending.objects.filter(order_id=order.pk).exists()
    assert not Notification.objects.filter(source_id=order.pk).exists()
    # and the next run completes it
    monkeypatch.undo()
    assert actions.complete_queued_intake() == [order.pk]
    assert Notification.objects.filter(recipient=world.resident_c1, source_id=order.pk).count() == 1


def test_only_one_completion_run_is_queued_per_burst(world, monkeypatch):
    # given a worker that has not started yet (the task is only counted)
    queued: list[bool] = []
    monkeypatch.setattr(tasks.complete_queued_intake, "delay", lambda: queued.append(True))
    # when three submissions commit
    for _ in range(3):
        intake.request_completion()
    # then one run is queued; once it has started, the next submission queues another
    assert queued == [True]
    intake.completion_started()
    intake.request_completion()
    assert queued == [True, True]


def test_completing_an_order_again_changes_nothing(world, django_capture_on_commit_callbacks):
    # given an order whose intake completed on commit
    with django_capture_on_commit_callbacks(execute=True):
        order = factories.submitted(world)
    assert not IntakePending.objects.exists()
    receipts = Notification.objects.filter(recipient=world.resident_c1, source_id=order.pk)
    assert receipts.count() == 1
    # when it is completed again (a redelivered message of an older release)
    tasks.complete_intake_task.run(order.pk)
    # then no second receipt, the flag as it was
    assert receipts.count() == 1
    assert WorkOrder.objects.get(pk=order.pk).is_repeat is False
