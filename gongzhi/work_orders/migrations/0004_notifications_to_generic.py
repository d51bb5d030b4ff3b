"""Move the work-order notices into the generic notifications app (gongzhi.notifications)."""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    Old = apps.get_model("work_orders", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    type_id = ContentType.objects.get_or_create(app_label="work_orders", model="workorder")[0].pk
    last = 0
    while True:
        rows = list(Old.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            break
        New.objects.bulk_create(
            [
                New(
                    recipient_id=row.recipient_id,
                    kind=f"work_orders.{row.kind}",
                    title=row.message[:200],
                    url=f"/work-orders/{row.order_id}/" if row.order_id else "",
                    source_type_id=type_id if row.order_id else None,
                    source_id=row.order_id,
                    in_app=True,
                    channels=[],
                    delivery="none",
                    created_at=row.created_at,
                    read_at=row.read_at,
                )
                for row in rows
            ]
        )
        last = rows[-1].pk


def backward(apps, schema_editor):
    Old = apps.get_model("work_orders", "Notification")
    New = apps.get_model("notifications", "Notification")
    qs = New.objects.filter(kind__startswith="work_orders.").order_by("pk")
    # Rolled back from 0005 the old table is recreated empty; rolled back from 0004 alone it
    # still holds the original rows, and copying would duplicate them.
    last = 0
    while not Old.objects.exists():
        rows = list(qs.filter(pk__gt=last)[:BATCH])
        if not rows:
            break
        Old.objects.bulk_create(
            [
                Old(
                    recipient_id=row.recipient_id,
                    order_id=row.source_id,
                    kind=row.kind.split(".", 1)[1][:16],
                    message=row.title[:300],
                    created_at=row.created_at,
                    read_at=row.read_at,
                )
                for row in rows
            ]
        )
        last = rows[-1].pk
    qs.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
        ("work_orders", "0003_kpi_repeat_flag"),
    ]

    operations = [migrations.RunPython(forward, backward)]
