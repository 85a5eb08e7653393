"""Forms for raising, planning, moving and voting on changes. They parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Service
from changes.models import Change, ChangeApproval, ChangeKind
from changes.risk import QUESTIONS
from people import roles
from people.models import SupportGroup, User
from tickets.models import Impact

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    """A datetime-local input; values are Oslo time (the active time zone), stored as UTC."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)

    def format_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


OSLO_TIME = _("Oslo time.")


def local_datetime_field(label, *, required=True, help_text=OSLO_TIME) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=LocalDateTimeInput(), help_text=help_text
    )


def _people_who_change():
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[roles.AGENT, roles.GROUP_LEAD, roles.CHANGE_MANAGER]
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


def _risk_field(question) -> forms.ChoiceField:
    choices = [
        (value, _("%(answer)s (%(points)s points)") % {"answer": label, "points": points})
        for value, label, points in question.choices
    ]
    return forms.ChoiceField(label=question.text, choices=choices, widget=forms.RadioSelect)


class ChangeForm(forms.Form):
    """The request for change: what, why, where, when, how, how back, and the risk questionnaire."""

    kind = forms.ChoiceField(
        label=_("Type of change"),
        choices=[
            (ChangeKind.NORMAL, ChangeKind.NORMAL.label),
            (ChangeKind.EMERGENCY, ChangeKind.EMERGENCY.label),
        ],
        widget=forms.RadioSelect,
        initial=ChangeKind.NORMAL,
        help_text=_("Standard changes are made from a template, without approval."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What will be changed"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Markdown.")
    )
    reason = forms.CharField(label=_("Reason and benefit"), widget=forms.Textarea(attrs={"rows": 3}))
    services = forms.ModelMultipleChoiceField(
        label=_("Affected services"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Services that depend on these are affected too; they are checked for conflicts."),
    )
    support_group = forms.ModelChoiceField(label=_("Implementer group"), queryset=SupportGroup.objects.none())
    owner = forms.ModelChoiceField(label=_("Change owner"), queryset=User.objects.none())
    impact = forms.TypedChoiceField(
        label=pgettext_lazy("change", "Impact"), choices=Impact.choices, coerce=int, initial=Impact.MEDIUM
    )
    planned_start = local_datetime_field(_("Planned start"))
    planned_end = local_datetime_field(_("Planned end"))
    causes_downtime = forms.BooleanField(
        label=_("The change causes downtime"),
        required=False,
        help_text=_("The planned window becomes a maintenance window of each affected service."),
    )
    implementation_plan = forms.CharField(
        label=_("Implementation plan"), widget=forms.Textarea(attrs={"rows": 4})
    )
    backout_plan = forms.CharField(label=_("Back-out plan"), widget=forms.Textarea(attrs={"rows": 3}))
    test_plan = forms.CharField(
        label=_("Test plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, editing: Change | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        live = Service.objects.filter(state=Service.State.LIVE).only("pk", "code", "name_nb", "name_en")
        if editing is not None:
            # A service that has been retired since stays choosable on the change that names it.
            live = Service.objects.filter(Q(state=Service.State.LIVE) | Q(changes=editing)).distinct()
            del self.fields["kind"]
        self.fields["services"].queryset = live.order_by("name_nb")
        self.fields["support_group"].queryset = SupportGroup.objects.order_by("name_nb")
        self.fields["owner"].queryset = _people_who_change()
        for question in QUESTIONS:
            self.fields[f"risk_{question.code}"] = _risk_field(question)

    @property
    def risk_fields(self):
        return [self[f"risk_{question.code}"] for question in QUESTIONS]

    def risk_answers(self) -> dict[str, str]:
        return {question.code: self.cleaned_data.get(f"risk_{question.code}", "") for question in QUESTIONS}

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", _("The planned end must be after the planned start."))
        return data

    @classmethod
    def initial_for(cls, change: Change) -> dict:
        initial = {
            "title": change.ticket.title,
            "description": change.ticket.description,
            "reason": change.reason,
            "services": list(change.services.all()),
            "support_group": change.ticket.support_group,
            "owner": change.owner,
            "impact": change.ticket.impact,
            "planned_start": change.planned_start,
            "planned_end": change.planned_end,
            "causes_downtime": change.causes_downtime,
            "implementation_plan": change.implementation_plan,
            "backout_plan": change.backout_plan,
            "test_plan": change.test_plan,
        }
        for code, value in change.risk_answers.items():
            initial[f"risk_{code}"] = value
        return initial


class TemplateChangeForm(forms.Form):
    """A standard change from its template: only when (and, if you like, a title of its own)."""

    planned_start = local_datetime_field(_("Planned start"))
    planned_end = local_datetime_field(
        _("Planned end"),
        required=False,
        help_text=_("Oslo time. Leave empty for the template's usual duration."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty for the template's name.")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", _("The planned end must be after the planned start."))
        return data


class MoveForm(forms.Form):
    """One move of a change; which of the fields count depends on the move (the guards say)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Choose…")), *Change.Outcome.choices], required=False
    )
    review_note = forms.CharField(
        label=_("Review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What happened, what went well or badly, and what we learnt."),
    )
    override_reason = forms.CharField(
        label=_("Reason for overriding the conflicts"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    actual_start = local_datetime_field(_("Started"), required=False, help_text=_("Oslo time. Empty: now."))
    actual_end = local_datetime_field(_("Finished"), required=False, help_text=_("Oslo time. Empty: now."))

    def __init__(self, *args, prefix_to: str = "", **kwargs):
        # One form per move on the page: the prefix keeps their fields apart; the move itself is "to".
        if prefix_to:
            kwargs.setdefault("prefix", f"move-{prefix_to}")
        self.to = prefix_to
        super().__init__(*args, **kwargs)


class VoteForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (ChangeApproval.Decision.APPROVED, ChangeApproval.Decision.APPROVED.label),
            (ChangeApproval.Decision.REJECTED, ChangeApproval.Decision.REJECTED.label),
            (ChangeApproval.Decision.INFO, ChangeApproval.Decision.INFO.label),
        ]
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you reject or ask for information."),
    )


class ChangeFilterForm(forms.Form):
    STATE_GROUPS = [
        ("open", _("Open")),
        ("awaiting", _("Awaiting approval")),
        ("upcoming", _("Scheduled")),
        ("finished", _("Finished")),
        ("all", _("All")),
    ]
    show = forms.ChoiceField(label=_("Show"), choices=STATE_GROUPS, required=False)
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *ChangeKind.choices], required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("All services")
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.only("pk", "code", "name_nb", "name_en").order_by(
            "name_nb"
        )


class CabPeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data
