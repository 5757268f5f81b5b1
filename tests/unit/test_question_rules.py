"""The question rules (pure): each one refused with its message, good questions accepted."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.questions import rules
from mathvidya.questions.template_defaults import SYLLABUS_ORDER

XII = list(SYLLABUS_ORDER["XII"])


def mcq(**overrides):
    question = {
        "class": "XII",
        "unit": "Matrices",
        "question_type": "MCQ",
        "marks": 1,
        "question_text": "What is $|I_2|$?",
        "mcq_choices": [{"label": "A", "text": "$0$"}, {"label": "B", "text": "$1$"}],
        "mcq_correct_choices": ["B"],
        "tags": [],
    }
    question.update(overrides)
    return question


def written(question_type, marks, **overrides):
    question = {"class": "XII", "unit": "Integrals", "question_type": question_type, "marks": marks,
                "question_text": "Evaluate $\\int_0^1 x\\,dx$."}  # fmt: skip
    question.update(overrides)
    return question


@pytest.mark.parametrize(
    "question",
    [
        mcq(),
        mcq(mcq_correct_choices=["A", "B"]),
        mcq(mcq_choices=[{"label": "A", "image_key": "question-images/new/u/a.png"}, {"label": "B", "text": "x"}]),
        mcq(question_text=None, question_image_key="question-images/q/2/x.png"),
        written("VSA", 2),
        written("SA", 3),
        written("LA", 5),
        written("LA", 6),
        written("LA", 6.0),
        written("CASE", 4, cbse_year=2024, tags=["case study"]),
        written("SA", 3, mcq_choices=None, mcq_correct_choices=[]),
    ],
)
def test_good_questions_pass(question):
    assert rules.question_problems(question, XII) == {}


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (mcq(**{"class": "XI"}), "class", "must be one of X, XII"),
        (mcq(unit="Real Numbers"), "unit", "'Real Numbers' is not a Class XII unit"),
        (mcq(unit=""), "unit", "is required"),
        (mcq(question_type="ESSAY"), "question_type", "must be one of MCQ, VSA, SA, LA, CASE"),
        (mcq(marks=2), "marks", "a MCQ question carries 1 mark"),
        (mcq(marks=None), "marks", "is required: a MCQ question carries 1 mark"),
        (written("VSA", 3), "marks", "a VSA question carries 2 marks"),
        (written("SA", 2), "marks", "a SA question carries 3 marks"),
        (written("LA", 5.5), "marks", "a LA question carries 5 or 6 marks"),
        (written("CASE", 5), "marks", "a CASE question carries 4 marks"),
        (written("SA", 3, question_text=" "), "question_text", "a question needs text or an image"),
        (written("SA", 3, question_text="x" * 20_001), "question_text", "must be at most 20000 characters"),
        (written("SA", 3, topic="t" * 201), "topic", "must be at most 200 characters"),
        (written("SA", 3, difficulty="trivial"), "difficulty", "must be one of easy, medium, hard"),
        (written("SA", 3, cbse_year=1949), "cbse_year", "must be between 1950 and 2200"),
        (written("SA", 3, cbse_year="2024"), "cbse_year", "must be a year"),
        (written("SA", 3, tags=[""]), "tags", "every tag must be a non-empty string"),
        (written("SA", 3, tags=["x" * 51]), "tags", "every tag must be at most 50 characters"),
        (written("SA", 3, tags=[f"t{i}" for i in range(21)]), "tags", "at most 20 tags"),
        (written("SA", 3, diagram_image_key="answer-sheets/e/s/1"), "diagram_image_key", "under question-images/"),
        (written("SA", 3, question_image_key="question-images/../secret"), "question_image_key", "question-images/"),
        (mcq(mcq_choices=None), "mcq_choices", "an MCQ needs at least 2 choices"),
        (mcq(mcq_choices=[{"label": "A", "text": "1"}]), "mcq_choices", "an MCQ needs at least 2 choices"),
        (
            mcq(mcq_choices=[{"label": letter, "text": letter} for letter in string.ascii_uppercase[:11]]),
            "mcq_choices",
            "an MCQ has at most 10 choices",
        ),
        (
            mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "A", "text": "2"}]),
            "mcq_choices",
            "choice labels must be unique (repeated: A)",
        ),
        (
            mcq(mcq_choices=[{"label": "B", "text": "1"}, {"label": "C", "text": "2"}], mcq_correct_choices=["B"]),
            "mcq_choices",
            "choice labels must be A, B in order (got B, C)",
        ),
        (
            mcq(mcq_choices=[{"label": "B", "text": "1"}, {"label": "A", "text": "2"}]),
            "mcq_choices",
            "choice labels must be A, B in order (got B, A)",
        ),
        (mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "B", "text": " "}]), "mcq_choices", "choice B needs"),
        (
            mcq(mcq_choices=[{"label": "A", "text": "1"}, {"label": "B", "image_key": "s3://x"}]),
            "mcq_choices",
            "choice B image_key must be a key under question-images/",
        ),
        (mcq(mcq_correct_choices=None), "mcq_correct_choices", "an MCQ needs at least one correct choice label"),
        (mcq(mcq_correct_choices=[]), "mcq_correct_choices", "an MCQ needs at least one correct choice label"),
        (mcq(mcq_correct_choices=["C"]), "mcq_correct_choices", "C is not a choice label (choices: A, B)"),
        (mcq(mcq_correct_choices=["A", "A"]), "mcq_correct_choices", "correct labels must not repeat"),
        (
            written("SA", 3, mcq_choices=[{"label": "A", "text": "1"}, {"label": "B", "text": "2"}]),
            "mcq_choices",
            "only MCQ questions have choices",
        ),
        (written("SA", 3, mcq_correct_choices=["A"]), "mcq_correct_choices", "only MCQ questions have correct choices"),
    ],
)
def test_each_rule_names_its_field_and_reason(question, field, message):
    problems = rules.question_problems(question, XII)
    assert field in problems, problems
    assert any(message in text for text in problems[field]), problems[field]


def test_unknown_class_skips_the_unit_list():
    problems = rules.question_problems(mcq(**{"class": "IX"}), None)
    assert set(problems) == {"class"}


def test_marks_match_type_table():
    assert rules.marks_match_type("MCQ", 1) and rules.marks_match_type("MCQ", "1.0")
    assert rules.marks_match_type("LA", 5) and rules.marks_match_type("LA", 6)
    assert not rules.marks_match_type("LA", 4) and not rules.marks_match_type("MCQ", "one")
    assert not rules.marks_match_type("ESSAY", 1)


def test_clean_tags_trims_and_drops_repeats():
    assert rules.clean_tags([" Matrices ", "matrices", "PYQ  2023", ""]) == ["Matrices", "PYQ 2023"]


def test_normalise_unit_forgives_case_and_spacing():
    assert rules.normalise_unit("  three   dimensional geometry", XII) == "Three Dimensional Geometry"
    assert rules.normalise_unit("Geometry", XII) is None


def test_content_and_changed_fields():
    before = mcq(marks=1, tags=["a"], topic="t")
    after = {**before, "topic": "u", "marks": 1.0}
    assert rules.changed_fields(before, after) == ["topic"]
    assert rules.content_of(before)["marks"] == 1


@given(st.integers(min_value=2, max_value=10), st.data())
def test_any_consecutive_labels_with_a_correct_subset_pass(count, data):
    labels = list(string.ascii_uppercase[:count])
    correct = data.draw(st.lists(st.sampled_from(labels), min_size=1, unique=True))
    question = mcq(mcq_choices=[{"label": label, "text": label} for label in labels], mcq_correct_choices=correct)
    assert rules.question_problems(question, XII) == {}


@given(st.lists(st.sampled_from(list("ABCDEFGHIJ")), min_size=2, max_size=10))
def test_labels_pass_only_when_they_are_a_b_c_in_order(labels):
    question = mcq(mcq_choices=[{"label": label, "text": "x"} for label in labels], mcq_correct_choices=[labels[0]])
    ok = labels == list(string.ascii_uppercase[: len(labels)])
    assert ("mcq_choices" not in rules.question_problems(question, XII)) is ok
