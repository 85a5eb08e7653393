"""Writes to the service levels' settings: business calendars with their weekly hours and special dates, SLA
policies with their targets per priority, and the support hours of a service.

Every write checks the actor's permission (an actor of None is the system: the demo seed, scripts), validates
everything before anything is saved (a calendar by the calendar engine's own rules, `validate_spec`), and
records who did it in the history where the model keeps one (calendars, policies, services).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Service
from sla.calendar import WEEKDAY_NAMES, CalendarSpec, validate_spec
from sla.models import BusinessCalendar, CalendarDate, CalendarSegment, SlaPolicy, SlaTarget
from tickets.models import PendingReason, Priority

CALENDAR_FIELDS = ("code", "name_nb", "name_en", "time_zone", "always_open", "public_holidays", "is_default")
POLICY_FIELDS = ("name_nb", "name_en", "calendar", "pausing_reasons", "warning_percent", "escalations")

# Calendar codes that would collide with the pages' own addresses (calendars/new/).
RESERVED_CODES = frozenset({"new"})
MAX_ESCALATIONS = 3
MAX_ESCALATION_PERCENT = 1000
# Ten thousand hours: far beyond any agreed target, well inside the column's range.
MAX_TARGET_SECONDS = 10_000 * 3600

# The default policy's targets (the SLA rules, §2), shown beside the form: priority → (response, resolution).
DEFAULT_TARGETS: dict[int, tuple[int, int]] = {
    Priority.P1: (15 * 60, 4 * 3600),
    Priority.P2: (3600, 8 * 3600),
    Priority.P3: (4 * 3600, 24 * 3600),
    Priority.P4: (8 * 3600, 80 * 3600),
}


class Notify(models.TextChoices):
    """Whom an escalation step notifies."""

    ASSIGNEE = "assignee", gettext_lazy("The assignee")
    GROUP_LEAD = "group_lead", gettext_lazy("The group lead")
    SERVICE_OWNER = "service_owner", gettext_lazy("The service owner")


class TargetKind(models.TextChoices):
    RESPONSE = "response", gettext_lazy("Response target")
    RESOLUTION = "resolution", gettext_lazy("Resolution target")


@dataclass(frozen=True)
class SpecialDate:
    """A date that differs from the week: closed (with a label such as "Julaften") or open with its hours."""

    date: dt.date
    kind: str = CalendarDate.Kind.CLOSED
    label: str = ""
    opens: dt.time | None = None
    closes: dt.time | None = None


@dataclass(frozen=True)
class Target:
    """One priority's targets in seconds of business time, optionally on a calendar of its own."""

    response_seconds: int
    resolution_seconds: int
    calendar: BusinessCalendar | None = None


Week = Sequence[Sequence[tuple[dt.time, dt.time]]]


def _full_clean(instance: models.Model, problems: Mapping[str, list]) -> None:
    """Run the model's field validation and the domain checks, and report every problem at once.

    Constraints are not validated here: each has a domain check that names the field at fault (the one
    default calendar, for one, is kept by turning the other off first); they still guard the database.
    """
    errors: dict[str, list] = {}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for name, messages in problems.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- Calendars --------------------------------------------------------------------------------------


def _check_calendars(actor) -> None:
    if actor is not None and not actor.has_perm("sla.manage_calendars"):
        raise PermissionDenied(_("You may not change the business calendars."))


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    # "localtime" is whatever zone the server is set to: not a stable name to store.
    return frozenset(zoneinfo.available_timezones()) - {"localtime"}


def _weekday_label(weekday: int) -> str:
    return str(capfirst(CalendarSegment.Weekday(weekday).label))


def _located(message: str, *, where: dict, **params) -> ValidationError:
    """A calendar error with where it belongs: weekday or on_date, and at = (part, time) when one
    field is at fault, so a form can put it beside that field."""
    return ValidationError(message, code="calendar", params={**params, **where})


