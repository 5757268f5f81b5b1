"""The marking rules of an evaluation submit (pure: the snapshot and the teacher's rows in,
the marks to store or the problems per field out).

- Every written question gets marks between 0 and its maximum in steps of 0.5; a question
  the student declared unanswered scores 0 (a row for it must say 0, none is needed).
- A question with internal choice takes one row per alternative the teacher marked, each
  naming its ``choice``; a row without ``choice`` is accepted only when the student declared
  exactly one alternative, and is that alternative's. The higher mark counts (ties: the
  alternative first in order, (a)), as board examiners are told to keep the better answer.
- A question (or alternative) with a marking scheme may be marked step by step:
  ``step_marks`` has one entry per step, each 0 to the step's marks in steps of 0.5, and
  ``marks_awarded`` is their sum (optional then; refused if it differs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

HALF = Decimal("0.5")
CHOICES = ("a", "b")


class MarkingRefused(ValueError):
    """Rows that break a rule: ``problems`` per field path (for a 422)."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__("marks break the rules")
        self.problems = problems


class MarksIncomplete(ValueError):
    """Written questions without marks (EVALUATION_INCOMPLETE)."""

    def __init__(self, missing: list[int]):
        super().__init__("written questions without marks")
        self.missing = missing


@dataclass(frozen=True)
class StepMark:
    step_number: int
    step: str
    marks_awarded: Decimal
    marks_possible: Decimal


@dataclass(frozen=True)
class AlternativeMark:
    """The marks of one question, or of one alternative of a choice question."""

    choice: str  # "" for a question without internal choice
    question_id: str
    marks_awarded: Decimal
    marks_possible: Decimal
    teacher_comment: str | None
    steps: tuple[StepMark, ...] = ()


@dataclass(frozen=True)
class QuestionMark:
    """What a question scores: the counted alternative, and every alternative marked."""

    question_number: int
    marks_possible: Decimal
    counted: AlternativeMark
    alternatives: tuple[AlternativeMark, ...] = field(default_factory=tuple)

    @property
    def marks_awarded(self) -> Decimal:
        return self.counted.marks_awarded

    @property
    def counted_choice(self) -> str | None:
        return self.counted.choice or None


def is_half_step(value: Decimal) -> bool:
    return (value / HALF) % 1 == 0


def written_questions(snapshot: Mapping[str, Any]) -> dict[int, dict]:
    return {q["question_number"]: q for q in snapshot["questions"] if q["question_type"] != "MCQ"}


def checked_marks(
    written: Mapping[int, Mapping[str, Any]],
    unanswered: set[int],
    attempted: Mapping[str, str],
    rows: Sequence[Mapping[str, Any]],
) -> dict[int, QuestionMark]:
    """Every written question's marks from the teacher's rows, or MarkingRefused /
    MarksIncomplete naming what is wrong."""
    problems: dict[str, list[str]] = {}
    marked: dict[int, dict[str, AlternativeMark]] = {}
    for index, row in enumerate(rows):
        where = f"question_marks.{index}"
        mark = _checked_row(where, row, written, unanswered, attempted, marked, problems)
        if mark is not None:
            marked.setdefault(row["question_number"], {})[mark.choice] = mark
    if problems:
        raise MarkingRefused(problems)
    marks = {number: _question_mark(written[number], by_choice) for number, by_choice in marked.items()}
    for number in sorted(unanswered & set(written) - set(marks)):
        marks[number] = _unanswered_mark(written[number])
    missing = sorted(set(written) - set(marks))
    if missing:
        raise MarksIncomplete(missing)
    return marks


def _checked_row(
    where: str,
    row: Mapping[str, Any],
    written: Mapping[int, Mapping[str, Any]],
    unanswered: set[int],
    attempted: Mapping[str, str],
    marked: Mapping[int, Mapping[str, AlternativeMark]],
    problems: dict[str, list[str]],
) -> AlternativeMark | None:
    number = row["question_number"]
    question = written.get(number)
    if question is None:
        problems[f"{where}.question_number"] = [f"question {number} is not a written question of this exam"]
        return None
    choice = _choice_of(where, row, question, attempted.get(str(number)), problems)
    if choice is None:
        return None
    if choice in marked.get(number, {}):
        what = f"alternative ({choice}) of question {number}" if choice else f"question {number}"
        problems[f"{where}.question_number"] = [f"{what} is marked twice"]
        return None
    content = _alternative(question, choice)
    maximum = Decimal(str(question["marks"]))
    steps = _checked_steps(where, row, content, problems)
    if steps is None:
        return None
    awarded = _awarded(where, row, steps, maximum, problems)
    if awarded is None:
        return None
    if number in unanswered and awarded != 0:
        problems[f"{where}.marks_awarded"] = [f"question {number} was declared unanswered: it scores 0"]
        return None
    if "\x00" in (row.get("teacher_comment") or ""):
        problems[f"{where}.teacher_comment"] = ["must not contain NUL (U+0000) characters"]
        return None
    return AlternativeMark(choice, str(content["question_id"]), awarded, maximum, row.get("teacher_comment"), steps)


