"""The default business calendar (Mon–Fri 08:00–16:00 Europe/Oslo, Norwegian public holidays), the 24x7
calendar and the default SLA policy with the targets of the SLA rules (§2): a fresh installation, or an
import into an empty database, has working clocks without any configuration."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from sla.defaults import ensure_defaults

    names = ("BusinessCalendar", "CalendarSegment", "SlaPolicy", "SlaTarget")
    ensure_defaults(
        using=schema_editor.connection.alias, models=tuple(apps.get_model("sla", name) for name in names)
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
