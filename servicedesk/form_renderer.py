"""The form renderer: Django's templates, except for the common widgets, whose HTML is built in Python.

A `<select>` renders every option through its own template include, and every input through two
includes; the queue's filter and bulk forms list the agents, groups and services (well over a hundred
options), which made widget templates a fifth of the queue page's time. The HTML produced here is the
same as Django's own widget templates produce (tests/servicedesk/test_form_renderer.py compares them).
"""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def render_select(widget: dict) -> SafeString:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'<option value="{escape(option["value"])}"{_attrs(option["attrs"]) if option["attrs"] else ""}>'
            f"{conditional_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped


def render_input(widget: dict) -> SafeString:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return mark_safe(  # noqa: S308 - name, value and attributes are escaped
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def render_textarea(widget: dict) -> SafeString:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return mark_safe(  # noqa: S308 - name, value and attributes are escaped
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


FAST_TEMPLATES = {
    "django/forms/widgets/select.html": render_select,
    "django/forms/widgets/textarea.html": render_textarea,
    **{
        f"django/forms/widgets/{name}.html": render_input
        for name in (
            *("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime"),
            *("time", "search", "tel", "checkbox"),
        )
    },
}


def select_html(field, attrs: dict) -> SafeString | None:
    """Render a bound field's plain `<select>` straight from its choices; None for any other widget.

    Before any template runs, Django's Select builds a dictionary per option (ChoiceWidget.optgroups and
    create_option), which for the queue's lists of agents, groups and services cost more than rendering
    them. This takes BoundField.as_widget's and Select.get_context's steps itself, for Select and
    SelectMultiple only (a subclass may change any step); tests/servicedesk/test_form_renderer.py holds
    the HTML equal to Django's templates.
    """
    widget = field.field.widget
    if type(widget) not in (forms.Select, forms.SelectMultiple) or not isinstance(
        field.form.renderer, FormRenderer
    ):
        return None
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    multiple = widget.allow_multiple_selected
    if multiple:
        attrs["multiple"] = True
    chosen = widget.format_value(field.value())
    has_selected = False
    parts = [f'<select name="{escape(field.html_name)}"{_attrs(attrs)}>']
    for value, label in widget.choices:
        grouped = isinstance(label, list | tuple)
        if grouped:
            parts.append(f'<optgroup label="{conditional_escape("" if value is None else value)}">')
        for option_value, option_label in label if grouped else ((value, label),):
            if option_value is None and not grouped:
                option_value = ""
            selected = (not has_selected or multiple) and str(option_value) in chosen
            has_selected |= selected
            parts.append(
                f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{conditional_escape(option_label)}</option>"
            )
        if grouped:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        fast = FAST_TEMPLATES.get(template_name)
        if fast is not None:
            return fast(context["widget"])
        return super().render(template_name, context, request=request)
