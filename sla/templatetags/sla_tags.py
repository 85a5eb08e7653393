"""Durations and clock events said the way people say them."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Return business time as "2 h 30 min" (or "45 s" under a minute); negative values as "−…"."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    sign = "−" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        text = _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    elif hours:
        text = _("%(hours)s h") % {"hours": hours}
    elif minutes:
        text = _("%(minutes)s min") % {"minutes": minutes}
    else:
        text = _("%(seconds)s s") % {"seconds": seconds}
    return sign + text


@register.filter
def pending_label(reason: str) -> str:
    """Return what a paused ticket waits for, in words."""
    from tickets.models import PendingReason

    try:
        return str(PendingReason(reason).label)
    except ValueError:
        return reason
