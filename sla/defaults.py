"""The default office-hours calendar, the 24x7 calendar and the default SLA policy (the SLA rules, §2)."""

import datetime as dt

TARGETS = {  # priority: (response, resolution) in seconds of business time
    1: (15 * 60, 4 * 3600),
    2: (3600, 8 * 3600),
    3: (4 * 3600, 24 * 3600),
    4: (8 * 3600, 80 * 3600),
}
ESCALATIONS = [
    {"percent": 75, "notify": "assignee"},
    {"percent": 100, "notify": "group_lead"},
    {"percent": 150, "notify": "service_owner"},
]


def ensure_defaults(*, using: str = "default", models=None) -> None:
    """Create what is missing; models may be a migration's historical models (apps.get_model)."""
    if models is None:
        from sla.models import BusinessCalendar, CalendarSegment, SlaPolicy, SlaTarget
    else:
        BusinessCalendar, CalendarSegment, SlaPolicy, SlaTarget = models
    office = BusinessCalendar.objects.using(using).filter(is_default=True).first()
    if office is None:
        office, created = BusinessCalendar.objects.using(using).get_or_create(
            code="kontortid",
            defaults={"name_nb": "Kontortid", "name_en": "Office hours", "is_default": True},
        )
        if created:
            CalendarSegment.objects.using(using).bulk_create(
                CalendarSegment(calendar=office, weekday=day, opens=dt.time(8), closes=dt.time(16))
                for day in range(5)
            )
    BusinessCalendar.objects.using(using).get_or_create(
        code="24x7",
        defaults={
            "name_nb": "Døgnet rundt (24x7)",
            "name_en": "Around the clock (24x7)",
            "always_open": True,
            "public_holidays": False,
        },
    )
    policy, created = SlaPolicy.objects.using(using).get_or_create(
        service=None,
        defaults={
            "name_nb": "Standard tjenestenivå",
            "name_en": "Default service level",
            "calendar": office,
            "pausing_reasons": ["requester"],
            "warning_percent": 75,
            "escalations": ESCALATIONS,
        },
    )
    if created:
        SlaTarget.objects.using(using).bulk_create(
            SlaTarget(
                policy=policy, priority=priority, response_seconds=response, resolution_seconds=resolution
            )
            for priority, (response, resolution) in TARGETS.items()
        )
