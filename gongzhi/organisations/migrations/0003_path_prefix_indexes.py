"""Index the copied area paths so that subtree lookups (LIKE 'prefix%') are range scans.

See gongzhi/territory/dbindexes.py: varchar_pattern_ops on PostgreSQL (only where
missing), COLLATE NOCASE on SQLite.
"""

from django.db import migrations

from gongzhi.territory.dbindexes import create_prefix_indexes, drop_prefix_indexes

COLUMNS = [("organisations_organisation", "home_area_path"), ("organisations_dutyassignment", "area_path")]


def forwards(apps, schema_editor):
    create_prefix_indexes(schema_editor, COLUMNS)


def backwards(apps, schema_editor):
    drop_prefix_indexes(schema_editor, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_import_permission"), ("territory", "0003_path_prefix_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
