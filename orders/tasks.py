"""Background jobs for orders (Huey): emails and in-app notices to approvers, orderers and groups, and
the closing of delivered lines."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=30)
def deliver_order_notice(kind: str, object_id: int) -> int:
    from orders.notifications import deliver

    return deliver(kind, object_id)


@db_task(retries=3, retry_delay=30)
def warn_low_stock(item_id: int, group_id: int) -> int:
    from orders.notifications import warn_low_stock as warn

    return warn(item_id, group_id)


@db_periodic_task(crontab(minute="*/15"))
def close_delivered_lines() -> int:
    from orders.services import close_delivered

    return close_delivered(now=timezone.now(), business_days=settings.INCIDENT_AUTO_CLOSE_BUSINESS_DAYS)
