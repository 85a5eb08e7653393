"""Background jobs for orders (Huey): emails and in-app notices to approvers, orderers and groups."""

from huey.contrib.djhuey import db_task


@db_task(retries=3, retry_delay=30)
def deliver_order_notice(kind: str, object_id: int) -> int:
    from orders.notifications import deliver

    return deliver(kind, object_id)


@db_task(retries=3, retry_delay=30)
def warn_low_stock(item_id: int, group_id: int) -> int:
    from orders.notifications import warn_low_stock as warn

    return warn(item_id, group_id)
