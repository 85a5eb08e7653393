"""Forms of the service levels' settings pages: the calendar editor (its fields, the weekly grid and the
special dates), the SLA policy form and a service's support hours. sla/settings_services.py validates
again, by the calendar engine's rules, and saves; its errors come back to the field they are about."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.forms import FieldsetsMixin
from catalog.models import Service
from sla.models import BusinessCalendar, CalendarDate, CalendarSegment, SlaPolicy
from sla.settings_services import (
    CALENDAR_FIELDS,
    DEFAULT_TARGETS,
    MAX_ESCALATION_PERCENT,
    MAX_ESCALATIONS,
    Notify,
    SpecialDate,
    Target,
    TargetKind,
)
from tickets.models import PendingReason, Priority

# Segments per weekday the grid offers at least (more when a stored day has more).
SEGMENT_SLOTS = 3
EXTRA_DATE_ROWS = 2


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def hours_minutes(seconds: int) -> str:
    """Return seconds as hours:minutes ("0:15", "80:00"), with seconds only when there are any."""
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if rest else f"{hours}:{minutes:02d}"


class HoursMinutesField(forms.CharField):
    """A duration typed as hours:minutes ("0:15", "4:00", "80:00") or whole hours ("8"), cleaned to
    seconds: the unit targets are agreed in, whether a quarter of an hour or eighty hours."""

    default_error_messages = {"invalid": _("Write the time as hours:minutes, for example 0:15 or 8:00.")}
    pattern = re.compile(r"(\d{1,5})(?::([0-5]\d)(?::([0-5]\d))?)?")

    def widget_attrs(self, widget):
        attrs = {"size": 7, "maxlength": 12, "autocomplete": "off", "spellcheck": "false"}
        return {**super().widget_attrs(widget), **attrs}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = self.pattern.fullmatch(value)
        if match is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds

    def prepare_value(self, value):
        return hours_minutes(value) if isinstance(value, int) else value


# --- Calendars --------------------------------------------------------------------------------------


class CalendarForm(forms.Form):
    """A calendar's own fields; the code only when it is created, since addresses use it.

    A plain form rather than a model form: making a calendar the default while another is the default is
    not an error here but what the service does (it turns the other off), which a model form's constraint
    check would refuse first.
    """

    def __init__(self, data=None, *, calendar: BusinessCalendar | None = None, **kwargs):
        names = CALENDAR_FIELDS if calendar is None else tuple(n for n in CALENDAR_FIELDS if n != "code")
        if calendar is not None:
            kwargs["initial"] = {**model_to_dict(calendar, fields=names), **(kwargs.get("initial") or {})}
        super().__init__(data, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                BusinessCalendar,
                fields=names,
                help_texts={
                    "code": _(
                        "Lower-case letters, digits and hyphens; used in addresses and cannot be changed later."
                    ),
                    "time_zone": _("A name from the time zone database, such as Europe/Oslo."),
                    "always_open": _(
                        "Every hour of every day counts, with no holidays or special dates. The weekly hours "
                        "are kept but not used."
                    ),
                    "public_holidays": _(
                        "Closed on Norwegian public holidays (Easter, 17 May, Christmas …) unless a special "
                        "date opens it."
                    ),
                    "is_default": _(
                        "Used by services without support hours of their own. Making this calendar the "
                        "default turns the current default off."
                    ),
                },
            )
        )


class WeekForm(forms.Form):
    """The weekly opening hours as a grid: each weekday has `slots` segments of opens and closes."""

    def __init__(self, data=None, *, slots: int = SEGMENT_SLOTS, segments=None, **kwargs):
        if segments is not None:
            kwargs["initial"] = self.initial_for(segments)
        super().__init__(data, **kwargs)
        self.slots = slots
        self.values: dict[str, dt.time | None] = {}
        for weekday, day in CalendarSegment.Weekday.choices:
            for slot in range(1, slots + 1):
                for part, label in (
                    ("opens", gettext("%(day)s, segment %(number)d, opens")),
                    ("closes", gettext("%(day)s, segment %(number)d, closes")),
                ):
                    self.fields[self.name(weekday, slot, part)] = forms.TimeField(
                        label=label % {"day": capfirst(day), "number": slot},
                        required=False,
                        widget=_time_input(),
                    )

    @staticmethod
    def name(weekday: int, slot: int, part: str) -> str:
        return f"d{weekday}_{slot}_{part}"

    @classmethod
    def initial_for(cls, segments) -> dict:
        initial, used = {}, {}
        for segment in sorted(segments, key=lambda s: (s.weekday, s.opens)):
            slot = used[segment.weekday] = used.get(segment.weekday, 0) + 1
            initial[cls.name(segment.weekday, slot, "opens")] = segment.opens
            initial[cls.name(segment.weekday, slot, "closes")] = segment.closes
        return initial

    @staticmethod
    def slots_for(segments) -> int:
        per_day: dict[int, int] = {}
        for segment in segments:
            per_day[segment.weekday] = per_day.get(segment.weekday, 0) + 1
        return max([SEGMENT_SLOTS, *per_day.values()])

    def clean(self):
        data = super().clean()
        self.values = {name: data.get(name) for name in self.fields}
        week = []
        for weekday in range(7):
            day = []
            for slot in range(1, self.slots + 1):
                opens_name, closes_name = (
                    self.name(weekday, slot, "opens"),
                    self.name(weekday, slot, "closes"),
                )
                opens, closes = data.get(opens_name), data.get(closes_name)
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                if opens is None and closes is None:
                    continue
                if opens is None:
                    self.add_error(opens_name, gettext("Give the opening time too."))
                elif closes is None:
                    self.add_error(closes_name, gettext("Give the closing time too."))
                else:
                    day.append((opens, closes))
            week.append(tuple(sorted(day)))
        data["week"] = tuple(week)
        return data

    def field_for(self, weekday: int, at) -> str:
        """Return the grid field an error about the weekday is about: the one holding the time `at`
        names (part, time), or the day's first field."""
        part, value = at if at else (None, None)
        for slot in range(1, self.slots + 1):
            for candidate in ("opens", "closes"):
                name = self.name(weekday, slot, candidate)
                if value is not None and part in (None, candidate) and self.values.get(name) == value:
                    return name
        return self.name(weekday, 1, "opens")

    @property
    def slot_numbers(self) -> range:
        return range(1, self.slots + 1)

    def rows(
        self,
    ) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]], list[tuple[str, str]]]]:
        """Return the grid for the template: each weekday's name, its (opens, closes) fields, and its fields'
        errors as (id, message), the ids the fields' aria-describedby names (sd_forms.described_by)."""
        rows = []
        for weekday, day in CalendarSegment.Weekday.choices:
            slots = [
                (self[self.name(weekday, slot, "opens")], self[self.name(weekday, slot, "closes")])
                for slot in range(1, self.slots + 1)
            ]
            errors = [
                (f"{field.auto_id}-error" + ("" if index == 1 else f"-{index}"), error)
                for pair in slots
                for field in pair
                for index, error in enumerate(field.errors, start=1)
            ]
            rows.append((capfirst(day), slots, errors))
        return rows


