"""The service levels' settings pages under /sla/: the overview, the business calendars with a preview of
their opening hours, the SLA policies and a service's support hours. Administrators and service owners
use them; a service owner changes only their own services' policies and support hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from catalog.models import Service
from sla import settings_services as services
from sla.calendar import CalendarSpec, CalendarSpecError, business_calendar
from sla.forms import CalendarEditor, PolicyForm, ServiceHoursForm, hours_minutes
from sla.models import BusinessCalendar, SlaPolicy, SlaTarget
from sla.services import spec_of

PREVIEW_DAYS = 14


def _require(request: HttpRequest, *permissions: str, obj=None) -> None:
    """Refuse the request unless the user has one of the permissions (on obj, when given)."""
    if not any(request.user.has_perm(permission, obj) for permission in permissions):
        raise PermissionDenied


def _may_manage(request: HttpRequest) -> None:
    _require(request, "sla.manage_calendars", "sla.manage_policies")


def _default_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(is_default=True).first()


# --- The preview of a calendar's opening hours -------------------------------------------------------


@dataclass(frozen=True)
class PreviewDay:
    """One local date of the preview: its opening hours as "08:00–16:00" texts (none when closed), the
    public holiday it is, and whether a special date closes or opens it, with the special date's label."""

    date: dt.date
    hours: tuple[str, ...]
    holiday: str = ""
    special: str = ""  # "closed", "open" or ""
    label: str = ""


def holiday_language(language: str | None) -> str:
    """Return the holidays package's language for a Django language code: English or Norwegian."""
    return "en_US" if (language or "").startswith("en") else "no"


def opening_hours_preview(
    spec: CalendarSpec,
    *,
    today: dt.date,
    days: int = PREVIEW_DAYS,
    labels: dict[dt.date, str] | None = None,
    language: str | None = None,
) -> list[PreviewDay]:
    """Return the opening hours of the `days` local dates from today on the calendar, in its local time.

    Computed by the calendar engine (`segments`), so the preview shows what the clocks will count; a segment
    that runs to midnight ends at "24:00". `labels` names the special dates; `language` is the holidays
    package's ("no", "en_US").
    """
    calendar = business_calendar(spec)
    zone = ZoneInfo(spec.tz)
    last = today + dt.timedelta(days=days)
    start = dt.datetime.combine(today, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(last, dt.time(0), tzinfo=zone)
    hours: dict[dt.date, list[str]] = {}
    for opens, closes in calendar.segments(start, end):
        local, until = opens.astimezone(zone), closes.astimezone(zone)
        # A 24x7 calendar answers with one segment for the whole range: cut it at each local midnight.
        while local < until:
            midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
            piece_end = min(until, midnight)
            closing = "24:00" if piece_end == midnight else f"{piece_end:%H:%M}"
            hours.setdefault(local.date(), []).append(f"{local:%H:%M}–{closing}")
            local = piece_end
    holidays: dict[dt.date, str] = {}
    for year in range(today.year, last.year + 1):
        holidays.update(calendar.holidays_in(year, language=language))
    open_dates = dict(spec.open_dates)
    labels = labels or {}
    preview = []
    for offset in range(days):
        day = today + dt.timedelta(days=offset)
        special = "closed" if day in spec.closed_dates else "open" if day in open_dates else ""
        preview.append(
            PreviewDay(
                date=day,
                hours=tuple(hours.get(day, ())),
                holiday=holidays.get(day, ""),
                special=special,
                label=labels.get(day, "") if special else "",
            )
        )
    return preview


def calendar_preview(calendar: BusinessCalendar, *, today: dt.date) -> dict:
    """Return what the calendar page shows of a stored calendar: the next 14 days' opening hours from today
    and the year's public holidays, in the active language (or the problem, if the stored calendar is
    not valid)."""
    dates = list(calendar.dates.all())
    spec = spec_of(calendar, list(calendar.segments.all()), dates)
    language = holiday_language(get_language())
    try:
        days = opening_hours_preview(
            spec, today=today, labels={d.date: d.label for d in dates}, language=language
        )
        holidays = business_calendar(spec).holidays_in(today.year, language=language)
    except CalendarSpecError as exc:
        return {"problem": "; ".join(exc.messages), "today": today}
    return {"days": days, "holidays": holidays, "year": today.year, "today": today}


def _local_today(calendar: BusinessCalendar) -> dt.date:
    try:
        zone = ZoneInfo(calendar.time_zone)
    except (ValueError, KeyError):
        zone = timezone.get_default_timezone()
    return timezone.now().astimezone(zone).date()


def week_summary(segments) -> str:
    """Return the weekly hours in short, e.g. "Mon–Fri 08:00–16:00; Sat 10:00–14:00", in the active language."""
    days = [
        tuple(sorted((s.opens, s.closes) for s in segments if s.weekday == weekday)) for weekday in range(7)
    ]
    parts, weekday = [], 0
    while weekday < 7:
        if not days[weekday]:
            weekday += 1
            continue
        last = weekday
        while last + 1 < 7 and days[last + 1] == days[weekday]:
            last += 1
        name = str(WEEKDAYS_ABBR[weekday])
        if last != weekday:
            name = f"{name}–{WEEKDAYS_ABBR[last]}"
        times = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in days[weekday])
        parts.append(f"{name} {times}")
        weekday = last + 1
    return "; ".join(parts)


