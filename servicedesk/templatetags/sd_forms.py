"""Render form fields the Designsystemet way, with labels, help and errors wired up for screen readers."""

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


@register.filter
def described_by(field: BoundField) -> str:
    """Return the ids of the field's help text and error messages, for aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    for index, _error in enumerate(field.errors, start=1):
        ids.append(f"{field.auto_id}-error" + ("" if index == 1 else f"-{index}"))
    return " ".join(ids)


@register.filter
def with_attrs(field: BoundField, describedby: str = ""):
    """Render the widget with Designsystemet's classes and the accessibility attributes."""
    widget = field.field.widget
    attrs = {}
    if isinstance(widget, forms.CheckboxInput):
        attrs["class"] = "ds-input"
        attrs["type"] = "checkbox"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        attrs["class"] = "ds-input sd-select"
    else:
        attrs["class"] = "ds-input"
    if describedby:
        attrs["aria-describedby"] = describedby
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(widget, forms.CheckboxInput):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def choice_input(choice) -> str:
    """Render one radio button or checkbox of a multiple-choice field with Designsystemet's class."""
    choice.data["attrs"] = {**choice.data.get("attrs", {}), "class": "ds-input"}
    return choice.tag()
