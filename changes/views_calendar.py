"""The change calendar (month and week, with an agenda of the same entries) and its iCalendar feed.

Both read the same entries: changes on the calendar, the maintenance windows that are not simply a
shown change's own window, and freeze windows. Each page runs a fixed number of queries however many
changes there are (changes and their services, maintenance windows, freeze windows and their services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_safe

from catalog.models import Service
from changes import calendar_grid, feed
from changes.calendar_grid import CHANGE, FREEZE, MAINTENANCE, MONTH, WEEK, Entry
from changes.models import Change, FreezeWindow, MaintenanceWindow
from changes.selectors import calendar_changes
from changes.transitions import ON_CALENDAR
from people.models import SupportGroup

# Dates the calendar can be opened at: wide enough for any plan, narrow enough that the grid's
# arithmetic (a week or a month either side) never leaves Python's date range.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)
SERVICE_FIELDS = ("pk", "code", "name_nb", "name_en")


class CalendarForm(forms.Form):
    """The calendar's query: which view, around which date, for which service and implementer group."""

    view = forms.ChoiceField(
        label=gettext_lazy("Calendar view"),
        choices=[(MONTH, gettext_lazy("Month")), (WEEK, gettext_lazy("Week"))],
        required=False,
    )
    date = forms.DateField(
        label=gettext_lazy("Go to date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("All services"),
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Implementer group"),
        queryset=SupportGroup.objects.none(),
        required=False,
        empty_label=gettext_lazy("All groups"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.only(*SERVICE_FIELDS).order_by("name_nb")
        self.fields["group"].queryset = SupportGroup.objects.only(*SERVICE_FIELDS).order_by("name_nb")

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()}
            )
        return day


# --- The entries ---------------------------------------------------------------------------------------


def _change_entry(change: Change) -> Entry:
    ticket = change.ticket
    return Entry(
        kind=CHANGE,
        key=ticket.number,
        title=ticket.title,
        start=change.planned_start,
        end=change.planned_end,
        url=change.get_absolute_url(),
        number=ticket.number,
        state=change.state,
        state_label=change.get_state_display(),
        badge=change.badge,
        services=tuple(service.name for service in change.services.all()),
        group=ticket.support_group.name if ticket.support_group else "",
        downtime=change.causes_downtime,
        tentative=change.state == Change.State.AWAITING_APPROVAL,
    )


def _maintenance_entries(windows: Iterable[MaintenanceWindow], shown: dict[int, Change]) -> list[Entry]:
    """Group a change's windows that share their times into one entry, and leave out the windows that
    are just the planned window of a change already shown (its row says "downtime: yes")."""
    groups: dict[tuple, list[MaintenanceWindow]] = {}
    for window in windows:
        change = window.change
        if (
            change is not None
            and change.pk in shown
            and window.actual_start is None
            and (window.planned_start, window.planned_end) == (change.planned_start, change.planned_end)
        ):
            continue
        group_key = (change.pk, window.start, window.end) if change is not None else ("window", window.pk)
        groups.setdefault(group_key, []).append(window)
    entries = []
    for members in groups.values():
        first = members[0]
        change = first.change
        services = tuple(window.service.name for window in members)
        executed = first.actual_start is not None
        description = _("Downtime as executed") if executed else _("Planned downtime")
        if change is None:
            entries.append(
                Entry(
                    kind=MAINTENANCE,
                    key=f"maintenance-{first.pk}",
                    title=first.description or first.service.name,
                    start=first.start,
                    end=first.end,
                    services=services,
                    group=first.service.support_group.name,
                    downtime=True,
                    description=description,
                )
            )
            continue
        ticket = change.ticket
        entries.append(
            Entry(
                kind=MAINTENANCE,
                key=f"maintenance-{first.pk}",
                title=ticket.title,
                start=first.start,
                end=first.end,
                url=change.get_absolute_url(),
                number=ticket.number,
                state=change.state,
                state_label=change.get_state_display(),
                badge=change.badge,
                services=services,
                group=ticket.support_group.name if ticket.support_group else "",
                downtime=True,
                tentative=change.state == Change.State.AWAITING_APPROVAL,
                description=description,
            )
        )
    return entries


def _freeze_entry(freeze: FreezeWindow) -> Entry:
    return Entry(
        kind=FREEZE,
        key=f"freeze-{freeze.pk}",
        title=freeze.name,
        start=freeze.start,
        end=freeze.end,
        state_label=_("Freeze window"),
        services=tuple(service.name for service in freeze.services.all()),
        description=freeze.reason,
    )


def calendar_entries(
    *, start: dt.datetime, end: dt.datetime, service_id: int | None = None, group_id: int | None = None
) -> list[Entry]:
    """Return everything on the change calendar that touches start–end, for a service and a group.

    A freeze window covers the filtered service when it names it or names no service (it freezes
    everything), and the filtered group when it covers any of the group's services or all services.
    Five queries, whatever the number of changes.
    """
    services = Prefetch("services", queryset=Service.objects.only(*SERVICE_FIELDS))
    changes = list(calendar_changes(start=start, end=end, service_id=service_id, group_id=group_id))
    shown = {change.pk: change for change in changes}

    windows = (
        MaintenanceWindow.objects.filter(Q(change__isnull=True) | Q(change__state__in=ON_CALENDAR))
        .filter(
            Q(actual_start__isnull=True, planned_start__lt=end, planned_end__gt=start)
            | Q(actual_start__isnull=False, actual_start__lt=end, actual_end__gt=start)
        )
        .select_related("service__support_group", "change__ticket__support_group")
        .order_by("planned_start", "pk")
    )
    if service_id:
        windows = windows.filter(service_id=service_id)
    if group_id:
        windows = windows.filter(
            Q(change__ticket__support_group_id=group_id)
            | Q(change__isnull=True, service__support_group_id=group_id)
        )

    freezes = FreezeWindow.objects.filter(start__lt=end, end__gt=start)
    if service_id:
        freezes = freezes.filter(Q(services__isnull=True) | Q(services=service_id))
    if group_id:
        freezes = freezes.filter(Q(services__isnull=True) | Q(services__support_group_id=group_id))
    freezes = freezes.distinct().prefetch_related(services).order_by("start", "pk")

    return [
        *(_change_entry(change) for change in changes),
        *_maintenance_entries(windows, shown),
        *(_freeze_entry(freeze) for freeze in freezes),
    ]


# --- The page ------------------------------------------------------------------------------------------


def _query(view: str, day: dt.date | None, service, group) -> str:
    params = {"view": view}
    if day is not None:
        params["date"] = day.isoformat()
    if service is not None:
        params["service"] = service.pk
    if group is not None:
        params["group"] = group.pk
    return "?" + urlencode(params)


def _cleaned(form: CalendarForm) -> dict:
    """Return the form's values, with the default for each field whose value was not valid."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return {
        "view": data.get("view") or MONTH,
        "date": data.get("date"),
        "service": data.get("service"),
        "group": data.get("group"),
    }


@require_GET
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The change calendar: a month or week grid, the same entries as an agenda, and the feed address."""
    if not request.user.has_perm("changes.view_change"):
        raise PermissionDenied
    form = CalendarForm(request.GET)
    values = _cleaned(form)
    view, service, group = values["view"], values["service"], values["group"]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    day = values["date"] or today
    first, after = calendar_grid.visible_range(view, day)
    entries = calendar_entries(
        start=calendar_grid.local_midnight(first, tz),
        end=calendar_grid.local_midnight(after, tz),
        service_id=service.pk if service else None,
        group_id=group.pk if group else None,
    )
    grid = calendar_grid.build_grid(view=view, day=day, entries=entries, today=today, tz=tz)
    links = {
        "previous": _query(view, grid.previous, service, group) if grid.previous >= FIRST_DATE else "",
        "next": _query(view, grid.next, service, group) if grid.next <= LAST_DATE else "",
        "today": _query(view, None, service, group),
        "month": _query(MONTH, values["date"], service, group),
        "week": _query(WEEK, values["date"], service, group),
    }
    token = feed.feed_token(request.user)
    context = {
        "form": form,
        "grid": grid,
        "view": view,
        "service": service,
        "group": group,
        "links": links,
        "feed_url": request.build_absolute_uri(reverse("changes:calendar_feed", kwargs={"token": token})),
        "invalid": bool(form.errors),
    }
    return render(request, "changes/calendar.html", context, status=400 if form.errors else 200)


# --- The feed ------------------------------------------------------------------------------------------


@require_safe  # calendar programs may ask with HEAD first
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar as iCalendar, for the user the token was made for (404 for anyone else)."""
    user = feed.user_for_token(token)
    if user is None:
        raise Http404
    now = timezone.now()
    start, end = feed.feed_range(now)
    # Names of services and states in the user's own language, whatever the calendar program asks for.
    with translation.override(user.preferred_language or translation.get_language()):
        entries = [
            entry
            for entry in calendar_entries(start=start, end=end)
            # A change's downtime is part of its event; windows without a change get events of their own.
            if not (entry.is_maintenance and entry.number)
        ]
        body = feed.build_ics(
            sorted(entries, key=lambda entry: (entry.start, entry.key)),
            now=now,
            absolute_url=request.build_absolute_uri,
            name=_("Change calendar"),
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="change-calendar.ics"'
    # The address is personal: no shared cache may keep the feed.
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
