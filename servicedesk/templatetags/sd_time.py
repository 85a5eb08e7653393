"""Times said the way people say them: "Thursday 14:00", in the viewer's language and Oslo time."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tickets.models import Status, Ticket

register = template.Library()

# The default resolution targets in business hours per priority (spec: P1 4, P2 8, P3 24, P4 80).
RESOLUTION_HOURS = {1: 4, 2: 8, 3: 24, 4: 80}


@register.filter
def resolution_aim(ticket: Ticket):
    """Return when we aim to resolve an open ticket, on the default business calendar."""
    from incidents.calendar_days import add_business_seconds

    if not ticket.is_open or ticket.status == Status.PENDING:
        return None
    return add_business_seconds(ticket.opened_at, RESOLUTION_HOURS[ticket.priority] * 3600)


@register.filter
def friendly_time(value: dt.datetime) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    clock = formats.time_format(local, "H:i")
    if local.date() == today:
        return _("today %(time)s") % {"time": clock}
    if local.date() == today + dt.timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": clock}
    if 0 < (local.date() - today).days < 7:
        return f"{formats.date_format(local, 'l')} {clock}"
    return f"{formats.date_format(local, 'DATE_FORMAT')} {clock}"


@register.filter
def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def field_label(value: str) -> str:
    try:
        return str(Ticket._meta.get_field(value).verbose_name)
    except Exception:
        return value
