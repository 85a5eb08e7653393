"""Background jobs for SLA clocks (Huey): each warning and escalation step at the instant its clock
reaches it, and a sweep every five minutes for the steps missed while the workers were down."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=30)
def escalation_step(clock_id: int, percent: int, cycle: int) -> bool:
    from sla.escalation import fire_step

    return fire_step(clock_id, percent, cycle, now=timezone.now())


@db_periodic_task(crontab(minute="*/5"))
def sweep_escalations() -> int:
    from sla.escalation import sweep_steps

    return sweep_steps(now=timezone.now())
