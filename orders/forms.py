"""Forms of the order pages: they parse and check the input's shape; the rules live in orders/services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogItem
from catalog.questions import PersonField, PersonLookupWidget
from orders.models import Approval


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=32767,
        error_messages={
            "required": _("Give the quantity."),
            "invalid": _("Give the quantity as a whole number."),
            "min_value": _("Order at least 1."),
        },
    )


class RecipientLookupWidget(PersonLookupWidget):
    """The catalogue's colleague lookup, asking this app's lookup view (orders:colleagues) for matches."""

    lookup_url_name = "orders:colleagues"
    lookup_names_field = False


class CheckoutForm(forms.Form):
    FOR_ME, FOR_COLLEAGUE = "me", "colleague"

    for_whom = forms.ChoiceField(
        label=_("Who is it for?"),
        choices=[(FOR_ME, _("Me")), (FOR_COLLEAGUE, _("A colleague"))],
        widget=forms.RadioSelect,
        initial=FOR_ME,
    )
    recipient = PersonField(
        label=_("Colleague"),
        required=False,
        widget=RecipientLookupWidget,
        help_text=_("Only when you order for a colleague."),
    )
    delivery_location = forms.CharField(
        label=_("Delivery location"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to have it delivered to the office of the person it is for."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when something in the cart must be approved: your approver reads it."),
    )

    def __init__(self, *args, office: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if office:
            self.fields["delivery_location"].help_text = _(
                "Leave empty to have it delivered to the office of the person it is for (yours: %(office)s)."
            ) % {"office": office}

    def clean(self):
        data = super().clean()
        if data.get("for_whom") == self.FOR_ME:
            # A name left in the search box does not matter when it is for oneself.
            self._errors.pop("recipient", None)
            data["recipient"] = None
        elif (
            data.get("for_whom") == self.FOR_COLLEAGUE
            and not data.get("recipient")
            and "recipient" not in self.errors
        ):
            self.add_error("recipient", _("Search for the colleague and choose them from the list."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Approval.Decision.APPROVED, _("Approve")), (Approval.Decision.REJECTED, _("Reject"))],
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject: the orderer reads it."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class DeliverForm(forms.Form):
    """One asset tag, serial number and warranty end per unit of equipment; nothing for other kinds."""

    def __init__(self, *args, item: CatalogItem, quantity: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = []
        if item.kind != CatalogItem.Kind.EQUIPMENT:
            return
        for index in range(quantity):
            number = {"n": index + 1}
            self.fields[f"asset_tag_{index}"] = forms.CharField(
                label=_("Asset tag, unit %(n)d") % number, max_length=40
            )
            self.fields[f"serial_number_{index}"] = forms.CharField(
                label=_("Serial number, unit %(n)d") % number, max_length=80, required=False
            )
            self.fields[f"warranty_end_{index}"] = forms.DateField(
                label=_("Warranty ends, unit %(n)d") % number,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                help_text=_("Leave empty to count it from the item's warranty."),
            )
            self.units.append(index)

    def unit_fields(self):
        return [
            (
                index + 1,
                self[f"asset_tag_{index}"],
                self[f"serial_number_{index}"],
                self[f"warranty_end_{index}"],
            )
            for index in self.units
        ]

    def assets(self) -> list[dict]:
        return [
            {
                "asset_tag": self.cleaned_data[f"asset_tag_{index}"],
                "serial_number": self.cleaned_data[f"serial_number_{index}"],
                "warranty_end": self.cleaned_data[f"warranty_end_{index}"],
            }
            for index in self.units
        ]
