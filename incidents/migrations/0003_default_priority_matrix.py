"""The default impact × urgency matrix, so a fresh installation prioritises without configuration."""

from django.db import migrations

DEFAULT = {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): 2, (2, 2): 3, (2, 3): 4, (3, 1): 3, (3, 2): 4, (3, 3): 4}


def create(apps, schema_editor):
    rule = apps.get_model("incidents", "PriorityRule")
    for (impact, urgency), priority in DEFAULT.items():
        rule.objects.get_or_create(impact=impact, urgency=urgency, defaults={"priority": priority})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
