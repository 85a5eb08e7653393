"""Forms of the change manager's settings pages; changes/services_settings.py validates again and saves."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.forms import FieldsetsMixin
from catalog.models import Service
from changes.models import (
    ChangeKind,
    ChangeType,
    FreezeWindow,
    MaintenanceWindow,
    Risk,
    StandardChangeTemplate,
)
from changes.services_settings import (
    FREEZE_FIELDS,
    MAINTENANCE_FIELDS,
    MAX_CAB_QUORUM,
    TEMPLATE_FIELDS,
    TYPE_FIELDS,
)
from people.models import SupportGroup

END_AFTER_START = _("The end must be after the start.")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed into a datetime-local input, read and shown in the project's time zone
    (Europe/Oslo) whatever time zone is active; times that do not exist or occur twice there on the
    days the clocks change are refused by Django's parsing."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Oslo time."))
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(timezone.get_default_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(timezone.get_default_timezone()):
            return super().prepare_value(value)


class ServicesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _services_to_choose(selected: list[int]):
    """Live services, and those already chosen even if no longer live (so saving does not drop them)."""
    return Service.objects.filter(Q(state=Service.State.LIVE) | Q(pk__in=selected)).order_by("name_nb")


def _selected_services(instance) -> list[int]:
    if instance.pk is None:
        return []
    return list(instance.services.values_list("pk", flat=True))


# --- Change types ---------------------------------------------------------------------------------

APPROVAL_FIELDS = ("approval_rule", "cab_from_risk", "cab_quorum")


class ChangeTypeForm(FieldsetsMixin, forms.ModelForm):
    """Edit one change type's names and approval settings; the kind itself is fixed."""

    class Meta:
        model = ChangeType
        fields = list(TYPE_FIELDS)
        widgets = {
            "description_nb": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "approval_rule": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        approval: tuple[str, ...] = ("needs_approval", *APPROVAL_FIELDS)
        if self.instance.kind == ChangeKind.STANDARD:
            # Standard changes are approved once, with their template: approval cannot be turned on, and the
            # other approval settings would have no effect, so the form leaves them out (the page says why).
            for name in approval:
                del self.fields[name]
            approval = ()
        else:
            self.fields["needs_approval"].help_text = _(
                "Whether the change manager, and from the risk below the CAB, must approve a change before "
                "it can be scheduled."
            )
            self.fields["cab_from_risk"].choices = [("", _("Never")), *Risk.choices]
            quorum = self.fields["cab_quorum"]
            quorum.max_value = MAX_CAB_QUORUM
            quorum.validators.append(MaxValueValidator(MAX_CAB_QUORUM))
            quorum.widget.attrs.update({"min": 0, "max": MAX_CAB_QUORUM})
        self.fieldsets = (
            (_("Name and description"), ("name_nb", "name_en", "description_nb", "description_en")),
            *([(_("Approval"), approval)] if approval else []),
            (_("Closing"), ("needs_review",)),
        )


# --- Standard change templates --------------------------------------------------------------------


class StandardChangeTemplateForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (
        (_("Name and description"), ("code", "name_nb", "name_en", "description")),
        (_("Where and who"), ("services", "implementer_group")),
        (
            _("Plans"),
            (
                "implementation_plan",
                "backout_plan",
                "test_plan",
                "tasks",
                "duration_minutes",
                "causes_downtime",
            ),
        ),
    )

    services = ServicesField(
        label=_("Affected services"),
        queryset=Service.objects.none(),
        required=False,
        help_text=_("The services a change made from this template usually affects."),
    )

    class Meta:
        model = StandardChangeTemplate
        fields = [*TEMPLATE_FIELDS, "services"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "implementation_plan": forms.Textarea(attrs={"rows": 5}),
            "backout_plan": forms.Textarea(attrs={"rows": 4}),
            "test_plan": forms.Textarea(attrs={"rows": 3}),
            "tasks": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {"code": {"unique": _("Another template already has this code.")}}
        help_texts = {
            "code": _(
                "Lower-case letters, digits and hyphens; used in addresses and cannot be changed later."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = _services_to_choose(_selected_services(self.instance))
        self.fields["implementer_group"].queryset = SupportGroup.objects.order_by("name_nb")
        duration = self.fields["duration_minutes"]
        duration.min_value = 1
        duration.validators.append(MinValueValidator(1))
        duration.widget.attrs.update({"min": 1})
        if self.instance.pk:
            # The standard catalogue's addresses use the code; changing it would break links to it. The page
            # shows it as text.
            del self.fields["code"]
            self.fieldsets = (
                (self.fieldsets[0][0], tuple(n for n in self.fieldsets[0][1] if n != "code")),
                *self.fieldsets[1:],
            )


class TemplateActiveForm(forms.Form):
    """Retire a template or bring it back into use: the state wanted, so a repeated post changes nothing."""

    is_active = forms.TypedChoiceField(
        choices=[("true", _("In use")), ("false", _("Retired"))], coerce=lambda value: value == "true"
    )


# --- Freeze and maintenance windows ---------------------------------------------------------------


class FreezeWindowForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (
        (_("Name"), ("name_nb", "name_en", "reason")),
        (_("When"), ("start", "end")),
        (None, ("services",)),
    )

    start = LocalDateTimeField(label=_("Start"))
    end = LocalDateTimeField(label=_("End"))
    services = ServicesField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        help_text=_("Leave empty to freeze every service."),
    )

    class Meta:
        model = FreezeWindow
        fields = [*FREEZE_FIELDS, "services"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = _services_to_choose(_selected_services(self.instance))

    def clean(self):
        # An error on the end field here also keeps the model's constraint from adding its own, nameless one.
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", END_AFTER_START)
        return data


class MaintenanceWindowForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = ((None, ("service", "planned_start", "planned_end", "description")),)

    planned_start = LocalDateTimeField(label=_("Start"))
    planned_end = LocalDateTimeField(label=_("End"))

    class Meta:
        model = MaintenanceWindow
        fields = list(MAINTENANCE_FIELDS)
        help_texts = {"description": _("For example who announced it and what they will do.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(state=Service.State.LIVE).order_by("name_nb")

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end <= start:
            self.add_error("planned_end", END_AFTER_START)
        return data
