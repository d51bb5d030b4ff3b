"""Index the area path columns so that subtree lookups (LIKE 'prefix%') are range scans.

PostgreSQL gets a varchar_pattern_ops index where none exists yet; SQLite gets a
COLLATE NOCASE index (Django's LIKE on SQLite is case-insensitive). Other databases: nothing.
"""

from django.db import migrations

from gongzhi.territory.dbindexes import create_prefix_indexes, drop_prefix_indexes

COLUMNS = [("territory_area", "path"), ("territory_building", "area_path")]


def forwards(apps, schema_editor):
    create_prefix_indexes(schema_editor, COLUMNS)


def backwards(apps, schema_editor):
    drop_prefix_indexes(schema_editor, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("territory", "0002_area_code_ci_unique")]

    operations = [migrations.RunPython(forwards, backwards)]
