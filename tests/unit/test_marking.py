"""Marking rules (pure): which alternative counts, how step marks become marks, and which
rows are refused, per field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mathvidya.evaluations.marking import MarkingRefused, MarksIncomplete, checked_marks, manual_total

SCHEME = [{"step": "Method", "marks": 1.5}, {"step": "Answer", "marks": 0.5}]
WRITTEN = {
    1: {"question_number": 1, "question_type": "VSA", "marks": 2, "question_id": "q1", "marking_scheme": SCHEME},
    2: {
        "question_number": 2,
        "question_type": "SA",
        "marks": 3,
        "alternatives": [
            {"choice": "a", "question_id": "q2a", "marking_scheme": None},
            {"choice": "b", "question_id": "q2b", "marking_scheme": None},
        ],
    },
}


def test_equal_alternatives_count_the_first_and_the_total_counts_each_question_once():
    marks = checked_marks(
        WRITTEN,
        set(),
        {"2": "both"},
        [
            {"question_number": 1, "step_marks": [1.5, 0]},
            {"question_number": 2, "choice": "b", "marks_awarded": 2},
            {"question_number": 2, "choice": "a", "marks_awarded": 2},
        ],
    )
    assert marks[1].marks_awarded == Decimal("1.5") and marks[1].counted_choice is None
    assert marks[2].counted_choice == "a" and [a.choice for a in marks[2].alternatives] == ["a", "b"]
    assert marks[2].counted.question_id == "q2a"
    assert manual_total(marks) == Decimal("3.5")


def test_declared_unanswered_choice_question_scores_zero_against_alternative_a():
    marks = checked_marks(WRITTEN, {2}, {}, [{"question_number": 1, "marks_awarded": 2}])
    assert marks[2].marks_awarded == 0 and marks[2].counted_choice is None and marks[2].counted.question_id == "q2a"


def test_every_problem_is_reported_at_once():
    with pytest.raises(MarkingRefused) as refused:
        checked_marks(
            WRITTEN,
            set(),
            {},
            [
                {"question_number": 1, "step_marks": [2, 0]},
                {"question_number": 2, "marks_awarded": 1},
                {"question_number": 7, "marks_awarded": 1},
            ],
        )
    assert set(refused.value.problems) == {
        "question_marks.0.step_marks.0",
        "question_marks.1.choice",
        "question_marks.2.question_number",
    }


def test_a_question_without_rows_is_incomplete():
    with pytest.raises(MarksIncomplete) as incomplete:
        checked_marks(WRITTEN, set(), {"2": "a"}, [{"question_number": 2, "marks_awarded": 3}])
    assert incomplete.value.missing == [1]


def test_a_comment_with_a_nul_character_is_refused():
    with pytest.raises(MarkingRefused) as refused:
        checked_marks(WRITTEN, {2}, {}, [{"question_number": 1, "marks_awarded": 2, "teacher_comment": "a\x00b"}])
    assert set(refused.value.problems) == {"question_marks.0.teacher_comment"}
