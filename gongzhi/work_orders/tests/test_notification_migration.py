"""work_orders 0004 moves the old in-app notices into gongzhi.notifications, and back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = ("work_orders", "0003_kpi_repeat_flag")
COPY = ("work_orders", "0004_notifications_to_generic")
LATEST = ("work_orders", "0005_delete_notification")


@pytest.mark.django_db(transaction=True)
def test_old_notices_are_copied_with_their_order_and_read_state():
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([OLD])
        apps = executor.loader.project_state([OLD]).apps
        User = apps.get_model("accounts", "User")
        Area = apps.get_model("territory", "Area")
        WorkOrder = apps.get_model("work_orders", "WorkOrder")
        Old = apps.get_model("work_orders", "Notification")
        user = User.objects.create(username="migrated-user")
        area = Area.objects.create(code="M1", name="迁移小区", level=4, path="M1.")
        order = WorkOrder.objects.create(
            title="漏水", description="漏水", area=area, area_path=area.path, order_type="help"
        )
        read_at = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
        Old.objects.create(recipient=user, order=order, kind="dispatched", message="新工单 <b>", read_at=read_at)
        Old.objects.create(recipient=user, order=None, kind="status", message="无工单")

        executor = MigrationExecutor(connection)
        executor.migrate([COPY])
        New = executor.loader.project_state([COPY]).apps.get_model("notifications", "Notification")
        rows = {n.title: n for n in New.objects.filter(recipient_id=user.pk)}
        assert set(rows) == {"新工单 <b>", "无工单"}
        first = rows["新工单 <b>"]
        assert (first.kind, first.source_id, first.url, first.read_at) == (
            "work_orders.dispatched",
            order.pk,
            f"/work-orders/{order.pk}/",
            read_at,
        )
        assert first.source_type.model == "workorder"
        assert (rows["无工单"].source_id, rows["无工单"].url, rows["无工单"].read_at) == (None, "", None)

        # And back: the rows return to the old table.
        executor = MigrationExecutor(connection)
        executor.migrate([OLD])
        apps = executor.loader.project_state([OLD]).apps
        assert apps.get_model("work_orders", "Notification").objects.filter(recipient_id=user.pk).count() == 2
        assert not New.objects.filter(recipient_id=user.pk).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