# The calendar engine reports problems in English, each starting with where ("Monday: …", "2026-12-24: …").
_TIME = r"\d\d:\d\d(?::\d\d)?"
_LABELLED = re.compile(r"^(?P<label>[A-Z][a-z]+day|\d{4}-\d\d-\d\d): (?P<rest>.*)$")
_ORDER = re.compile(rf"^(?P<opens>{_TIME})–(?P<closes>{_TIME}) closes before it opens\.$")
_OVERLAP = re.compile(
    rf"^(?P<opens>{_TIME})–(?P<closes>{_TIME}) overlaps (?P<opens2>{_TIME})–(?P<closes2>{_TIME})\.$"
)
_GAP = re.compile(
    rf"^(?P<time>{_TIME}) does not exist on some dates \(the clocks skip it, e\.g\. on (?P<example>[\d-]+)\)\.$"
)
_FOLD = re.compile(
    rf"^(?P<time>{_TIME}) happens twice on some dates \(the clocks go back, e\.g\. on (?P<example>[\d-]+)\)\.$"
)


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _clock_change(tz: str | None, year: int, *, forward: bool) -> dt.date | None:
    """Return the date in year on which the zone's clocks go forward (or back), if they do; for an example
    people recognise, where the engine names the first such date it found (in 2000)."""
    try:
        zone = zoneinfo.ZoneInfo(tz) if tz else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        return None
    day = dt.date(year, 1, 1)
    before = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
    while day.year == year:
        day += dt.timedelta(days=1)
        after = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
        if after != before and (after > before) == forward:
            return day
        before = after
    return None


def _labelled_error(
    label: str, rest: str, english: str, *, tz: str | None, year: int
) -> tuple[str, ValidationError]:
    """Translate one of the engine's labelled messages, keyed "week" or "dates" with its location."""
    if label in WEEKDAY_NAMES:
        weekday = WEEKDAY_NAMES.index(label)
        key, day, where = "week", _weekday_label(weekday), {"weekday": weekday}
    else:
        on_date = dt.date.fromisoformat(label)
        key, day, where = "dates", date_format(on_date), {"on_date": on_date}
    if match := _ORDER.match(rest):
        message = _("%(day)s: %(opens)s–%(closes)s closes before it opens; the closing time must be later.")
        at = ("closes", _time(match["closes"]))
        return key, _located(message, where={**where, "at": at}, day=day, **match.groupdict())
    if match := _OVERLAP.match(rest):
        message = _("%(day)s: %(first)s overlaps %(second)s; the opening hours of a day must not overlap.")
        first, second = f"{match['opens']}–{match['closes']}", f"{match['opens2']}–{match['closes2']}"
        at = ("opens", _time(match["opens2"]))
        return key, _located(message, where={**where, "at": at}, day=day, first=first, second=second)
    for pattern, forward, message in (
        (
            _GAP,
            True,
            _(
                "%(day)s: %(time)s does not exist on the days the clocks go forward (such as %(example)s). "
                "Choose a time before or after the hour that is skipped (02:00–03:00 in Norway)."
            ),
        ),
        (
            _FOLD,
            False,
            _(
                "%(day)s: %(time)s happens twice on the days the clocks go back (such as %(example)s). "
                "Choose a time before or after the hour that repeats (02:00–03:00 in Norway)."
            ),
        ),
    ):
        if match := pattern.match(rest):
            example = date_format(
                _clock_change(tz, year, forward=forward) or dt.date.fromisoformat(match["example"])
            )
            at = (None, _time(match["time"]))
            return key, _located(
                message, where={**where, "at": at}, day=day, time=match["time"], example=example
            )
    return key, _located(_("%(day)s: %(detail)s"), where=where, day=day, detail=_unexplained(english))


def _unexplained(english: str) -> str:
    return _("The calendar is not valid: %(detail)s") % {"detail": english}


