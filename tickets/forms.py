"""Forms for reporting, replying to and working on tickets. They parse input; the services decide."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Service
from people.models import SupportGroup, User
from tickets.attachments import ALLOWED_DESCRIPTION, check_upload
from tickets.models import Category, Impact, PendingReason, Priority, ResolutionCode, Status, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _attachment_help() -> str:
    # Read when the form is rendered, so the limit always follows the setting.
    return gettext("Screenshots, logs or documents: %(types)s. At most %(limit)s each.") % {
        "types": ALLOWED_DESCRIPTION,
        "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }


class AttachmentsField(forms.FileField):
    """Several files at once, each checked by content and size."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("help_text", lazy(_attachment_help, str)())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_upload(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


# How the problem affects the reporter, in their words, mapped to urgency.
AFFECT_CHOICES = [
    (str(Urgency.HIGH.value), _("I cannot work at all")),
    (str(Urgency.MEDIUM.value), _("I can work, but it is hard")),
    (str(Urgency.LOW.value), _("It is a nuisance, but I can work")),
]


class ReportIncidentForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Which service is it about?"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("I don't know"),
        help_text=_("Choose “I don't know” if you are unsure; we will find out."),
    )
    title = forms.CharField(label=_("What is wrong, in a few words?"), max_length=200)
    description = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_("What did you try to do, what happened, and since when? You can use Markdown."),
    )
    affects = forms.ChoiceField(
        label=_("How does it affect your work?"),
        choices=AFFECT_CHOICES,
        widget=forms.RadioSelect,
        initial=str(Urgency.MEDIUM.value),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services if services is not None else Service.objects.none()


class OnBehalfForm(ReportIncidentForm):
    """An agent registers a ticket while talking to the caller."""

    requester = forms.ModelChoiceField(label=_("Caller"), queryset=User.objects.filter(is_active=True))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            ("phone", _("Phone")),
            ("walk_in", _("Walk-in")),
            ("chat", _("Chat")),
            ("email", _("Email")),
        ],
        initial="phone",
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.LOW)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)

    field_order = ["requester", "channel", "service", "title", "description", "affects", "impact", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affects"].label = _("Urgency: how does it affect the caller's work?")
        self.fields["requester"].widget = forms.TextInput(
            attrs={"list": "people-list", "autocomplete": "off"}
        )
        self.fields["requester"].help_text = _("Username of the caller; start typing a name to search.")
        self.fields["requester"].to_field_name = "username"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000
    )
    internal = forms.BooleanField(label=_("Internal note (not shown to the requester)"), required=False)
    attachments = AttachmentsField()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    pending_reason = forms.ChoiceField(
        label=_("Waiting for"), choices=[("", "–"), *PendingReason.choices], required=False
    )
    resolution_code = forms.ChoiceField(
        label=_("Resolution code"), choices=[("", "–"), *ResolutionCode.choices], required=False
    )
    resolution_note = forms.CharField(
        label=_("Resolution, for the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TicketFieldsForm(forms.Form):
    """The fields an agent edits inline on the ticket page."""

    title = forms.CharField(label=_("Title"), max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("Unknown")
    )
    support_group = forms.ModelChoiceField(label=_("Support group"), queryset=SupportGroup.objects.none())
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    priority_reason = forms.CharField(
        label=_("Reason for a priority set by hand"), required=False, max_length=500
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, services=None, groups=None, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services if services is not None else Service.objects.none()
        self.fields["support_group"].queryset = groups if groups is not None else SupportGroup.objects.none()
        self.fields["assignee"].queryset = agents if agents is not None else User.objects.none()


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how your case was handled?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – neither")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still not working?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LinkForm(forms.Form):
    LINK_CHOICES = [
        ("related", _("Related to")),
        ("duplicate", _("Duplicate of (merge into)")),
        ("parent", _("Child of (major incident)")),
        ("caused_by", _("Caused by change")),
    ]
    type = forms.ChoiceField(label=_("Link type"), choices=LINK_CHOICES)
    target = forms.CharField(
        label=_("Other ticket's number"), max_length=20, help_text=_("For example INC-2026-000123.")
    )


class EscalateForm(forms.Form):
    support_group = forms.ModelChoiceField(label=_("Escalate to group"), queryset=SupportGroup.objects.all())
    note = forms.CharField(
        label=_("Note for the group"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("Assign to")), ("group", _("Move to group")), ("status", _("Change status"))]
    tickets = forms.ModelMultipleChoiceField(label=_("Tickets"), queryset=None, to_field_name="number")
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    support_group = forms.ModelChoiceField(
        label=_("Group"), queryset=SupportGroup.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", "–"),
            (Status.IN_PROGRESS, Status.IN_PROGRESS.label),
            (Status.CANCELLED, Status.CANCELLED.label),
        ],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, tickets=None, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].queryset = tickets
        self.fields["assignee"].queryset = agents if agents is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose who to assign the tickets to."))
        if action == "group" and not data.get("support_group"):
            self.add_error("support_group", _("Choose a group."))
        if action == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        return data


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of the filter"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, max_length=1000, required=False)
