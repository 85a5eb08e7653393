from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Service
from incidents.models import Outage


class OutageForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.exclude(state="retired"))
    severity = forms.ChoiceField(label=_("Severity"), choices=Outage.Severity.choices)
    start = forms.DateTimeField(
        label=_("From"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Oslo time."),
    )
    end = forms.DateTimeField(
        label=_("To"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty while the outage lasts."),
    )


class OutageEndForm(forms.Form):
    end = forms.DateTimeField(label=_("Ended"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
