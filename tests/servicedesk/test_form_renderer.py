"""The Python-built widgets give the same HTML, to the attribute, as Django's own widget templates."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from servicedesk.form_renderer import FAST_TEMPLATES, FormRenderer, select_html


class _Structure(HTMLParser):
    """Tags with their attributes as a set (attribute order is not meaningful), and the text between."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(data.strip())


def _structure(html: str) -> list:
    parser = _Structure()
    parser.feed(html)
    return parser.items


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="help")
    number = forms.IntegerField(min_value=1, max_value=9)
    decimal = forms.DecimalField(required=False)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    agree = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)
    one = forms.ChoiceField(
        choices=[("", "–"), ("a", "A & <b>"), ("Group", [("g1", "G1"), ("g2", mark_safe("<em>G2</em>"))])],
        required=False,
    )
    several = forms.MultipleChoiceField(
        choices=[("1", "one"), ("2", "two"), ("3", "three")], widget=forms.SelectMultiple(attrs={"size": 3})
    )
    maybe = forms.NullBooleanField()


BOUND = {
    "text": 'He said "<hi>" & left',
    "number": "3",
    "decimal": "1.50",
    "date": "2026-12-01",
    "email": "a@example.no",
    "url": "https://example.no/?a=1&b='2'",
    "hidden": "q=1&x=<y>",
    "secret": "s3cr3t",
    "agree": "on",
    "note": "line one\n<script>alert(1)</script>",
    "one": "g2",
    "several": ["1", "3"],
    "maybe": "true",
}


@pytest.mark.parametrize("data", [BOUND, None], ids=["bound", "unbound"])
@pytest.mark.parametrize("name", list(EveryWidget.base_fields))
def test_fast_widget_html_equals_django_templates(name, data):
    ours = EveryWidget(data, renderer=FormRenderer())[name]
    django = EveryWidget(data, renderer=DjangoTemplates())[name]
    extra = {"class": "ds-input", "aria-describedby": 'help"x', "aria-invalid": "true", "disabled": False}
    assert _structure(str(ours.as_widget(attrs=extra))) == _structure(str(django.as_widget(attrs=extra)))


SELECT_ATTRS = [
    {},
    {
        "class": "ds-input sd-select",
        "aria-describedby": 'help"x',
        "aria-invalid": "true",
        "aria-required": "true",
    },
]


@pytest.mark.parametrize("attrs", SELECT_ATTRS, ids=["plain", "with attributes"])
@pytest.mark.parametrize("data", [BOUND, None], ids=["bound", "unbound"])
@pytest.mark.parametrize("name", ["one", "several"])
def test_a_select_built_from_its_choices_equals_django_templates(name, data, attrs):
    ours = select_html(EveryWidget(data, renderer=FormRenderer())[name], attrs)
    django = EveryWidget(data, renderer=DjangoTemplates())[name].as_widget(attrs=attrs)
    assert ours is not None
    assert _structure(str(ours)) == _structure(str(django))
    assert str(ours).count(" selected") == str(django).count(" selected")


def test_a_select_of_other_widgets_or_renderers_is_left_to_django():
    form = EveryWidget(BOUND, renderer=FormRenderer())
    assert select_html(form["maybe"], {}) is None  # NullBooleanSelect: a subclass of Select
    assert select_html(form["text"], {}) is None
    assert select_html(EveryWidget(BOUND, renderer=DjangoTemplates())["one"], {}) is None


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [None, 1], ids=["none chosen", "one chosen"])
def test_a_model_choice_select_equals_django_templates(chosen):
    from people.models import SupportGroup
    from tests.factories import SupportGroupFactory

    groups = [SupportGroupFactory(name_nb=f"Gruppe {i} <&>", name_en=f"Group {i} <&>") for i in range(3)]

    class GroupForm(forms.Form):
        group = forms.ModelChoiceField(queryset=SupportGroup.objects.order_by("pk"), empty_label="Alle")
        groups = forms.ModelMultipleChoiceField(queryset=SupportGroup.objects.order_by("pk"), required=False)

    data = None if chosen is None else {"group": str(groups[chosen].pk), "groups": [str(groups[chosen].pk)]}
    for name in ("group", "groups"):
        ours = select_html(GroupForm(data, renderer=FormRenderer())[name], {"class": "ds-input sd-select"})
        django = GroupForm(data, renderer=DjangoTemplates())[name].as_widget(
            attrs={"class": "ds-input sd-select"}
        )
        assert _structure(str(ours)) == _structure(str(django))
        assert "&lt;&amp;&gt;" in str(ours)
        assert str(ours).count(" selected") == str(django).count(" selected")
        if chosen is not None:
            assert f'value="{groups[chosen].pk}" selected' in str(ours)


def test_user_text_is_escaped_in_every_fast_widget():
    form = EveryWidget(BOUND, renderer=FormRenderer())
    html = "".join(str(form[name].as_widget()) for name in form.fields)
    assert "<script>" not in html and "<hi>" not in html and "<y>" not in html
    assert "&lt;script&gt;" in html
    assert "<em>G2</em>" in html  # a label marked safe stays as it was, as in Django's templates


def test_the_fast_path_covers_the_widgets_our_forms_use():
    for widget in (forms.TextInput, forms.Select, forms.SelectMultiple, forms.Textarea, forms.DateInput):
        assert widget.template_name in FAST_TEMPLATES
    # Radio buttons and checkbox lists render per choice through sd_forms, with Django's templates.
    assert forms.RadioSelect.template_name not in FAST_TEMPLATES


class FieldKinds(forms.Form):
    name = forms.CharField(label="Navn <b>", help_text="Slik du vil bli kalt & omtalt")
    note = forms.CharField(label="Merknad", required=False, widget=forms.Textarea)
    agree = forms.BooleanField(label="Jeg godtar", required=False)
    colour = forms.ChoiceField(label="Farge", choices=[("r", "Rød"), ("b", "Blå")])
    days = forms.MultipleChoiceField(
        label="Dager",
        choices=[("1", "Man"), ("2", "Tir")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    size = forms.ChoiceField(label="Størrelse", choices=[("s", "S"), ("m", "M")], widget=forms.RadioSelect)

    def clean(self):
        self.add_error("name", "Første feil")
        self.add_error("name", "Andre feil <script>")
        return self.cleaned_data


@pytest.mark.parametrize("bound", [True, False], ids=["with errors", "unbound"])
@pytest.mark.parametrize("name", list(FieldKinds.base_fields))
def test_field_html_equals_the_field_template(name, bound):
    from django.template.loader import render_to_string

    from servicedesk.templatetags.sd_forms import field_html

    form = FieldKinds({"name": "", "colour": "x"} if bound else None)
    if bound:
        form.is_valid()
    expected = render_to_string("partials/field_template.html", {"field": form[name]})
    assert _structure(str(field_html(form[name]))) == _structure(expected)
    # And the include every template uses renders it.
    assert _structure(render_to_string("partials/field.html", {"field": form[name]})) == _structure(expected)
