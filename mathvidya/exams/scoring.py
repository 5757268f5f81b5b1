"""MCQ marking and result arithmetic, docs/exams.md (pure: no I/O).

Marks and percentages are Decimal throughout — a float never enters — because results are
shown to 2 decimals rounded half up and must agree with what a person computes by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class McqKey:
    """What an MCQ question accepts: the exact set of correct labels and its marks."""

    question_number: int
    correct: frozenset[str]
    marks: Decimal


@dataclass(frozen=True)
class McqResult:
    """One question's outcome, labels sorted so results read the same every time."""

    question_number: int
    selected: list[str]
    correct: list[str]
    is_correct: bool
    marks_awarded: Decimal


@dataclass(frozen=True)
class McqScore:
    """The MCQ part's result; ``percentage`` is correct answers over questions, not marks."""

    score: Decimal
    total: Decimal
    correct_count: int
    question_count: int
    percentage: Decimal
    results: list[McqResult]


def score_mcq(questions: Sequence[McqKey], answers: Mapping[int, frozenset[str] | None]) -> McqScore:
    """Full marks only when the selected set equals the correct set, else 0; no negative marking.

    A question missing from ``answers``, answered None or with no labels is unanswered (0);
    answers to question numbers not in ``questions`` are ignored.
    """
    numbers = [question.question_number for question in questions]
    if len(set(numbers)) != len(numbers):
        raise ValueError("question numbers must be unique")
    results = [_mark(question, answers.get(question.question_number)) for question in questions]
    correct_count = sum(1 for result in results if result.is_correct)
    return McqScore(
        score=sum((result.marks_awarded for result in results), Decimal(0)),
        total=sum((_marks(question.marks) for question in questions), Decimal(0)),
        correct_count=correct_count,
        question_count=len(questions),
        percentage=percentage(Decimal(correct_count), Decimal(len(questions))),
        results=results,
    )


def percentage(obtained: Decimal, possible: Decimal) -> Decimal:
    """``obtained / possible × 100`` rounded half up to 2 decimals, computed exactly.

    The quotient is taken as an exact fraction before rounding, so no intermediate rounding
    can turn a value just below a half into a half. ``possible`` 0 gives 0.00; obtained
    below 0 or above ``possible`` is a caller's bug and raises ValueError (nothing is clamped).
    """
    obtained, possible = _marks(obtained), _marks(possible)
    if obtained < 0 or possible < 0:
        raise ValueError(f"marks must not be negative ({obtained} of {possible})")
    if obtained > possible:
        raise ValueError(f"obtained {obtained} is more than the {possible} possible")
    if possible == 0:
        return Decimal("0.00")
    hundredths = _round_half_up(Fraction(obtained) * 100 * 100 / Fraction(possible))
    return (Decimal(hundredths) / HUNDRED).quantize(Decimal("0.01"))


def total_score(mcq: Decimal, manual: Decimal) -> Decimal:
    """An exam's total: MCQ marks plus the teacher's marks for the written part."""
    mcq, manual = _marks(mcq), _marks(manual)
    if mcq < 0 or manual < 0:
        raise ValueError(f"marks must not be negative (MCQ {mcq}, manual {manual})")
    return mcq + manual


def _mark(question: McqKey, selected: frozenset[str] | None) -> McqResult:
    chosen = frozenset(selected or ())
    is_correct = bool(chosen) and chosen == question.correct
    return McqResult(
        question_number=question.question_number,
        selected=sorted(chosen),
        correct=sorted(question.correct),
        is_correct=is_correct,
        marks_awarded=_marks(question.marks) if is_correct else Decimal(0),
    )


def _marks(value: Decimal | int) -> Decimal:
    """Decimal or int only: a float here would already carry a binary rounding error."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"marks must be Decimal or int, not {type(value).__name__}")
    decimal = Decimal(value)
    if not decimal.is_finite():
        raise ValueError(f"marks must be finite, not {value}")
    return decimal


def _round_half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero (the callers only pass values of at least 0)."""
    return floor(value + Fraction(1, 2))
