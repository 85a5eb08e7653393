"""Order questions: the form built from an item's questions, and the server-side check of answers."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import translation

from catalog.models import OrderQuestion
from catalog.questions import answer_form, answers_for_display, clean_answers
from tests.catalog.factories import CatalogItemFactory, OrderQuestionFactory, options
from tests.factories import UserFactory

Type = OrderQuestion.Type

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgids), whatever the Bokmål catalogue says."""
    with translation.override("en"):
        yield


def post(**answers) -> QueryDict:
    """Return form data as the browser sends it: answer-<key>=value, lists as repeated keys."""
    data = QueryDict(mutable=True)
    for key, value in answers.items():
        name = f"answer-{key}"
        for single in value if isinstance(value, list) else [value]:
            data.appendlist(name, single)
    return data


@pytest.fixture
def item(db):
    return CatalogItemFactory(code="pc")


def ask(item, key, type_, **kwargs):
    kwargs.setdefault("label_nb", f"Spørsmål {key}")
    kwargs.setdefault("label_en", f"Question {key}")
    return OrderQuestionFactory(item=item, key=key, type=type_, **kwargs)


def errors_of(item, data) -> dict:
    with pytest.raises(ValidationError) as caught:
        clean_answers(item=item, data=data)
    return caught.value.message_dict


def test_an_item_without_questions_has_no_answers(item):
    assert clean_answers(item=item, data=QueryDict()) == {}


def test_text_and_long_text(item):
    ask(item, "purpose", Type.TEXT)
    ask(item, "details", Type.LONG_TEXT, required=False)
    assert clean_answers(item=item, data=post(purpose="  Til møterom  ")) == {"purpose": "Til møterom"}
    assert clean_answers(item=item, data=post(purpose="x", details="Lang\ntekst")) == {
        "purpose": "x",
        "details": "Lang\ntekst",
    }
    errors = errors_of(item, post(purpose=""))
    assert errors == {"purpose": ["Answer “Question purpose”."]}
    assert "purpose" in errors_of(item, post(purpose="x" * 501))


def test_number_in_range_accepts_a_decimal_comma_and_stores_a_string(item):
    ask(item, "screens", Type.NUMBER, min_value=Decimal("1"), max_value=Decimal("4"))
    assert clean_answers(item=item, data=post(screens="2")) == {"screens": "2"}
    assert clean_answers(item=item, data=post(screens="2,5")) == {"screens": "2.5"}
    assert clean_answers(item=item, data=post(screens="4.00")) == {"screens": "4"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "“Question screens” must be at least 1."),
        ("5", "“Question screens” must be at most 4."),
        ("mange", "“Question screens” must be a number."),
        ("NaN", "“Question screens” must be a number."),
        ("", "Answer “Question screens”."),
    ],
)
def test_number_out_of_range_or_not_a_number_names_the_question(item, value, message):
    ask(item, "screens", Type.NUMBER, min_value=Decimal("1"), max_value=Decimal("4"))
    assert errors_of(item, post(screens=value)) == {"screens": [message]}


def test_single_choice(item):
    ask(item, "size", Type.CHOICE, choices=options("s", "m", "l"))
    assert clean_answers(item=item, data=post(size="m")) == {"size": "m"}
    assert errors_of(item, post(size="xl")) == {"size": ["Choose one of the options for “Question size”."]}
    assert errors_of(item, post()) == {"size": ["Choose an answer to “Question size”."]}


def test_multiple_choice_is_stored_as_a_list(item):
    ask(item, "software", Type.MULTI_CHOICE, choices=options("word", "excel", "teams"))
    assert clean_answers(item=item, data=post(software=["word", "teams"])) == {"software": ["word", "teams"]}
    errors = errors_of(item, post(software=["word", "photoshop"]))
    assert errors == {"software": ["Choose one of the options for “Question software”."]}


def test_date_is_stored_in_iso_format_and_a_bad_date_is_explained(item):
    ask(item, "needed_by", Type.DATE)
    assert clean_answers(item=item, data=post(needed_by="2026-03-01")) == {"needed_by": "2026-03-01"}
    assert clean_answers(item=item, data=post(needed_by="01.03.2026")) == {"needed_by": "2026-03-01"}
    errors = errors_of(item, post(needed_by="2026-02-30"))
    assert errors == {"needed_by": ["“Question needed_by” must be a date, such as 12/31/2026."]}


