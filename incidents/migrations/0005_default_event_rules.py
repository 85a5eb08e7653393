"""The default event rules, so monitoring events are prioritised without configuration (docs/events.md)."""

from django.db import migrations

# (severity, service criticality 1–4) → priority; every default resolves the incident on a clear.
DEFAULT = {
    "critical": (1, 1, 2, 3),
    "major": (2, 2, 3, 3),
    "minor": (3, 3, 4, 4),
    "warning": (4, 4, 4, 4),
}


def create(apps, schema_editor):
    rule = apps.get_model("incidents", "EventRule")
    for severity, priorities in DEFAULT.items():
        for criticality, priority in enumerate(priorities, start=1):
            rule.objects.get_or_create(
                severity=severity,
                criticality=criticality,
                defaults={"priority": priority, "auto_resolve": True},
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_monitoring_events")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
