"""Times said the way people say them: "Thursday 14:00", in the viewer's language and Oslo time."""

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tickets.models import Status, Ticket

register = template.Library()


@register.filter
def resolution_aim(ticket: Ticket):
    """Return when we aim to resolve an open ticket (see tickets.selectors.resolution_aim)."""
    from tickets.selectors import resolution_aim as aim

    return aim(ticket=ticket)


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
