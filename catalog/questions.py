"""Order questions as a form: build one from an item's questions, check the answers on the server and
turn them into the JSON stored on the order line.

The contract with the orders app is `clean_answers(item=..., data=request.POST)`; the item page and the
cart both render `answer_form(item, data)` inside `catalog/item_detail.html#order-form`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogItem, OrderQuestion
from people.models import User
from servicedesk.i18n import in_active_language

# Answer fields are posted as "answer-<key>", so no question key can clash with the order's own
# fields (quantity, item, the CSRF token).
ANSWER_PREFIX = "answer"
# Options up to this many are radio buttons; more become a drop-down list.
MAX_RADIO_OPTIONS = 6
LOOKUP_MIN_LENGTH = 2

Type = OrderQuestion.Type


def option_label(option: dict) -> str:
    """Return an option's label in the active language, falling back to its value."""
    value = str(option.get("value", ""))
    return in_active_language(str(option.get("label_nb") or value), str(option.get("label_en") or ""))


def format_number(value: Decimal) -> str:
    """Return a number the way the active language writes it, without trailing zeros (12,5 / 1 000)."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=True)


# --- The person question ------------------------------------------------------------------------------


def person_lookup_results(*, name: str, search: str, selected: str) -> dict:
    """Return the context of ``catalog/person_lookup.html#results`` for a lookup view: at most ten active
    colleagues matching the search, with the one already chosen (an id, as posted) first if not among them.
    """
    from catalog.selectors import colleagues_matching

    searched = len(search) >= LOOKUP_MIN_LENGTH
    candidates = list(colleagues_matching(query=search)) if searched else []
    if selected.isdigit() and all(person.pk != int(selected) for person in candidates):
        chosen = User.objects.filter(pk=int(selected), is_active=True).select_related("org_unit")
        candidates = list(chosen) + candidates[:9]
    return {
        "name": name,
        "search": search,
        "searched": searched,
        "candidates": candidates,
        "selected_id": int(selected) if selected.isdigit() else None,
    }


class PersonLookupWidget(forms.Widget):
    """A search box (posted as "<name>-search") and radio buttons for the matches (posted as "<name>").

    With htmx the matches come as you type from the view named by ``lookup_url_name`` (told the field's
    name as ?field= when ``lookup_names_field``); without JavaScript the form is sent with the search
    text, and comes back with the matches to choose from.
    """

    template_name = "catalog/person_lookup.html"
    lookup_url_name = "catalogue:people"
    lookup_names_field = True

    def lookup_url(self, name: str) -> str:
        url = reverse(self.lookup_url_name)
        return f"{url}?{urlencode({'field': name})}" if self.lookup_names_field else url

    def value_from_datadict(self, data, files, name):
        return {
            "id": str(data.get(name, "") or "").strip(),
            "search": str(data.get(f"{name}-search", "") or "").strip()[:100],
        }

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and f"{name}-search" not in data

    def format_value(self, value):
        return value

    def render(self, name, value, attrs=None, renderer=None):
        from catalog.selectors import colleagues_matching

        value = value if isinstance(value, dict) else {}
        search = value.get("search", "")
        selected = None
        if str(value.get("id", "")).isdigit():
            selected = (
                User.objects.filter(pk=int(value["id"]), is_active=True).select_related("org_unit").first()
            )
        candidates = list(colleagues_matching(query=search)) if len(search) >= LOOKUP_MIN_LENGTH else []
        if selected is not None and selected not in candidates:
            candidates.insert(0, selected)
        attrs = self.build_attrs(self.attrs, attrs)
        # The search box is only a way to find the answer; it is not itself required.
        attrs.pop("required", None)
        return render_to_string(
            self.template_name,
            {
                "name": name,
                "attrs": attrs,
                "lookup_url": self.lookup_url(name),
                "search": search,
                "searched": len(search) >= LOOKUP_MIN_LENGTH,
                "candidates": candidates,
                "selected_id": selected.pk if selected is not None else None,
            },
        )


class PersonField(forms.Field):
    """An active colleague, chosen by id from the lookup; returns the User."""

    widget = PersonLookupWidget
    default_error_messages = {
        "invalid_choice": gettext_lazy("Choose an active colleague from the list."),
        "choose": gettext_lazy("Choose the colleague from the list of matches."),
    }

    def to_python(self, value):
        if not isinstance(value, dict):
            return None
        chosen, search = value.get("id", ""), value.get("search", "")
        if chosen:
            if not chosen.isdigit():
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            person = User.objects.filter(pk=int(chosen), is_active=True).first()
            if person is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return person
        if search:
            # Typed a name but picked no one (e.g. without JavaScript): ask them to pick from the matches.
            raise ValidationError(self.error_messages["choose"], code="choose")
        return None


class NumberField(forms.DecimalField):
    """A decimal number written either way: "2,5" (the Norwegian way) or "2.5", with or without
    spaces between thousands."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )


# --- Building the form ----------------------------------------------------------------------------------


def _help_text(question: OrderQuestion) -> str:
    parts = [question.help] if question.help else []
    if question.type == Type.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None:
            parts.append(
                _("A number from %(min)s to %(max)s.")
                % {"min": format_number(low), "max": format_number(high)}
            )
        elif low is not None:
            parts.append(_("A number of at least %(min)s.") % {"min": format_number(low)})
        elif high is not None:
            parts.append(_("A number of at most %(max)s.") % {"max": format_number(high)})
    return " ".join(parts)


def field_for(question: OrderQuestion) -> forms.Field:
    """Return the form field that asks one question, labelled in the active language."""
    common = {"label": question.label, "required": question.required, "help_text": _help_text(question)}
    options = [(str(o.get("value", "")), option_label(o)) for o in (question.choices or [])]
    match question.type:
        case Type.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
        case Type.NUMBER:
            return NumberField(
                min_value=question.min_value,
                max_value=question.max_value,
                max_digits=16,
                decimal_places=4,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                **common,
            )
        case Type.CHOICE:
            if len(options) <= MAX_RADIO_OPTIONS:
                return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
            return forms.ChoiceField(choices=[("", _("Choose …")), *options], **common)
        case Type.MULTI_CHOICE:
            return forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
        case Type.DATE:
            return forms.DateField(
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
                **common,
            )
        case Type.YES_NO:
            return YesNoField(**common)
        case Type.PERSON:
            return PersonField(**common)
        case _:
            return forms.CharField(max_length=500, **common)


class AnswerForm(forms.Form):
    """The answers to one item's questions; every error message names the question it belongs to."""

    prefix = ANSWER_PREFIX
    item: CatalogItem
    questions: dict[str, OrderQuestion] = {}

    def full_clean(self) -> None:
        super().full_clean()
        for name, errors in list(self._errors.items()):
            question = self.questions.get(name)
            if question is None:
                continue
            self._errors[name] = self.error_class(
                [
                    ValidationError(_error_message(question, self.fields[name], error), code=error.code)
                    for error in errors.as_data()
                ],
                renderer=self.renderer,
            )

    def answers(self) -> dict:
        """Return the cleaned answers as JSON-ready values keyed by question key; unanswered optional
        questions are left out."""
        result = {}
        for key, question in self.questions.items():
            value = self.cleaned_data.get(key)
            if value is None or value == "" or value == []:
                continue
            match question.type:
                case Type.NUMBER:
                    result[key] = format(value.normalize(), "f")
                case Type.DATE:
                    result[key] = value.isoformat()
                case Type.PERSON:
                    result[key] = {"id": value.pk, "name": value.get_full_name() or value.username}
                case Type.MULTI_CHOICE:
                    result[key] = list(value)
                case _:
                    result[key] = value
        return result


