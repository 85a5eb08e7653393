"""Business days on the default Norwegian calendar, for the closing job (the SLA app refines calendars)."""

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Norway(years=year, include_sundays=False).keys())


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def subtract_business_days(instant: dt.datetime, days: int) -> dt.datetime:
    """Return the instant the given number of business days earlier, counted in Oslo local dates."""
    local = timezone.localtime(instant)
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return timezone.make_aware(dt.datetime.combine(day, local.time().replace(tzinfo=None)))


OPEN_HOUR, CLOSE_HOUR = 8, 16


def add_business_seconds(start: dt.datetime, seconds: int) -> dt.datetime:
    """Return the instant `seconds` of business time after start on Mon–Fri 08–16 Oslo minus holidays.

    Iterates over local calendar dates (never by adding 86,400 s), so DST days are handled. If the time
    runs out exactly at a closing time, that closing time is the answer.
    """
    zone = timezone.get_default_timezone()
    local = start.astimezone(zone)
    day = local.date()
    remaining = seconds
    while True:
        if is_business_day(day):
            opens = dt.datetime.combine(day, dt.time(OPEN_HOUR), tzinfo=zone)
            closes = dt.datetime.combine(day, dt.time(CLOSE_HOUR), tzinfo=zone)
            begin = max(opens, local) if day == local.date() else opens
            if begin < closes:
                available = int((closes - begin).total_seconds())
                if remaining <= available:
                    return (begin + dt.timedelta(seconds=remaining)).astimezone(dt.UTC)
                remaining -= available
        day += dt.timedelta(days=1)
