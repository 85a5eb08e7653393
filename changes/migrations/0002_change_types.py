"""The three change types with their default approval settings; the change manager edits them later."""

from django.db import migrations

from changes.defaults import TYPES


def create_types(apps, schema_editor):
    ChangeType = apps.get_model("changes", "ChangeType")
    for row in TYPES:
        ChangeType.objects.update_or_create(kind=row["kind"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
