"""The risk questionnaire: five questions, each answer worth points; the sum gives low, medium or high.

Kept as data and free of the ORM so the thresholds can be tested and explained on the page: the change
form shows every answer's points and the page shows how the score was reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from changes.models import Risk


@dataclass(frozen=True)
class Question:
    code: str
    text: object
    choices: tuple[tuple[str, object, int], ...]  # (value, label, points)

    def points(self, value: str) -> int:
        for choice, _label, points in self.choices:
            if choice == value:
                return points
        raise KeyError(value)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "users",
        _("How many people notice it if the change goes wrong?"),
        (
            ("few", _("A few (one team)"), 0),
            ("unit", _("A department or a school"), 2),
            ("many", _("The whole municipality or the public"), 4),
        ),
    ),
    Question(
        "done_before",
        _("Has this change been done before here?"),
        (
            ("often", _("Yes, often, with the same procedure"), 0),
            ("once", _("Once or twice"), 1),
            ("never", _("Never"), 3),
        ),
    ),
    Question(
        "tested",
        _("Has the change been tested outside production?"),
        (
            ("full", _("Yes, in a test environment like production"), 0),
            ("partly", _("Partly"), 1),
            ("no", _("No"), 3),
        ),
    ),
    Question(
        "backout",
        _("How easily can it be backed out?"),
        (
            ("minutes", _("In minutes, with a tested back-out plan"), 0),
            ("hours", _("Within hours"), 2),
            ("hard", _("Hard or not at all"), 4),
        ),
    ),
    Question(
        "data",
        _("Does it touch personal data or archival records?"),
        (
            ("no", _("No"), 0),
            ("yes", _("Yes"), 2),
        ),
    ),
)

QUESTION_BY_CODE: Mapping[str, Question] = {question.code: question for question in QUESTIONS}

# Score 0–3 is low, 4–7 medium, 8 and more high (the maximum is 16).
MEDIUM_FROM = 4
HIGH_FROM = 8


def level_for(score: int) -> Risk:
    if score >= HIGH_FROM:
        return Risk.HIGH
    if score >= MEDIUM_FROM:
        return Risk.MEDIUM
    return Risk.LOW


def assess(answers: Mapping[str, str]) -> tuple[int, Risk]:
    """Return (score, level) for a full set of answers; raise ValidationError naming each bad answer."""
    errors = {}
    score = 0
    for question in QUESTIONS:
        value = answers.get(question.code, "")
        if not value:
            errors[f"risk_{question.code}"] = _("Answer this question.")
            continue
        try:
            score += question.points(value)
        except KeyError:
            errors[f"risk_{question.code}"] = _("Choose one of the answers.")
    if errors:
        raise ValidationError(errors)
    return score, level_for(score)


def explain(answers: Mapping[str, str]) -> list[tuple[object, object, int]]:
    """Return (question, answer label, points) for the answers given, for the change page."""
    rows = []
    for question in QUESTIONS:
        value = answers.get(question.code)
        for choice, label, points in question.choices:
            if choice == value:
                rows.append((question.text, label, points))
    return rows