def spec_errors(
    messages: Sequence[str], *, tz: str | None = None, year: int | None = None
) -> dict[str, list[ValidationError]]:
    """Map the calendar engine's English messages to translated errors keyed by where they belong:
    "time_zone", "week", "dates" or the calendar as a whole. A message not recognised keeps its English
    text after a translated general one. Clock changes are shown by their date in year in zone tz."""
    year = year or timezone.localdate().year
    errors: dict[str, list[ValidationError]] = {}
    for english in messages:
        if english.startswith("Unknown time zone"):
            key, error = "time_zone", ValidationError(_("Unknown time zone."), code="time_zone")
        elif english == "The calendar is never open.":
            key, error = (
                "week",
                ValidationError(
                    _(
                        "The calendar is never open: give opening hours for at least one weekday, or make it "
                        "open around the clock."
                    ),
                    code="never_open",
                ),
            )
        elif match := _LABELLED.match(english):
            key, error = _labelled_error(match["label"], match["rest"], english, tz=tz, year=year)
        else:
            key, error = NON_FIELD_ERRORS, ValidationError(_unexplained(english), code="calendar")
        errors.setdefault(key, []).append(error)
    return errors


def calendar_problems(
    calendar: BusinessCalendar, *, week: Week, dates: Sequence[SpecialDate]
) -> dict[str, list[ValidationError]]:
    """Return what is wrong with a calendar, its weekly hours and its special dates, by field.

    The weekly hours are checked even on a 24x7 calendar, which keeps them (unused) for when it is turned
    off again; special dates are refused there, since a 24x7 calendar has none.
    """
    problems: dict[str, list[ValidationError]] = {}

    def add(key: str, error: ValidationError) -> None:
        problems.setdefault(key, []).append(error)

    zone_known = calendar.time_zone in _time_zones()
    if not zone_known:
        add(
            "time_zone",
            ValidationError(
                _("Unknown time zone. Use a name from the time zone database, such as Europe/Oslo."),
                code="time_zone",
            ),
        )
    if len(week) != len(WEEKDAY_NAMES):
        add(NON_FIELD_ERRORS, ValidationError(_("A week has seven days, Monday to Sunday."), code="week"))
        week = [()] * len(WEEKDAY_NAMES)
    midnight = _(
        "%(day)s: a segment must close by 23:59; closing at midnight cannot be stored. For the whole day, "
        "make the calendar open around the clock."
    )
    checked_week = []
    for weekday, segments in enumerate(week):
        kept = []
        for opens, closes in segments:
            if closes == dt.time(0):
                where = {"weekday": weekday, "at": ("closes", closes)}
                add("week", _located(midnight, where=where, day=_weekday_label(weekday)))
            else:
                kept.append((opens, closes))
        checked_week.append(tuple(sorted(kept)))

    closed, open_dates, seen = set(), [], set()
    for special in dates:
        where = {"on_date": special.date}
        day = date_format(special.date)
        if special.date in seen:
            add("dates", _located(_("%(day)s: the date is listed twice."), where=where, day=day))
            continue
        seen.add(special.date)
        if special.kind == CalendarDate.Kind.CLOSED:
            closed.add(special.date)
        elif special.kind == CalendarDate.Kind.OPEN:
            if special.opens is None or special.closes is None:
                add(
                    "dates",
                    _located(
                        _("%(day)s: an open date needs its opening and closing times."), where=where, day=day
                    ),
                )
            elif special.closes == dt.time(0):
                add("dates", _located(midnight, where={**where, "at": ("closes", special.closes)}, day=day))
            else:
                open_dates.append((special.date, ((special.opens, special.closes),)))
        else:
            add("dates", _located(_("%(day)s: a date is either closed or open."), where=where, day=day))
    if calendar.always_open and dates:
        add(
            "dates",
            ValidationError(
                _(
                    "A calendar open around the clock has no special dates: remove them, or turn off “open "
                    "around the clock”."
                ),
                code="always_open_dates",
            ),
        )

    spec = CalendarSpec(
        # An unknown zone is reported above; the hours are still checked, on UTC (which has no clock changes).
        tz=calendar.time_zone if zone_known else "UTC",
        week=tuple(checked_week),
        holidays_country="NO" if calendar.public_holidays else None,
        closed_dates=frozenset(closed),
        open_dates=tuple(open_dates),
    )
    messages = validate_spec(spec)
    if calendar.always_open:
        messages = [m for m in messages if m != "The calendar is never open."]
    for key, errors in spec_errors(messages, tz=spec.tz).items():
        for error in errors:
            add(key, error)
    return problems


