"""``ImportBatch.rows_done`` counts data rows; before, it was the last row number read, which
counted the header line (the page showed one row more than the file had)."""

from django.db import migrations
from django.db.models import F


def header_out(apps, schema_editor):
    apps.get_model("residents", "ImportBatch").objects.filter(rows_done__gt=0).update(rows_done=F("rows_done") - 1)


def header_in(apps, schema_editor):
    apps.get_model("residents", "ImportBatch").objects.filter(rows_done__gt=0).update(rows_done=F("rows_done") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0010_background_imports"),
    ]

    operations = [
        migrations.RunPython(header_out, header_in),
    ]
