"""The forms of the review pages: publish a draft with its commentary, correct a published month."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    """The commentary published with the month; both languages optional (the figures speak for themselves)."""

    commentary_nb = forms.CharField(
        label=_("Commentary in Bokmål"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on the public page and in the PDF."),
    )
    commentary_en = forms.CharField(
        label=_("Commentary in English"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown on the English page; without it, the Bokmål commentary is shown."),
    )


class CorrectForm(forms.Form):
    """The reason for a correction, published with the new revision."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published in the revision history. The figures are computed again."),
    )
