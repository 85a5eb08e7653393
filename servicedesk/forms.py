"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError


def add_validation_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Add a domain function's ValidationError to the form: to the field it names when the form has that
    field, otherwise to the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
