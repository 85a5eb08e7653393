"""The default business calendar (Mon–Fri 08:00–16:00 Europe/Oslo, Norwegian public holidays), the 24x7
calendar and the default SLA policy with the targets of the SLA rules (§2): a fresh installation, or an
import into an empty database, has working clocks without any configuration."""

import datetime as dt

from django.db import migrations

TARGETS = {  # priority: (response, resolution) in seconds of business time
    1: (15 * 60, 4 * 3600),
    2: (3600, 8 * 3600),
    3: (4 * 3600, 24 * 3600),
    4: (8 * 3600, 80 * 3600),
}


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    CalendarSegment = apps.get_model("sla", "CalendarSegment")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    office, created = BusinessCalendar.objects.get_or_create(
        code="kontortid",
        defaults={"name_nb": "Kontortid", "name_en": "Office hours", "is_default": True, "public_holidays": True},
    )
    if created:
        CalendarSegment.objects.bulk_create(
            CalendarSegment(calendar=office, weekday=day, opens=dt.time(8), closes=dt.time(16)) for day in range(5)
        )
    BusinessCalendar.objects.get_or_create(
        code="24x7",
        defaults={"name_nb": "Døgnet rundt (24x7)", "name_en": "Around the clock (24x7)", "always_open": True,
                  "public_holidays": False},
    )
    policy, created = SlaPolicy.objects.get_or_create(
        service=None,
        defaults={"name_nb": "Standard tjenestenivå", "name_en": "Default service level", "calendar": office,
                  "pausing_reasons": ["requester"], "warning_percent": 75,
                  "escalations": [{"percent": 75, "notify": "assignee"}, {"percent": 100, "notify": "group_lead"},
                                  {"percent": 150, "notify": "service_owner"}]},
    )
    if created:
        SlaTarget.objects.bulk_create(
            SlaTarget(policy=policy, priority=priority, response_seconds=response, resolution_seconds=resolution)
            for priority, (response, resolution) in TARGETS.items()
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
