"""Background jobs for tickets (Huey): notifications and the closing of resolved incidents."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=30)
def deliver_notifications(kind: str, event_id: int) -> int:
    from tickets.notifications import deliver

    return deliver(kind, event_id)


@db_periodic_task(crontab(minute="*/15"))
def close_resolved_tickets() -> int:
    from tickets.services import close_resolved

    return close_resolved(business_days=settings.INCIDENT_AUTO_CLOSE_BUSINESS_DAYS)
