from django.db import migrations


def forwards(apps, schema_editor):
    from gongzhi.ledger import triggers

    apps.get_model("ledger", "LogState").objects.get_or_create(id=1)
    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from gongzhi.ledger import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