def _code_problems(calendar: BusinessCalendar) -> dict[str, list]:
    if calendar.code in RESERVED_CODES:
        return {"code": [_("This code is reserved; choose another.")]}
    if calendar.code and BusinessCalendar.objects.filter(code=calendar.code).exclude(pk=calendar.pk).exists():
        return _code_taken()
    return {}


def _code_taken() -> dict[str, list]:
    return {"code": [_("Another calendar already has this code.")]}


def _default_problems(calendar: BusinessCalendar, *, was_default: bool) -> dict[str, list]:
    if was_default and not calendar.is_default:
        return {
            "is_default": [_("There must be a default calendar: make another calendar the default instead.")]
        }
    return {}


def _date_rows(dates: Sequence[SpecialDate]) -> tuple[list[CalendarDate], list[ValidationError]]:
    """Return the special dates as rows to store (without their calendar yet) and what is wrong with them."""
    rows, errors = [], []
    for special in dates:
        is_open = special.kind == CalendarDate.Kind.OPEN
        row = CalendarDate(
            date=special.date,
            kind=special.kind,
            label=special.label,
            opens=special.opens if is_open else None,
            closes=special.closes if is_open else None,
        )
        try:
            row.clean_fields(exclude=["calendar", "kind", "opens", "closes"])
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.extend(
                    _located(
                        _("%(day)s: %(detail)s"),
                        where={"on_date": row.date},
                        day=date_format(row.date),
                        detail=message,
                    )
                    for message in messages
                )
        rows.append(row)
    return rows, errors