def _error_message(question: OrderQuestion, field: forms.Field, error: ValidationError) -> str:
    """Return a message that says which question is wrong and what a valid answer is."""
    name = question.label
    code = error.code
    choosing = question.type in (Type.CHOICE, Type.MULTI_CHOICE, Type.YES_NO, Type.PERSON)
    if code == "required":
        if choosing:
            return _("Choose an answer to “%(question)s”.") % {"question": name}
        return _("Answer “%(question)s”.") % {"question": name}
    if question.type == Type.PERSON:
        if code == "choose":
            return _("Choose the colleague for “%(question)s” from the list of matches.") % {"question": name}
        return _("Choose an active colleague for “%(question)s” from the list.") % {"question": name}
    if code in ("invalid_choice", "invalid_list"):
        return _("Choose one of the options for “%(question)s”.") % {"question": name}
    if code == "min_value":
        return _("“%(question)s” must be at least %(limit)s.") % {
            "question": name,
            "limit": format_number(question.min_value),
        }
    if code == "max_value":
        return _("“%(question)s” must be at most %(limit)s.") % {
            "question": name,
            "limit": format_number(question.max_value),
        }
    if code in ("max_digits", "max_decimal_places", "max_whole_digits"):
        return _("“%(question)s” has too many digits.") % {"question": name}
    if code == "invalid" and question.type == Type.NUMBER:
        return _("“%(question)s” must be a number.") % {"question": name}
    if code == "invalid" and question.type == Type.DATE:
        example = formats.date_format(dt.date(2026, 12, 31), "SHORT_DATE_FORMAT")
        return _("“%(question)s” must be a date, such as %(example)s.") % {
            "question": name,
            "example": example,
        }
    if code == "max_length":
        return _("“%(question)s” can be at most %(limit)s characters long.") % {
            "question": name,
            "limit": getattr(field, "max_length", ""),
        }
    message = error.message % error.params if error.params else error.message
    return _("“%(question)s”: %(error)s") % {"question": name, "error": message}


def answer_form_class(item: CatalogItem) -> type[AnswerForm]:
    """Return a form class with one field per question of the item, in the questions' order."""
    questions = {q.key: q for q in sorted(item.questions.all(), key=lambda q: (q.position, q.pk))}
    attrs = {key: field_for(question) for key, question in questions.items()}
    attrs.update({"item": item, "questions": questions})
    return type(f"AnswerForm_{item.pk}", (AnswerForm,), attrs)


def answer_form(item: CatalogItem, data=None) -> AnswerForm:
    """Return the item's answer form, bound to the posted data when given."""
    return answer_form_class(item)(data)


def clean_answers(*, item: CatalogItem, data) -> dict:
    """Check the posted answers to the item's questions and return them as JSON-ready values.

    Raise ValidationError with a dict of question key → messages when an answer is missing or invalid.
    """
    form = answer_form(item, data)
    if not form.is_valid():
        raise ValidationError({key: list(errors.as_data()) for key, errors in form.errors.items()})
    return form.answers()


def answers_for_display(*, item: CatalogItem, answers: dict) -> list[tuple[str, str]]:
    """Return (question, answer) pairs in the active language, for order pages and notifications."""
    rows = []
    for question in sorted(item.questions.all(), key=lambda q: (q.position, q.pk)):
        if question.key not in answers:
            continue
        value = answers[question.key]
        labels = {str(o.get("value", "")): option_label(o) for o in (question.choices or [])}
        match question.type:
            case Type.CHOICE:
                text = labels.get(str(value), str(value))
            case Type.MULTI_CHOICE:
                text = ", ".join(labels.get(str(v), str(v)) for v in value)
            case Type.YES_NO:
                text = _("Yes") if value else _("No")
            case Type.NUMBER:
                text = format_number(Decimal(value))
            case Type.DATE:
                text = formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
            case Type.PERSON:
                text = value.get("name", "") if isinstance(value, dict) else str(value)
            case _:
                text = str(value)
        rows.append((question.label, text))
    return rows