class SpecialDateForm(forms.Form):
    """One special date: closed (with a label) or open with its own hours."""

    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(
        label=_("Closed or open"),
        choices=[
            (CalendarDate.Kind.CLOSED, _("Closed all day")),
            (CalendarDate.Kind.OPEN, _("Open with its own hours")),
        ],
        initial=CalendarDate.Kind.CLOSED,
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=120)
    opens = forms.TimeField(label=_("Opens"), required=False, widget=_time_input())
    closes = forms.TimeField(label=_("Closes"), required=False, widget=_time_input())

    def __init__(self, *args, row: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        for field in self.fields.values():
            field.label = gettext("%(field)s, row %(row)d") % {"field": field.label, "row": row}

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("date") is None and "date" not in self.errors:
            self.add_error("date", gettext("Give the date."))
        if data.get("kind") == CalendarDate.Kind.OPEN:
            for name, message in (
                ("opens", gettext("An open date needs its opening time.")),
                ("closes", gettext("An open date needs its closing time.")),
            ):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
        return data


class BaseSpecialDateFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "row": (index or 0) + 1}

    def live_forms(self) -> list[SpecialDateForm]:
        """Return the rows to keep: the stored dates not marked for removal, and the new rows filled in."""
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed()) and not getattr(form, "cleaned_data", {}).get("DELETE")
        ]

    def clean(self):
        seen: set[dt.date] = set()
        for form in self.live_forms():
            day = form.cleaned_data.get("date")
            if day is None:
                continue
            if day in seen:
                form.add_error("date", gettext("This date is listed twice."))
            seen.add(day)

    def special_dates(self) -> list[SpecialDate]:
        return [
            SpecialDate(
                date=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data.get("label", ""),
                opens=form.cleaned_data.get("opens"),
                closes=form.cleaned_data.get("closes"),
            )
            for form in self.live_forms()
        ]

    def form_for(self, day: dt.date) -> SpecialDateForm | None:
        for form in self.live_forms():
            if form.cleaned_data.get("date") == day:
                return form
        return None