def _save_calendar(
    calendar: BusinessCalendar, *, actor, week: Week, dates: Sequence[SpecialDate], was_default: bool
) -> None:
    problems = calendar_problems(calendar, week=week, dates=dates)
    rows, row_errors = _date_rows(dates)
    extra = {**_code_problems(calendar), **_default_problems(calendar, was_default=was_default)}
    if row_errors:
        extra["dates"] = row_errors
    for name, messages in extra.items():
        problems.setdefault(name, []).extend(messages)
    _full_clean(calendar, problems)
    if calendar.is_default:
        # One default: the one there was stops being it in the same transaction, with its own history row.
        others = BusinessCalendar.objects.select_for_update().filter(is_default=True).exclude(pk=calendar.pk)
        for other in others:
            other.is_default = False
            other._history_user = actor
            other.save(update_fields=["is_default"])
    calendar._history_user = actor
    try:
        # A savepoint, so the transaction survives the race with another save of the same code.
        with transaction.atomic():
            calendar.save()
    except IntegrityError:
        raise ValidationError(_code_taken()) from None
    CalendarSegment.objects.filter(calendar=calendar).delete()
    CalendarSegment.objects.bulk_create(
        CalendarSegment(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
        for weekday, segments in enumerate(week)
        for opens, closes in sorted(segments)
    )
    CalendarDate.objects.filter(calendar=calendar).delete()
    for row in rows:
        row.calendar = calendar
    CalendarDate.objects.bulk_create(rows)


@transaction.atomic
def calendar_create(*, actor, week: Week, dates: Sequence[SpecialDate] = (), **fields) -> BusinessCalendar:
    """Create a business calendar with its weekly hours (seven lists of (opens, closes), Monday first) and
    its special dates. Made the default, it takes over from the one there was."""
    _check_calendars(actor)
    calendar = BusinessCalendar(**{k: v for k, v in fields.items() if k in CALENDAR_FIELDS})
    _save_calendar(calendar, actor=actor, week=week, dates=dates, was_default=False)
    return calendar


@transaction.atomic
def calendar_update(
    *, calendar: BusinessCalendar, actor, week: Week, dates: Sequence[SpecialDate] = (), **fields
) -> BusinessCalendar:
    """Replace a calendar's settings, weekly hours and special dates; its code stays as it was.

    The default calendar stays the default until another is made it. Clocks measured on the calendar
    follow the new hours the next time they are computed.
    """
    _check_calendars(actor)
    locked = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    was_default = locked.is_default
    for name, value in fields.items():
        if name in CALENDAR_FIELDS and name != "code":
            setattr(locked, name, value)
    _save_calendar(locked, actor=actor, week=week, dates=dates, was_default=was_default)
    return locked


# --- Policies ---------------------------------------------------------------------------------------


def _check_policy(actor, service: Service | None) -> None:
    if actor is None:
        return
    allowed = (
        actor.has_perm("sla.manage_service_sla", service)
        if service is not None
        else actor.has_perm("sla.manage_policies")
    )
    if not allowed:
        raise PermissionDenied(_("You may not change this SLA policy."))


def _target_error(message: str, *, priority: int, kind: str) -> ValidationError:
    return ValidationError(
        message, code="target", params={"priority": priority, "kind": kind, "name": Priority(priority).label}
    )


def policy_problems(policy: SlaPolicy, targets: Mapping[int, Target]) -> dict[str, list[ValidationError]]:
    """Return what is wrong with a policy and its targets, by field ("targets" and "escalations" errors
    carry the priority and kind, or the step, they are about)."""
    problems: dict[str, list[ValidationError]] = {}

    def add(key: str, error: ValidationError | str) -> None:
        problems.setdefault(key, []).append(
            error if isinstance(error, ValidationError) else ValidationError(error)
        )

    if not isinstance(policy.warning_percent, int) or not 1 <= policy.warning_percent <= 100:
        add("warning_percent", _("The warning must come at between 1 and 100 percent of the target."))
    reasons = policy.pausing_reasons
    if (
        not isinstance(reasons, list)
        or not set(reasons) <= set(PendingReason.values)
        or len(set(reasons)) != len(reasons)
    ):
        add("pausing_reasons", _("Choose pending reasons from the list, each once."))
    steps = policy.escalations
    if not isinstance(steps, list) or len(steps) > MAX_ESCALATIONS:
        add("escalations", _("A policy has at most %(count)d escalation steps.") % {"count": MAX_ESCALATIONS})
    else:
        previous = 0
        for number, step in enumerate(steps, start=1):
            percent = step.get("percent") if isinstance(step, dict) else None
            notify = step.get("notify") if isinstance(step, dict) else None
            params = {"step": number}
            if not isinstance(percent, int) or not 1 <= percent <= MAX_ESCALATION_PERCENT:
                add(
                    "escalations",
                    ValidationError(
                        _("Step %(step)d: the percent must be between 1 and %(max)d."),
                        code="step_percent",
                        params={**params, "max": MAX_ESCALATION_PERCENT},
                    ),
                )
                continue
            if notify not in Notify.values:
                add(
                    "escalations",
                    ValidationError(
                        _("Step %(step)d: choose whom to notify."), code="step_notify", params=params
                    ),
                )
            if percent <= previous:
                add(
                    "escalations",
                    ValidationError(
                        _(
                            "Step %(step)d: the steps must come in rising order of percent (this one is not after the one before)."
                        ),
                        code="step_order",
                        params=params,
                    ),
                )
            previous = percent
    missing = [p for p in Priority.values if p not in targets]
    if missing:
        add(NON_FIELD_ERRORS, _("Give targets for every priority, P1 to P4."))
    for priority, target in sorted(targets.items()):
        if priority not in Priority.values:
            add(NON_FIELD_ERRORS, _("There is no priority %(priority)s.") % {"priority": priority})
            continue
        for kind, seconds in (
            (TargetKind.RESPONSE, target.response_seconds),
            (TargetKind.RESOLUTION, target.resolution_seconds),
        ):
            if not isinstance(seconds, int) or seconds < 1:
                add(
                    "targets",
                    _target_error(
                        _("%(name)s: the target must be more than zero."), priority=priority, kind=kind
                    ),
                )
            elif seconds > MAX_TARGET_SECONDS:
                add(
                    "targets",
                    _target_error(
                        _("%(name)s: the target can be at most 10,000 hours."), priority=priority, kind=kind
                    ),
                )
        response, resolution = target.response_seconds, target.resolution_seconds
        if isinstance(response, int) and isinstance(resolution, int) and 1 <= resolution < response:
            # The resolution stops the response clock too, so a longer response target could never matter.
            add(
                "targets",
                _target_error(
                    _("%(name)s: the response target cannot be longer than the resolution target."),
                    priority=priority,
                    kind=TargetKind.RESPONSE,
                ),
            )
    return problems


def _save_policy(policy: SlaPolicy, *, actor, targets: Mapping[int, Target], problems: dict) -> None:
    for name, messages in policy_problems(policy, targets).items():
        problems.setdefault(name, []).extend(messages)
    _full_clean(policy, problems)
    policy._history_user = actor
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise ValidationError({"service": [_("This service has its own policy already.")]}) from None
    SlaTarget.objects.filter(policy=policy).delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            response_seconds=target.response_seconds,
            resolution_seconds=target.resolution_seconds,
            calendar=target.calendar,
        )
        for priority, target in sorted(targets.items())
    )


