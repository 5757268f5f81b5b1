"""The pure rules of the board paper: internal_choice_count on template sections, the
marking-scheme rule shared by the API and the importer, and the importer's step columns."""

from __future__ import annotations

import pytest

from mathvidya.questions import importer
from mathvidya.questions.rules import marking_scheme_problems
from tests.unit.test_template_rules import UNITS, board, problems_of, section


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, 1, "MCQ sections have no internal choice"),
        (1, 6, "must be at most the section's question_count (5)"),
        (1, -1, "must be a whole number of at least 0"),
        (1, 1.5, "must be a whole number of at least 0"),
        (1, True, "must be a whole number of at least 0"),
    ],
)
def test_bad_internal_choice_counts(index, value, message):
    problems = problems_of(section(board(), index, internal_choice_count=value))
    assert problems == {f"config.sections.{index}.internal_choice_count": [message]}


@pytest.mark.parametrize("value", [0, 3, 5])
def test_internal_choice_counts_up_to_the_section_count_pass(value):
    assert problems_of(section(board(), 1, internal_choice_count=value)) == {}


@pytest.mark.parametrize(
    ("scheme", "question_type", "marks", "fragment"),
    [
        (None, "SA", 3, None),
        ([{"step": "All", "marks": 3}], "SA", 3, None),
        ([{"step": "a", "marks": 2.5}, {"step": "b", "marks": 2.5}], "LA", 5, None),
        ([], "SA", 3, "at least one step"),
        ("steps", "SA", 3, "at least one step"),
        ([{"step": "All", "marks": 1}], "MCQ", 1, "MCQs"),
        ([{"step": "a", "marks": 1}], "SA", 3, "add up to 1 marks, not the question's 3"),
        ([{"step": "a", "marks": "3"}], "SA", 3, "marks must be a number"),
        ([{"step": "", "marks": 3}], "SA", 3, "1 to 300 characters"),
        (["step"], "SA", 3, "1 to 300 characters"),
        ([{"step": "a", "marks": -1}, {"step": "b", "marks": 4}], "SA", 3, "positive multiple of 0.5"),
    ],
)
def test_marking_scheme_rule(scheme, question_type, marks, fragment):
    problems = marking_scheme_problems(scheme, question_type, marks)
    if fragment is None:
        assert problems == []
    else:
        assert any(fragment in p for p in problems), problems


HEADER = ["Class", "Chapter/Unit", "Question Type", "Question Text", "Step 1", "Step 1 marks", "Step 2 text"]
HEADER += ["Step 2 marks"]


def test_step_columns_become_the_marking_scheme():
    parsed = importer.parse_sheet(
        HEADER, [["XII", "Integrals", "VSA", "Integrate $x$.", "Rule", "1.5", "Answer", "0.5"]], UNITS
    )
    assert parsed.errors == []
    assert parsed.questions[0]["marking_scheme"] == [{"step": "Rule", "marks": 1.5}, {"step": "Answer", "marks": 0.5}]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["XII", "Integrals", "VSA", "q", "Rule", "x", "", ""], "Step 1 marks"),
        (["XII", "Integrals", "VSA", "q", "", "", "Answer", ""], "Step 2 marks"),
        (["XII", "Integrals", "MCQ", "q", "Rule", "1", "", ""], "Step 1"),
        (["XII", "Integrals", "VSA", "q", "Rule", "1", "", ""], "Step 1"),  # adds up to 1, not 2
    ],
)
def test_bad_step_columns_are_errors_of_their_row(row, column):
    parsed = importer.parse_sheet(HEADER, [row], UNITS)
    assert parsed.questions == [] and column in {e.column for e in parsed.errors}, parsed.errors
