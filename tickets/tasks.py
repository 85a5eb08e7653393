"""Background jobs for tickets (Huey): notifications, closing resolved incidents, fetching email."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task(retries=3, retry_delay=30)
def deliver_notifications(kind: str, event_id: int) -> int:
    from tickets.notifications import deliver

    return deliver(kind, event_id)


@db_periodic_task(crontab(minute="*/15"))
def close_resolved_tickets() -> int:
    from tickets.services import close_resolved

    return close_resolved(business_days=settings.INCIDENT_AUTO_CLOSE_BUSINESS_DAYS)


def _mail_fetch_due(timestamp) -> bool:
    """Run every INBOUND_MAIL_INTERVAL_MINUTES minutes of the day, and only when a mailbox is configured."""
    from tickets.inbound_mail import mailbox_configured

    interval = max(1, int(getattr(settings, "INBOUND_MAIL_INTERVAL_MINUTES", 5)))
    return mailbox_configured() and (timestamp.hour * 60 + timestamp.minute) % interval == 0


@db_periodic_task(_mail_fetch_due)
@lock_task("fetch-inbound-mail")
def fetch_inbound_mail() -> dict[str, int]:
    from tickets.inbound_mail import MailboxError, fetch_configured, logger, mailbox_configured

    if not mailbox_configured():
        return {}
    try:
        return fetch_configured().as_dict()
    except (MailboxError, FileNotFoundError) as exc:
        # The mailbox is down or misconfigured: say so, and try again at the next interval.
        logger.error("Email fetch failed: %s", exc)
        return {}