@transaction.atomic
def policy_create(*, actor, service: Service | None, targets: Mapping[int, Target], **fields) -> SlaPolicy:
    """Create a service's own policy (or the default one, when there is none), with its targets per priority."""
    _check_policy(actor, service)
    policy = SlaPolicy(service=service, **{k: v for k, v in fields.items() if k in POLICY_FIELDS})
    problems: dict[str, list] = {}
    if SlaPolicy.objects.filter(service=service).exists():
        problems["service"] = [
            _("This service has its own policy already.")
            if service is not None
            else _("There is a default policy already.")
        ]
    _save_policy(policy, actor=actor, targets=targets, problems=problems)
    return policy


@transaction.atomic
def policy_update(*, policy: SlaPolicy, actor, targets: Mapping[int, Target], **fields) -> SlaPolicy:
    """Replace a policy's settings and targets; the service it belongs to stays as it was.

    Tickets' clocks follow the new targets the next time they are computed.
    """
    # Only the policy's row is locked: its service is on the nullable side of the join.
    locked = SlaPolicy.objects.select_for_update(of=("self",)).select_related("service").get(pk=policy.pk)
    _check_policy(actor, locked.service)
    for name, value in fields.items():
        if name in POLICY_FIELDS:
            setattr(locked, name, value)
    _save_policy(locked, actor=actor, targets=targets, problems={})
    return locked


# --- A service's support hours ----------------------------------------------------------------------


@transaction.atomic
def service_hours_set(*, service: Service, actor, calendar: BusinessCalendar | None) -> Service:
    """Set the calendar of the service's agreed support hours (None: the default calendar)."""
    if actor is not None and not actor.has_perm("sla.manage_service_sla", service):
        raise PermissionDenied(_("You may not change this service's support hours."))
    locked = Service.objects.select_for_update().get(pk=service.pk)
    locked.support_calendar = calendar
    locked.full_clean()
    locked._history_user = actor
    locked.save(update_fields=["support_calendar", "updated"])
    return locked
