"""The risk questionnaire without a database: its thresholds, the fixtures' answer sets, and the errors
that name the question left unanswered."""

import pytest
from django.core.exceptions import ValidationError

from changes import risk
from changes.models import Risk
from tests.changes.conftest import HIGH_RISK, LOW_RISK, MEDIUM_RISK

CODES = [question.code for question in risk.QUESTIONS]


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, Risk.LOW), (3, Risk.LOW), (4, Risk.MEDIUM), (7, Risk.MEDIUM), (8, Risk.HIGH), (16, Risk.HIGH)],
)
def test_the_score_gives_the_level(score, level):
    assert risk.level_for(score) == level


def test_the_thresholds_are_where_the_page_says():
    assert (risk.MEDIUM_FROM, risk.HIGH_FROM) == (4, 8)


@pytest.mark.parametrize(
    ("answers", "score", "level"),
    [(LOW_RISK, 0, Risk.LOW), (MEDIUM_RISK, 4, Risk.MEDIUM), (HIGH_RISK, 16, Risk.HIGH)],
    ids=["low", "medium", "high"],
)
def test_the_fixtures_answers_are_assessed(answers, score, level):
    assert risk.assess(answers) == (score, level)


def test_the_highest_answers_score_sixteen():
    assert sum(max(points for _value, _label, points in q.choices) for q in risk.QUESTIONS) == 16
    assert risk.assess(HIGH_RISK)[0] == 16
    assert set(HIGH_RISK) == set(CODES)


def test_the_lowest_answers_score_nothing():
    assert all(min(points for _value, _label, points in q.choices) == 0 for q in risk.QUESTIONS)


def test_one_point_more_crosses_from_medium_into_high():
    seven = {"users": "unit", "done_before": "never", "tested": "full", "backout": "minutes", "data": "yes"}
    assert risk.assess(seven) == (7, Risk.MEDIUM)
    assert risk.assess({**seven, "tested": "partly"}) == (8, Risk.HIGH)


def test_one_point_less_falls_from_medium_into_low():
    assert risk.assess({**MEDIUM_RISK, "tested": "full"}) == (3, Risk.LOW)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("missing", ["absent", "empty"])
def test_a_missing_answer_names_its_question(code, missing):
    answers = {k: v for k, v in MEDIUM_RISK.items() if k != code}
    if missing == "empty":
        answers[code] = ""
    with pytest.raises(ValidationError) as caught:
        risk.assess(answers)
    assert caught.value.message_dict == {f"risk_{code}": ["Answer this question."]}


@pytest.mark.parametrize("code", CODES)
def test_an_answer_that_is_not_a_choice_names_its_question(code):
    with pytest.raises(ValidationError) as caught:
        risk.assess({**MEDIUM_RISK, code: "maybe"})
    assert caught.value.message_dict == {f"risk_{code}": ["Choose one of the answers."]}


def test_every_bad_answer_is_named_at_once():
    with pytest.raises(ValidationError) as caught:
        risk.assess({"users": "everyone", "tested": "full"})
    assert set(caught.value.message_dict) == {"risk_users", "risk_done_before", "risk_backout", "risk_data"}


def test_nothing_answered_names_every_question():
    with pytest.raises(ValidationError) as caught:
        risk.assess({})
    assert set(caught.value.message_dict) == {f"risk_{code}" for code in CODES}


def test_a_question_knows_its_points():
    users = risk.QUESTION_BY_CODE["users"]
    assert [users.points(value) for value in ("few", "unit", "many")] == [0, 2, 4]
    with pytest.raises(KeyError):
        users.points("everyone")


def test_explain_lists_each_answer_with_its_points():
    rows = risk.explain(MEDIUM_RISK)
    assert [(str(question), str(label), points) for question, label, points in rows] == [
        ("How many people notice it if the change goes wrong?", "A department or a school", 2),
        ("Has this change been done before here?", "Once or twice", 1),
        ("Has the change been tested outside production?", "Partly", 1),
        ("How easily can it be backed out?", "In minutes, with a tested back-out plan", 0),
        ("Does it touch personal data or archival records?", "No", 0),
    ]
    assert sum(points for _q, _l, points in rows) == risk.assess(MEDIUM_RISK)[0]


def test_explain_skips_what_was_not_answered_or_is_not_a_choice():
    rows = risk.explain({"users": "many", "tested": "maybe"})
    assert [(str(label), points) for _question, label, points in rows] == [
        ("The whole municipality or the public", 4)
    ]
    assert risk.explain({}) == []


@pytest.mark.parametrize("answers", [LOW_RISK, MEDIUM_RISK, HIGH_RISK], ids=["low", "medium", "high"])
def test_explain_adds_up_to_the_score(answers):
    rows = risk.explain(answers)
    assert len(rows) == len(risk.QUESTIONS)
    assert sum(points for _q, _l, points in rows) == risk.assess(answers)[0]