# --- The overview -----------------------------------------------------------------------------------


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    _may_manage(request)
    return render(
        request,
        "sla/index.html",
        {
            "calendars": list(BusinessCalendar.objects.all()),
            "policies": _sorted_policies(SlaPolicy.objects.select_related("service", "calendar")),
        },
    )


def _sorted_policies(policies) -> list[SlaPolicy]:
    """The default policy first, then the services' own by service name (NULLs sort differently per database)."""
    return sorted(policies, key=lambda p: (p.service_id is not None, p.service.name_nb if p.service else ""))


# --- Calendars --------------------------------------------------------------------------------------


@require_GET
@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    _require(request, "sla.manage_calendars")
    calendars = list(
        BusinessCalendar.objects.annotate(
            service_count=Count("services", distinct=True), policy_count=Count("policies", distinct=True)
        ).prefetch_related("segments")
    )
    rows = [(calendar, week_summary(calendar.segments.all())) for calendar in calendars]
    return render(request, "sla/calendar_list.html", {"rows": rows})


def _save(form, write, data: dict):
    """Call a settings service with the form's data; return what it saved, or None with its errors added."""
    try:
        return write(**data)
    except ValidationError as exc:
        form.add_service_errors(exc)
    return None


def _calendar_page(request: HttpRequest, editor: CalendarEditor, *, calendar, title: str) -> HttpResponse:
    context = {"editor": editor, "calendar": calendar, "title": title}
    if calendar is not None:
        context["preview"] = calendar_preview(calendar, today=_local_today(calendar))
    return render(request, "sla/calendar_form.html", context, status=400 if editor.has_errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    _require(request, "sla.manage_calendars")
    editor = CalendarEditor(request.POST or None)
    if request.method == "POST" and editor.is_valid():
        created = _save(editor, partial(services.calendar_create, actor=request.user), editor.data())
        if created is not None:
            messages.success(request, _("The calendar “%(name)s” is saved.") % {"name": created.name})
            return redirect("sla:calendar_edit", code=created.code)
    return _calendar_page(request, editor, calendar=None, title=_("New business calendar"))


@require_http_methods(["GET", "POST"])
@login_required
def calendar_edit(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, "sla.manage_calendars")
    calendar = get_object_or_404(BusinessCalendar.objects.prefetch_related("segments", "dates"), code=code)
    # Named before the form binds: a rejected name must not become the page's title.
    title = _("Edit %(name)s") % {"name": calendar.name}
    editor = CalendarEditor(request.POST or None, calendar=calendar)
    if request.method == "POST" and editor.is_valid():
        write = partial(services.calendar_update, calendar=calendar, actor=request.user)
        saved = _save(editor, write, editor.data())
        if saved is not None:
            messages.success(request, _("The calendar “%(name)s” is saved.") % {"name": saved.name})
            return redirect("sla:calendar_edit", code=saved.code)
    return _calendar_page(request, editor, calendar=calendar, title=title)


# --- Policies ---------------------------------------------------------------------------------------


@require_GET
@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    _require(request, "sla.manage_policies")
    policies = _sorted_policies(
        SlaPolicy.objects.select_related("service", "calendar").prefetch_related(
            Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar").order_by("priority"))
        )
    )
    rows = [
        (
            policy,
            [
                (target, hours_minutes(target.response_seconds), hours_minutes(target.resolution_seconds))
                for target in policy.targets.all()
            ],
            policy.service is None or request.user.has_perm("sla.manage_service_sla", policy.service),
        )
        for policy in policies
    ]
    listed = (
        Service.objects.exclude(state=Service.State.RETIRED)
        .select_related("support_calendar", "sla_policy")
        .order_by("name_nb")
    )
    service_rows = [(service, request.user.has_perm("sla.manage_service_sla", service)) for service in listed]
    return render(
        request,
        "sla/policy_list.html",
        {
            "rows": rows,
            "service_rows": service_rows,
            "default_calendar": _default_calendar(),
            "may_create": any(
                may and getattr(service, "sla_policy", None) is None for service, may in service_rows
            ),
        },
    )


def _policy_page(request: HttpRequest, form: PolicyForm, *, policy, title: str) -> HttpResponse:
    return render(
        request,
        "sla/policy_form.html",
        {"form": form, "policy": policy, "title": title},
        status=400 if form.errors else 200,
    )


def _services_without_policy(request: HttpRequest):
    """The services the user may give a policy of their own: without one yet, and theirs to change."""
    candidates = Service.objects.filter(sla_policy__isnull=True).exclude(state=Service.State.RETIRED)
    allowed = [s.pk for s in candidates if request.user.has_perm("sla.manage_service_sla", s)]
    return Service.objects.filter(pk__in=allowed).order_by("name_nb")


@require_http_methods(["GET", "POST"])
@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    _require(request, "sla.manage_policies")
    choices = _services_without_policy(request)
    initial = {}
    default = SlaPolicy.objects.filter(service__isnull=True).first()
    if default is not None:
        # A service's own policy starts as a copy of the default one.
        initial = PolicyForm.initial_for(default, default.targets.all())
        initial.pop("name_nb")
        initial.pop("name_en")
    chosen = request.GET.get("service")
    if chosen:
        initial["service"] = choices.filter(code=chosen).values_list("pk", flat=True).first()
    form = PolicyForm(request.POST or None, services=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = _save(form, partial(services.policy_create, actor=request.user), form.data_for_service())
        if created is not None:
            messages.success(request, _("The policy “%(name)s” is saved.") % {"name": created.name})
            return redirect("sla:policy_list")
    return _policy_page(request, form, policy=None, title=_("New SLA policy for a service"))


@require_http_methods(["GET", "POST"])
@login_required
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "sla.manage_policies")
    policy = get_object_or_404(SlaPolicy.objects.select_related("service", "calendar"), pk=pk)
    if policy.service is not None:
        _require(request, "sla.manage_service_sla", obj=policy.service)
    title = _("Edit %(name)s") % {"name": policy.name}
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(policy, policy.targets.all()))
    if request.method == "POST" and form.is_valid():
        write = partial(services.policy_update, policy=policy, actor=request.user)
        saved = _save(form, write, form.data_for_service())
        if saved is not None:
            messages.success(request, _("The policy “%(name)s” is saved.") % {"name": saved.name})
            return redirect("sla:policy_list")
    return _policy_page(request, form, policy=policy, title=title)


# --- A service's support hours ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def service_hours(request: HttpRequest, code: str) -> HttpResponse:
    _require(request, "sla.manage_policies")
    service = get_object_or_404(Service.objects.select_related("support_calendar"), code=code)
    _require(request, "sla.manage_service_sla", obj=service)
    default = _default_calendar()
    form = ServiceHoursForm(request.POST or None, service=service, default=default)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.service_hours_set(
                service=service, actor=request.user, calendar=form.cleaned_data["calendar"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            calendar = saved.support_calendar or default
            messages.success(
                request,
                _("The support hours of %(service)s are now “%(calendar)s”.")
                % {"service": saved.name, "calendar": calendar.name if calendar else "–"},
            )
            return redirect("sla:policy_list")
    return render(
        request,
        "sla/service_hours.html",
        {"form": form, "service": service, "default": default},
        status=400 if form.errors else 200,
    )
