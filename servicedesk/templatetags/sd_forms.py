"""Render form fields the Designsystemet way, with labels, help and errors wired up for screen readers."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from servicedesk.form_renderer import select_html

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
    return select_html(field, attrs) or field.as_widget(attrs=attrs)


@register.filter
def choice_input(choice) -> str:
    """Render one radio button or checkbox of a multiple-choice field with Designsystemet's class."""
    choice.data["attrs"] = {**choice.data.get("attrs", {}), "class": "ds-input"}
    return choice.tag()


@register.simple_tag
def field_html(field: BoundField) -> SafeString:
    """Render one field as partials/field_template.html does, in Python for all but multiple choices.

    A page such as the ticket page has some twenty fields; a template per field was a tenth of its time.
    """
    if is_multi_checkbox(field):
        return render_to_string("partials/field_template.html", {"field": field})
    widget = with_attrs(field, described_by(field))
    label = conditional_escape(field.label)
    target = conditional_escape(field.id_for_label or "")
    if is_checkbox(field):
        parts = [
            f'<div class="sd-check">{widget}'
            f'<label class="ds-label" for="{target}" data-weight="regular">{label}</label></div>'
        ]
    else:
        optional = (
            ""
            if field.field.required
            else f' <span class="sd-optional">({escape(gettext("optional"))})</span>'
        )
        parts = [f'<label class="ds-label" for="{target}">{label}{optional}</label>{widget}']
    auto_id = escape(field.auto_id)
    if field.help_text:
        parts.append(
            f'<p class="ds-paragraph sd-help" data-size="sm" id="{auto_id}-help">'
            f"{conditional_escape(field.help_text)}</p>"
        )
    for index, error in enumerate(field.errors, start=1):
        suffix = "" if index == 1 else f"-{index}"
        parts.append(
            f'<p class="ds-validation-message" data-color="danger" id="{auto_id}-error{suffix}">'
            f"{conditional_escape(error)}</p>"
        )
    return mark_safe(f'<div class="ds-field sd-field">{"".join(parts)}</div>')  # noqa: S308 - parts are escaped
