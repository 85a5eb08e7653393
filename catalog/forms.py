from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Service, ServiceCategory
from catalog.services import SERVICE_FIELDS
from people.models import SupportGroup, User


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, show_state: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.code, c.name) for c in ServiceCategory.objects.order_by("sort_order", "name_nb")
        ]
        self.fields["state"].choices = [("", _("All states")), *Service.State.choices]
        if not show_state:
            del self.fields["state"]


class ServiceForm(forms.ModelForm):
    """Create or edit a service; the service layer validates again and records the history."""

    depends_on = forms.ModelMultipleChoiceField(
        label=_("Depends on"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Services that must work for this one to work."),
    )

    class Meta:
        model = Service
        fields = list(SERVICE_FIELDS)  # exactly what catalog.services writes
        widgets = {
            "description_nb": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )
        self.fields["support_group"].queryset = SupportGroup.objects.order_by("name_nb")
        self.fields["category"].queryset = ServiceCategory.objects.order_by("sort_order", "name_nb")
        others = Service.objects.exclude(state=Service.State.RETIRED).order_by("name_nb")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["depends_on"].initial = list(self.instance.depends_on.values_list("pk", flat=True))
            # The code is used in addresses and integrations; changing it would break them.
            self.fields["code"].disabled = True
        self.fields["depends_on"].queryset = others
        self.fields["availability_target"].widget.attrs.update({"step": "0.001", "inputmode": "decimal"})
