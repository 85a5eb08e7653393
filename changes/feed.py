"""The change calendar as an iCalendar feed: each user's signed subscription token, and the .ics text.

Calendar programs (Outlook, Apple and Google Calendar) fetch a subscribed feed without signing in, so
the address itself carries who asks: a token signed with the project's secret key. It is a plain
Signer over the user's pk, not a timestamped one: the same user always gets the same address (the page
can show it again and again), and it does not expire, since calendar programs cannot renew it. Access
ends when the user is deactivated or loses the right to see changes, because every fetch checks both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.translation import gettext as _
from icalendar import STATUS, Calendar, Event

from changes.calendar_grid import Entry, add_months

SALT = "changes.calendar-feed"
UID_DOMAIN = "servicedesk"
# How far the feed reaches: a quarter back (what happened lately) and a year ahead.
MONTHS_BACK = 3
MONTHS_AHEAD = 12
# How often calendar programs should fetch the feed again.
REFRESH = dt.timedelta(hours=1)
PRODID = "-//servicedesk//Change calendar//EN"


def feed_token(user) -> str:
    """Return the user's calendar feed token (URL-safe: base64url characters and a colon)."""
    return signing.Signer(salt=SALT).sign(str(user.pk))


def user_for_token(token: str):
    """Return the active user a token was made for if they may still see changes, else None."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not user.has_perm("changes.view_change"):
        return None
    return user


def _shift_months(moment: dt.datetime, months: int) -> dt.datetime:
    day = add_months(moment.date(), months)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def feed_range(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Return the period the feed covers: from three months before now to twelve months after."""
    return _shift_months(now, -MONTHS_BACK), _shift_months(now, MONTHS_AHEAD)


def uid_for(entry: Entry) -> str:
    """Return the event's UID; stable across fetches so calendar programs update events in place."""
    return f"{entry.key}@{UID_DOMAIN}"


def _summary(entry: Entry) -> str:
    if entry.is_freeze:
        return _("Freeze window: %(name)s") % {"name": entry.title}
    if entry.is_maintenance and not entry.number:
        return _("Maintenance: %(title)s") % {"title": entry.title}
    return f"{entry.number} {entry.title}".strip()


def _description(entry: Entry, url: str) -> str:
    lines = []
    if entry.state_label and not entry.is_freeze:
        lines.append(_("State: %(state)s") % {"state": entry.state_label})
    if entry.services:
        lines.append(_("Services: %(services)s") % {"services": ", ".join(entry.services)})
    elif entry.is_freeze:
        lines.append(_("Services: all"))
    if entry.group:
        lines.append(_("Implementer group: %(group)s") % {"group": entry.group})
    if not entry.is_freeze:
        lines.append(_("Downtime: yes") if entry.downtime else _("Downtime: no"))
    if entry.description:
        lines.append(entry.description)
    if url:
        lines.append(url)
    return "\n".join(lines)


def build_ics(
    entries: Iterable[Entry], *, now: dt.datetime, absolute_url: Callable[[str], str], name: str
) -> bytes:
    """Return the iCalendar text with one VEVENT per entry, times in UTC."""
    stamp = now.astimezone(dt.UTC)
    feed = Calendar.new(
        name=name,
        prodid=PRODID,
        uid=f"change-calendar@{UID_DOMAIN}",
    )
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook reads the refresh interval from this older extension.
    feed.add("x-published-ttl", "PT1H")
    for entry in entries:
        url = absolute_url(entry.url) if entry.url else ""
        event = Event.new(
            uid=uid_for(entry),
            stamp=stamp,
            start=entry.start.astimezone(dt.UTC),
            end=entry.end.astimezone(dt.UTC),
            summary=_summary(entry),
            description=_description(entry, url),
            url=url or None,
            status=STATUS.TENTATIVE if entry.tentative else STATUS.CONFIRMED,
        )
        # Subscribers are not busy during a change: the events inform, they do not block time.
        event.add("transp", "TRANSPARENT")
        if entry.is_freeze:
            event.add("categories", [_("Freeze window")])
        feed.add_component(event)
    return feed.to_ical()
