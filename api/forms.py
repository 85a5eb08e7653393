"""Forms of the token pages: a personal token, and a token for a service account."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from api.models import Scope

DEFAULT_DAYS = 90
MAX_DAYS = 3650


class TokenForm(forms.Form):
    """Name, scopes and lifetime of a new token; the admin scope and "no expiry" only for administrators."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so that you recognise it later, e.g. “Reporting script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the token may do. It can never do more than its user may do in the web pages."),
        error_messages={"required": _("Choose at least one scope.")},
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        required=False,
        help_text=_("The token stops working after this many days."),
    )
    no_expiry = forms.BooleanField(
        label=_("No expiry"),
        required=False,
        help_text=_("Only for integrations that are monitored and whose tokens are rotated by hand."),
    )

    def __init__(self, *args, may_administer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_administer:
            self.fields["scopes"].choices = [c for c in Scope.choices if c[0] != Scope.ADMIN]
            del self.fields["no_expiry"]
            self.fields["days"].required = True

    def clean(self):
        cleaned = super().clean()
        if "days" in self.errors:
            return cleaned
        if cleaned.get("no_expiry"):
            cleaned["days"] = None
        elif cleaned.get("days") is None:
            self.add_error("days", _("Give the number of days the token is valid."))
        return cleaned


def service_accounts():
    return get_user_model().objects.filter(is_service_account=True, is_active=True).order_by("username")


class ServiceTokenForm(TokenForm):
    """A token for a service account, created by an administrator."""

    account = forms.ModelChoiceField(
        label=_("Service account"),
        queryset=service_accounts(),
        to_field_name="username",
        empty_label=_("Choose a service account"),
    )
    field_order = ["account", "name", "scopes", "days", "no_expiry"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "service")
        super().__init__(*args, may_administer=True, **kwargs)
        self.fields["account"].queryset = service_accounts()
