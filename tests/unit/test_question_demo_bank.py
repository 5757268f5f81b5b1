"""The generated demo bank (pure): sizes, uniqueness, rules, and MCQ keys that are right."""

from __future__ import annotations

from collections import Counter

from mathvidya.questions import rules
from mathvidya.questions.demo_bank import PER_CHAPTER, demo_questions
from mathvidya.questions.template_defaults import SYLLABUS_ORDER


def test_every_chapter_has_every_type_in_the_planned_numbers():
    questions = demo_questions()
    counts = Counter((q["class"], q["unit"], q["question_type"]) for q in questions)
    for klass, units in SYLLABUS_ORDER.items():
        for unit in units:
            for question_type, count in PER_CHAPTER.items():
                assert counts[(klass, unit, question_type)] == count, (klass, unit, question_type)
    assert len(questions) == (13 + 14) * sum(PER_CHAPTER.values())


def test_demo_questions_pass_the_rules_and_are_never_duplicates():
    questions = demo_questions()
    for question in questions:
        assert rules.question_problems(question, SYLLABUS_ORDER[question["class"]]) == {}, question
    keys = Counter(
        (q["class"], q["unit"], q["question_type"], rules.normalised_text(q["question_text"])) for q in questions
    )
    assert max(keys.values()) == 1


def test_mcq_keys_point_at_the_answer_and_move_round_the_labels():
    mcqs = [q for q in demo_questions() if q["question_type"] == "MCQ"]
    for question in mcqs:
        (label,) = question["mcq_correct_choices"]
        chosen = next(c for c in question["mcq_choices"] if c["label"] == label)
        assert chosen["text"] == question["correct_answer_text"]
        assert len({c["text"] for c in question["mcq_choices"]}) == len(question["mcq_choices"])
    assert Counter(q["mcq_correct_choices"][0] for q in mcqs).keys() == {"A", "B", "C", "D"}


def test_generation_is_deterministic():
    assert demo_questions() == demo_questions()