def test_yes_no_requires_an_answer_and_no_is_an_answer(item):
    ask(item, "mobile", Type.YES_NO)
    assert clean_answers(item=item, data=post(mobile="no")) == {"mobile": False}
    assert clean_answers(item=item, data=post(mobile="yes")) == {"mobile": True}
    assert errors_of(item, post()) == {"mobile": ["Choose an answer to “Question mobile”."]}
    assert "mobile" in errors_of(item, post(mobile="kanskje"))


def test_person_must_be_an_active_colleague(item):
    ask(item, "for_whom", Type.PERSON)
    colleague = UserFactory(first_name="Ola", last_name="Hansen")
    gone = UserFactory(is_active=False)
    assert clean_answers(item=item, data=post(for_whom=str(colleague.pk))) == {
        "for_whom": {"id": colleague.pk, "name": "Ola Hansen"}
    }
    message = "Choose an active colleague for “Question for_whom” from the list."
    assert errors_of(item, post(for_whom=str(gone.pk))) == {"for_whom": [message]}
    assert errors_of(item, post(for_whom="999999")) == {"for_whom": [message]}
    assert errors_of(item, post(for_whom="<script>")) == {"for_whom": [message]}
    assert errors_of(item, post()) == {"for_whom": ["Choose an answer to “Question for_whom”."]}


def test_person_typed_but_not_chosen_asks_to_choose_and_shows_the_matches(item):
    ask(item, "for_whom", Type.PERSON)
    colleague = UserFactory(first_name="Ola", last_name="Hansen")
    data = post()
    data["answer-for_whom-search"] = "hans"
    assert errors_of(item, data) == {
        "for_whom": ["Choose the colleague for “Question for_whom” from the list of matches."]
    }
    html = str(answer_form(item, data)["for_whom"])
    assert f'value="{colleague.pk}"' in html
    assert 'type="radio"' in html
    assert colleague.email not in html


def test_optional_questions_left_empty_are_left_out(item):
    for key, type_ in [
        ("a", Type.TEXT),
        ("b", Type.NUMBER),
        ("c", Type.DATE),
        ("d", Type.YES_NO),
        ("e", Type.PERSON),
        ("f", Type.MULTI_CHOICE),
    ]:
        ask(item, key, type_, required=False, choices=options("x") if type_ == Type.MULTI_CHOICE else [])
    assert clean_answers(item=item, data=QueryDict()) == {}


def test_answers_cannot_clash_with_the_order_fields(item):
    ask(item, "quantity", Type.NUMBER)
    data = QueryDict(mutable=True)
    data["quantity"] = "3"
    assert "quantity" in errors_of(item, data)
    data["answer-quantity"] = "7"
    assert clean_answers(item=item, data=data) == {"quantity": "7"}


def test_every_error_is_reported_at_once(item):
    ask(item, "a", Type.TEXT)
    ask(item, "b", Type.CHOICE, choices=options("x"))
    assert set(errors_of(item, QueryDict())) == {"a", "b"}


def test_labels_help_and_options_follow_the_active_language(item):
    ask(
        item,
        "size",
        Type.CHOICE,
        label_nb="Størrelse",
        label_en="Size",
        help_nb="Velg én",
        help_en="Pick one",
        choices=options("s"),
    )
    with translation.override("en"):
        html = str(answer_form(item)["size"].label) + answer_form(item)["size"].help_text
        rendered = str(answer_form(item)["size"])
    assert html == "SizePick one"
    assert "S (en)" in rendered
    with translation.override("nb"):
        assert answer_form(item)["size"].label == "Størrelse"


def test_answers_for_display_uses_labels(item):
    ask(item, "size", Type.CHOICE, label_nb="Størrelse", label_en="Size", choices=options("s", "m"))
    ask(item, "mobile", Type.YES_NO, label_nb="Mobil", label_en="Mobile")
    ask(item, "screens", Type.NUMBER, label_nb="Skjermer", label_en="Screens")
    answers = clean_answers(item=item, data=post(size="m", mobile="yes", screens="2,5"))
    assert answers_for_display(item=item, answers=answers) == [
        ("Size", "M (en)"),
        ("Mobile", "Yes"),
        ("Screens", "2.5"),
    ]
    with translation.override("nb"):
        assert answers_for_display(item=item, answers=answers)[0] == ("Størrelse", "M (nb)")
        assert answers_for_display(item=item, answers=answers)[2] == ("Skjermer", "2,5")


def test_the_answers_are_json(item):
    import json

    colleague = UserFactory()
    ask(item, "p", Type.PERSON)
    ask(item, "n", Type.NUMBER)
    ask(item, "d", Type.DATE)
    answers = clean_answers(item=item, data=post(p=str(colleague.pk), n="1,25", d="2026-05-17"))
    assert json.loads(json.dumps(answers)) == answers