SpecialDateFormSet = forms.formset_factory(
    SpecialDateForm,
    formset=BaseSpecialDateFormSet,
    extra=EXTRA_DATE_ROWS,
    can_delete=True,
    can_delete_extra=False,
    max_num=300,
    validate_max=True,
)


class CalendarEditor:
    """The calendar page's forms as one: the calendar's fields, the weekly grid and the special dates.

    Validate with is_valid(), hand data() to calendar_create or calendar_update, and give the service's
    ValidationError to add_service_errors(), which puts each error beside the field it is about.
    """

    def __init__(self, data=None, *, calendar: BusinessCalendar | None = None):
        segments = list(calendar.segments.all()) if calendar is not None else None
        dates = list(calendar.dates.all()) if calendar is not None else []
        self.calendar = calendar
        self.form = CalendarForm(
            data,
            calendar=calendar,
            initial=None if calendar else {"time_zone": "Europe/Oslo", "public_holidays": True},
        )
        if segments is None:
            # A new calendar starts as office hours, Monday to Friday 08:00–16:00.
            initial = {}
            for weekday in range(5):
                initial[WeekForm.name(weekday, 1, "opens")] = dt.time(8)
                initial[WeekForm.name(weekday, 1, "closes")] = dt.time(16)
            self.week = WeekForm(data, initial=initial)
        else:
            self.week = WeekForm(data, slots=WeekForm.slots_for(segments), segments=segments)
        self.dates = SpecialDateFormSet(
            data,
            prefix="dates",
            initial=[
                {"date": d.date, "kind": d.kind, "label": d.label, "opens": d.opens, "closes": d.closes}
                for d in dates
            ],
        )
        self.date_errors: list = []

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.week.is_valid(), self.dates.is_valid()]
        return all(results)

    def data(self) -> dict:
        return {
            **self.form.cleaned_data,
            "week": self.week.cleaned_data["week"],
            "dates": self.dates.special_dates(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.form.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            for error in errors:
                params = getattr(error, "params", None) or {}
                if key in self.form.fields:
                    self.form.add_error(key, error)
                elif key == "week" and params.get("weekday") is not None:
                    self.week.add_error(self.week.field_for(params["weekday"], params.get("at")), error)
                elif key == "week":
                    self.week.add_error(None, error)
                elif key == "dates" and (form := self.dates.form_for(params.get("on_date"))) is not None:
                    form.add_error(self._date_field(form, params.get("at")), error)
                elif key == "dates":
                    self.date_errors.extend(error.messages)
                else:
                    self.form.add_error(None, error)

    @staticmethod
    def _date_field(form: SpecialDateForm, at) -> str:
        part, value = at if at else (None, None)
        for name in ("opens", "closes"):
            if value is not None and part in (None, name) and form.cleaned_data.get(name) == value:
                return name
        return "date"

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or self.week.errors
            or any(form.errors for form in self.dates.forms)
            or self.dates.non_form_errors()
            or self.date_errors
        )

    def error_summary(self) -> list[tuple[str, str, str]]:
        """Return every error as (the id of the field to go to, its label, the message), form by form."""
        first_grid = self.week[WeekForm.name(0, 1, "opens")].id_for_label
        first_date = self.dates.forms[0]["date"].id_for_label if self.dates.forms else ""
        items: list[tuple[str, str, str]] = []
        for form, fallback, fallback_label in (
            (self.form, "", ""),
            (self.week, first_grid, gettext("Weekly opening hours")),
            *((form, first_date, gettext("Special dates")) for form in self.dates.forms),
        ):
            items += [(fallback, fallback_label, str(error)) for error in form.non_field_errors()]
            items += [
                (field.id_for_label, field.label, str(error)) for field in form for error in field.errors
            ]
        items += [
            (first_date, gettext("Special dates"), str(error))
            for error in [*self.dates.non_form_errors(), *self.date_errors]
        ]
        return items


# --- Policies ---------------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    """A policy's settings, up to three escalation steps, and the targets per priority as hours:minutes."""

    name_nb = forms.CharField(
        label=capfirst(SlaPolicy._meta.get_field("name_nb").verbose_name), max_length=120
    )
    name_en = forms.CharField(
        label=capfirst(SlaPolicy._meta.get_field("name_en").verbose_name), max_length=120
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=BusinessCalendar.objects.none(),
        help_text=_("Targets count business time on this calendar, unless a priority has its own below."),
    )
    pausing_reasons = forms.MultipleChoiceField(
        label=_("Pending reasons that pause the resolution clock"),
        choices=PendingReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Waiting for the requester usually pauses it; waiting for a supplier usually does not, since "
            "that risk is the provider's."
        ),
    )
    warning_percent = forms.IntegerField(
        label=_("Warn at (percent of the target)"),
        min_value=1,
        max_value=100,
        help_text=_("Between 1 and 100; the ticket is shown as breaching soon from then on."),
    )

    def __init__(self, data=None, *, services=None, **kwargs):
        super().__init__(data, **kwargs)
        calendars = BusinessCalendar.objects.order_by("-is_default", "name_nb")
        self.fields["calendar"].queryset = calendars
        if services is not None:
            self.fields = {
                "service": forms.ModelChoiceField(
                    label=_("Service"),
                    queryset=services,
                    empty_label=gettext("Choose a service"),
                    help_text=_("Services that have no policy of their own."),
                ),
                **self.fields,
            }
        self.step_rows: list[int] = []
        for step in range(1, MAX_ESCALATIONS + 1):
            self.fields[f"step{step}_percent"] = forms.IntegerField(
                label=gettext("Step %(step)d: at percent of the target") % {"step": step},
                required=False,
                min_value=1,
                max_value=MAX_ESCALATION_PERCENT,
            )
            self.fields[f"step{step}_notify"] = forms.ChoiceField(
                label=gettext("Step %(step)d: notify") % {"step": step},
                required=False,
                choices=[("", gettext("No one (no step)")), *Notify.choices],
            )
        for priority, name in Priority.choices:
            for kind, label in TargetKind.choices:
                self.fields[f"p{priority}_{kind}"] = HoursMinutesField(label=f"{name}: {str(label).lower()}")
            self.fields[f"p{priority}_calendar"] = forms.ModelChoiceField(
                label=gettext("%(priority)s: calendar") % {"priority": name},
                queryset=calendars,
                required=False,
                empty_label=gettext("The policy's calendar"),
            )

    @classmethod
    def initial_for(cls, policy: SlaPolicy, targets) -> dict:
        initial = {
            "name_nb": policy.name_nb,
            "name_en": policy.name_en,
            "calendar": policy.calendar_id,
            "pausing_reasons": list(policy.pausing_reasons),
            "warning_percent": policy.warning_percent,
        }
        for step, item in enumerate(policy.escalations[:MAX_ESCALATIONS], start=1):
            initial[f"step{step}_percent"] = item.get("percent")
            initial[f"step{step}_notify"] = item.get("notify")
        for target in targets:
            initial[f"p{target.priority}_response"] = target.response_seconds
            initial[f"p{target.priority}_resolution"] = target.resolution_seconds
            initial[f"p{target.priority}_calendar"] = target.calendar_id
        return initial

    def clean(self):
        data = super().clean()
        steps, self.step_rows = [], []
        for step in range(1, MAX_ESCALATIONS + 1):
            percent_name, notify_name = f"step{step}_percent", f"step{step}_notify"
            if percent_name in self.errors or notify_name in self.errors:
                continue
            percent, notify = data.get(percent_name), data.get(notify_name)
            if percent is None and not notify:
                continue
            if percent is None:
                self.add_error(percent_name, gettext("Give the percent of the target for this step."))
            elif not notify:
                self.add_error(notify_name, gettext("Choose whom this step notifies."))
            else:
                steps.append({"percent": percent, "notify": notify})
                self.step_rows.append(step)
        data["escalations"] = steps
        return data

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        result = {
            name: data[name]
            for name in (
                "name_nb",
                "name_en",
                "calendar",
                "pausing_reasons",
                "warning_percent",
                "escalations",
            )
        }
        result["pausing_reasons"] = list(result["pausing_reasons"])
        result["targets"] = {
            priority: Target(
                response_seconds=data[f"p{priority}_response"],
                resolution_seconds=data[f"p{priority}_resolution"],
                calendar=data.get(f"p{priority}_calendar"),
            )
            for priority in Priority.values
        }
        if "service" in self.fields:
            result["service"] = data["service"]
        return result

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            for error in errors:
                params = getattr(error, "params", None) or {}
                field = None
                if key == "targets" and params.get("priority"):
                    field = f"p{params['priority']}_{params.get('kind', TargetKind.RESPONSE)}"
                elif key == "escalations" and params.get("step"):
                    index = params["step"] - 1
                    row = self.step_rows[index] if index < len(self.step_rows) else 1
                    field = f"step{row}_{'notify' if error.code == 'step_notify' else 'percent'}"
                elif key in self.fields:
                    field = key
                if field not in self.fields or key == NON_FIELD_ERRORS:
                    field = None
                self.add_error(field, error)

    def escalation_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (step, self[f"step{step}_percent"], self[f"step{step}_notify"])
            for step in range(1, MAX_ESCALATIONS + 1)
        ]

    def target_rows(self) -> list[dict]:
        return [
            {
                "priority": priority,
                "name": name,
                "response": self[f"p{priority}_response"],
                "resolution": self[f"p{priority}_resolution"],
                "calendar": self[f"p{priority}_calendar"],
                "default_response": hours_minutes(DEFAULT_TARGETS[priority][0]),
                "default_resolution": hours_minutes(DEFAULT_TARGETS[priority][1]),
            }
            for priority, name in Priority.choices
        ]


class ServiceHoursForm(FieldsetsMixin, forms.Form):
    fieldsets = ((None, ("calendar",)),)

    calendar = forms.ModelChoiceField(
        label=capfirst(Service._meta.get_field("support_calendar").verbose_name),
        queryset=BusinessCalendar.objects.none(),
        required=False,
        help_text=_("The agreed service hours: availability is measured in them."),
    )

    def __init__(self, data=None, *, service: Service, default: BusinessCalendar | None, **kwargs):
        kwargs.setdefault("initial", {"calendar": service.support_calendar_id})
        super().__init__(data, **kwargs)
        field = self.fields["calendar"]
        field.queryset = BusinessCalendar.objects.order_by("-is_default", "name_nb")
        field.empty_label = (
            gettext("The default calendar (%(name)s)") % {"name": default.name}
            if default is not None
            else gettext("The default calendar")
        )
