"""Background jobs for the quality report (Huey): the draft of the month just ended."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

OSLO = ZoneInfo("Europe/Oslo")
RUN_HOUR = 6


def first_business_day_after(year: int, month: int) -> dt.date:
    """Return the first day after the month that is neither a weekend nor a Norwegian public holiday."""
    day = dt.date(year + (month == 12), month % 12 + 1, 1)
    closed = holidays.Norway(include_sundays=False, years=range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in closed:
        day += dt.timedelta(days=1)
    return day


def month_due_on(today: dt.date) -> tuple[int, int] | None:
    """Return (year, month) of the month whose draft is due today, or None on any other day."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return (year, month) if first_business_day_after(year, month) == today else None


def draft_due_report(now: dt.datetime):
    """Compute the draft of the month just ended if today (Oslo) is its day at 06:00; idempotent."""
    from reports.models import QualityReport
    from reports.services import report_draft

    local = now.astimezone(OSLO)
    if local.hour != RUN_HOUR:
        return None
    due = month_due_on(local.date())
    if due is None:
        return None
    year, month = due
    if QualityReport.objects.filter(period=f"{year:04d}-{month:02d}").exists():
        return None
    return report_draft(year, month, now=now)


# Every hour on the hour, acting only at 06 Oslo time: Huey's crontab follows the worker's clock (UTC by
# default), and this way the job lands at 06:00 in summer and winter alike.
@db_periodic_task(crontab(minute="0"))
def draft_monthly_quality_report():
    report = draft_due_report(timezone.now())
    return report.pk if report is not None else None