def _choice_of(
    where: str, row: Mapping[str, Any], question: Mapping[str, Any], declared: str | None, problems: dict
) -> str | None:
    """The alternative a row marks: "" without internal choice; None when it cannot be told."""
    number, choice = question["question_number"], row.get("choice")
    if not question.get("alternatives"):
        if choice is not None:
            problems[f"{where}.choice"] = [f"question {number} has no internal choice"]
            return None
        return ""
    if choice is not None:
        return choice
    if declared in CHOICES:
        return declared
    said = "declared both alternatives" if declared == "both" else "declared no alternative"
    problems[f"{where}.choice"] = [
        f'question {number} offers a choice and the student {said}: say which alternative ("a" or "b") this row marks'
    ]
    return None


def _alternative(question: Mapping[str, Any], choice: str) -> Mapping[str, Any]:
    if not choice:
        return question
    return next(alt for alt in question["alternatives"] if alt["choice"] == choice)


def _checked_steps(
    where: str, row: Mapping[str, Any], content: Mapping[str, Any], problems: dict
) -> tuple[StepMark, ...] | None:
    given = row.get("step_marks")
    if given is None:
        return ()
    scheme = content.get("marking_scheme") or []
    if not scheme:
        problems[f"{where}.step_marks"] = ["this question has no marking scheme: give marks_awarded only"]
        return None
    if len(given) != len(scheme):
        problems[f"{where}.step_marks"] = [
            f"one entry per step of the marking scheme: {len(scheme)} expected, {len(given)} given"
        ]
        return None
    steps, bad = [], {}
    for position, (value, step) in enumerate(zip(given, scheme, strict=True)):
        awarded, maximum = Decimal(str(value)), Decimal(str(step["marks"]))
        if not (0 <= awarded <= maximum) or not is_half_step(awarded):
            bad[f"{where}.step_marks.{position}"] = [
                f"step {position + 1} ({step['step']!r}) takes 0 to {maximum.normalize()} in steps of 0.5"
            ]
        steps.append(StepMark(position + 1, step["step"], awarded, maximum))
    if bad:
        problems.update(bad)
        return None
    return tuple(steps)


def _awarded(
    where: str, row: Mapping[str, Any], steps: tuple[StepMark, ...], maximum: Decimal, problems: dict
) -> Decimal | None:
    given = row.get("marks_awarded")
    step_sum = sum((step.marks_awarded for step in steps), Decimal(0))
    if given is None:
        if not steps:
            problems[f"{where}.marks_awarded"] = ["is required (or give step_marks for a schemed question)"]
            return None
        return step_sum
    awarded = Decimal(str(given))
    if steps and awarded != step_sum:
        problems[f"{where}.marks_awarded"] = [f"must equal the sum of step_marks ({step_sum.normalize()})"]
        return None
    if not (0 <= awarded <= maximum) or not is_half_step(awarded):
        problems[f"{where}.marks_awarded"] = [f"must be between 0 and {maximum.normalize()} in steps of 0.5"]
        return None
    return awarded


def _question_mark(question: Mapping[str, Any], by_choice: Mapping[str, AlternativeMark]) -> QuestionMark:
    maximum = Decimal(str(question["marks"]))
    if not question.get("alternatives"):
        return QuestionMark(question["question_number"], maximum, by_choice[""])
    alternatives = tuple(by_choice[choice] for choice in CHOICES if choice in by_choice)
    counted = max(alternatives, key=lambda alt: (alt.marks_awarded, -CHOICES.index(alt.choice)))
    return QuestionMark(question["question_number"], maximum, counted, alternatives)


def _unanswered_mark(question: Mapping[str, Any]) -> QuestionMark:
    """0 for a question declared unanswered (a choice question: against alternative (a), none counted)."""
    content = question["alternatives"][0] if question.get("alternatives") else question
    maximum = Decimal(str(question["marks"]))
    zero = AlternativeMark("", str(content["question_id"]), Decimal(0), maximum, None)
    return QuestionMark(question["question_number"], maximum, zero)


def manual_total(marks: Mapping[int, QuestionMark]) -> Decimal:
    """The written part's score: each question once, by its counted alternative."""
    return sum((mark.marks_awarded for mark in marks.values()), Decimal(0))
