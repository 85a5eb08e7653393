from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import ApproverGroup, Asset, CatalogItem, OrderQuestion, Service, ServiceCategory
from catalog.services import ITEM_FIELDS, QUESTION_FIELDS, SERVICE_FIELDS, asset_states_after, item_problems
from people.models import OrgUnit, SupportGroup, User
from tickets.forms import AFFECT_CHOICES


class FieldsetsMixin:
    """Lay a form out for ``catalog/form_layout.html``: ``fieldsets`` lists (legend, field names) in
    order; a group whose legend is None stands outside any fieldset."""

    fieldsets: tuple[tuple[str | None, tuple[str, ...]], ...] = ()

    def grouped_fields(self) -> list[tuple[str | None, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


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


class ServiceForm(FieldsetsMixin, forms.ModelForm):
    """Create or edit a service; the service layer validates again and records the history."""

    fieldsets = (
        (
            _("Name and description"),
            ("code", "name_nb", "name_en", "description_nb", "description_en", "category"),
        ),
        (_("Responsibility"), ("owner", "support_group")),
        (
            _("Targets and state"),
            ("criticality", "state", "availability_target", "support_calendar", "in_public_report"),
        ),
        (None, ("depends_on",)),
    )

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


# --- The employees' catalogue ------------------------------------------------------------------------


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search the catalogue"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.code, c.name) for c in ServiceCategory.objects.order_by("sort_order", "name_nb")
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *CatalogItem.Kind.choices]


# --- Catalogue administration ------------------------------------------------------------------------


class OrgUnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        names, unit = [], obj
        while unit is not None:
            names.append(unit.name)
            unit = unit.parent
        return " › ".join(reversed(names))


class CountWithShownInput(forms.NumberInput):
    """A number input followed by a hidden input (``companion``) that carries the count the form showed.

    The administration layout renders only the fieldsets' fields, so the count it showed travels with
    the count field itself rather than as a field of its own in the layout.
    """

    companion: forms.BoundField | None = None

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if self.companion is None:
            return html
        return html + self.companion.as_hidden()


class CatalogItemForm(FieldsetsMixin, forms.ModelForm):
    """Create or edit a catalogue item; the service layer checks the approval rules again.

    When editing, the form carries the units in stock it showed (``stock_count_shown``), so the service
    applies the administrator's change as a difference and keeps the picks made while the form was open.
    """

    fieldsets = (
        (
            _("Name and description"),
            (
                "code",
                "service",
                "kind",
                "name_nb",
                "name_en",
                "summary_nb",
                "summary_en",
                "description_nb",
                "description_en",
            ),
        ),
        (
            _("Price and delivery"),
            ("price", "lead_time_days", "max_quantity", "warranty_months", "fulfilment_group"),
        ),
        (_("Stock"), ("stocked", "stock_count", "reorder_level")),
        (_("Approval"), ("approval_policy", "approval_threshold", "approver_group")),
        (_("Who can order it"), ("visible_to_org_units", "visible_to_roles")),
        (_("State"), ("state", "sort_order")),
    )

    visible_to_org_units = OrgUnitChoiceField(
        label=_("Only for these organisation units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Units below a chosen unit are included. Choose none for everyone."),
    )
    visible_to_roles = forms.MultipleChoiceField(
        label=_("Only for these roles"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none for every role."),
    )
    stock_count_shown = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = CatalogItem
        fields = [f for f in ITEM_FIELDS if f != "visible_to_roles"]
        widgets = {
            "description_nb": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "stock_count": CountWithShownInput,
        }
        help_texts = {
            "description_nb": _("You can use Markdown."),
            "description_en": _("You can use Markdown."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from people.roles import ROLES

        self.fields["service"].queryset = Service.objects.exclude(state=Service.State.RETIRED).order_by(
            "name_nb"
        )
        self.fields["approver_group"].queryset = ApproverGroup.objects.order_by("name_nb")
        self.fields["fulfilment_group"].queryset = SupportGroup.objects.order_by("name_nb")
        self.fields["visible_to_org_units"].queryset = OrgUnit.objects.select_related(
            "parent__parent"
        ).order_by("path")
        self.fields["visible_to_roles"].choices = [(role.code, role.label) for role in ROLES]
        for name in ("price", "approval_threshold"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
        if self.instance.pk:
            self.fields["visible_to_org_units"].initial = list(
                self.instance.visible_to_org_units.values_list("pk", flat=True)
            )
            self.fields["visible_to_roles"].initial = list(self.instance.visible_to_roles or [])
            # Addresses, orders and integrations use the code; changing it would break them.
            self.fields["code"].disabled = True
            self.fields["stock_count_shown"].initial = self.instance.stock_count
            self.fields["stock_count"].widget.companion = self["stock_count_shown"]
        else:
            del self.fields["stock_count_shown"]

    def clean(self):
        cleaned = super().clean()
        # Report the approval rules together with the other errors, not only after they are fixed.
        draft = CatalogItem(
            approval_policy=cleaned.get("approval_policy") or "",
            approval_threshold=cleaned.get("approval_threshold"),
            approver_group=cleaned.get("approver_group"),
            visible_to_roles=list(cleaned.get("visible_to_roles") or []),
        )
        for field, messages in item_problems(draft).items():
            if field not in self.errors:
                self.add_error(field, messages)
        return cleaned


class ChoicesField(forms.CharField):
    """Options written one per line as "value | label (Bokmål) | label (English)"."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                " | ".join(str(o.get(k, "")) for k in ("value", "label_nb", "label_en")) for o in value
            )
        return value

    def to_python(self, value) -> list[dict]:
        text = super().to_python(value)
        options, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3 or not parts[0]:
                errors.append(
                    _("Line %(number)s: write “value | label (Bokmål) | label (English)”.")
                    % {"number": number}
                )
                continue
            value_, label_nb, label_en = [*parts, "", ""][:3]
            label_nb = label_nb or value_
            options.append({"value": value_, "label_nb": label_nb, "label_en": label_en or label_nb})
        if errors:
            raise ValidationError(errors)
        return options


class OrderQuestionForm(FieldsetsMixin, forms.ModelForm):
    fieldsets = (
        (
            _("The question"),
            ("label_nb", "label_en", "help_nb", "help_en", "key", "type", "required", "position"),
        ),
        (_("Answers allowed"), ("min_value", "max_value", "choices")),
    )

    choices = ChoicesField(
        label=_("Options"),
        required=False,
        help_text=_(
            "Only for choices: one option per line, as “value | label (Bokmål) | label (English)”, "
            "e.g. “a4 | A4-ark | A4 sheets”."
        ),
    )

    class Meta:
        model = OrderQuestion
        fields = list(QUESTION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_value", "max_value"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})
            self.fields[name].help_text = _("Only for numbers.")
        if self.instance.pk:
            self.fields["choices"].initial = self.instance.choices


# --- Assets ------------------------------------------------------------------------------------------


class AssetSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Asset tag, serial number, the holder's name or the item."),
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Asset.State.choices]


class AssetStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("For example what was repaired or where it was handed in."),
    )

    def __init__(self, *args, asset: Asset, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Asset.State.choices)
        self.fields["state"].choices = [(s, labels[s]) for s in asset_states_after(asset.state)]


class ReportBrokenForm(forms.Form):
    description = forms.CharField(
        label=_("What is wrong?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("What happens, and since when? We add the asset tag for you."),
    )
    affects = forms.ChoiceField(
        label=_("How does it affect your work?"),
        choices=AFFECT_CHOICES,
        widget=forms.RadioSelect,
        initial=AFFECT_CHOICES[1][0],
    )


class ItemAdminFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *CatalogItem.State.choices]
    )
