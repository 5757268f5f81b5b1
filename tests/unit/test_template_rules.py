"""Exam template rules (pure) and the default templates (questions/template_defaults.py)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.questions.template_defaults import SYLLABUS_ORDER, chapter_weights, default_templates
from mathvidya.questions.template_rules import needs_manual_evaluation, template_problems

UNITS = {klass: list(units) for klass, units in SYLLABUS_ORDER.items()}


def board(**overrides):
    template = copy.deepcopy(next(t for t in default_templates() if t["exam_type"] == "board_exam"))
    template.update(overrides)
    return template


def unit_practice(**overrides):
    template = copy.deepcopy(
        next(t for t in default_templates() if t["exam_type"] == "unit_practice" and t["class"] == "XII")
    )
    template.update(overrides)
    return template


def section(template, index=0, **changes):
    template["config"]["sections"][index].update(changes)
    return template


def problems_of(template):
    return template_problems(template, UNITS.get(template.get("class")))


def test_every_default_template_passes_its_own_validator():
    for template in default_templates():
        assert problems_of(template) == {}, template["template_name"]


def test_default_template_set_matches_the_product():
    templates = default_templates()
    assert len(templates) == 37
    per_class = {klass: [t for t in templates if t["class"] == klass] for klass in ("X", "XII")}
    for klass, units in UNITS.items():
        practice = [t for t in per_class[klass] if t["exam_type"] == "unit_practice"]
        assert [t["specific_unit"] for t in practice] == units
        assert {t["config"]["total_marks"] for t in practice} == {29}
        assert {t["config"]["duration_minutes"] for t in practice} == {45}
        boards = [t for t in per_class[klass] if t["exam_type"] == "board_exam"]
        assert len(boards) == 1
        config = boards[0]["config"]
        assert (config["total_marks"], config["duration_minutes"]) == (80, 180)
        assert [(s["question_type"], s["question_count"], s["marks_per_question"]) for s in config["sections"]] == [
            ("MCQ", 20, 1),
            ("VSA", 5, 2),
            ("SA", 6, 3),
            ("LA", 4, 5),
            ("CASE", 3, 4),
        ]
        assert sum(s["question_count"] for s in config["sections"]) == 38
        adaptive = [t for t in per_class[klass] if t["exam_type"] == "adaptive_practice"]
        assert len(adaptive) == 1
        assert [
            (s["question_type"], s["question_count"], s["marks_per_question"], s["unit_weightage"])
            for s in adaptive[0]["config"]["sections"]
        ] == [("MCQ", 10, 1, {}), ("VSA", 4, 2, {}), ("SA", 2, 3, {})]
        assert adaptive[0]["config"]["total_marks"] == 24
    assert len({t["template_id"] for t in templates}) == 37


def test_an_adaptive_template_names_no_units_and_other_templates_must():
    adaptive = copy.deepcopy(next(t for t in default_templates() if t["exam_type"] == "adaptive_practice"))
    adaptive["config"]["sections"][0]["unit_weightage"] = {"Integrals": 1.0}
    assert "names no units" in problems_of(adaptive)["config.sections.0.unit_weightage"][0]
    board = copy.deepcopy(next(t for t in default_templates() if t["exam_type"] == "board_exam"))
    board["config"]["sections"][0]["unit_weightage"] = {}
    assert "at least one unit" in problems_of(board)["config.sections.0.unit_weightage"][0]


@pytest.mark.parametrize("klass", ["X", "XII"])
def test_chapter_weights_split_unit_marks_equally_and_sum_to_one(klass):
    weights = chapter_weights(klass)
    assert list(weights) == UNITS[klass]
    assert abs(sum(Decimal(str(w)) for w in weights.values()) - 1) <= Decimal("0.001")
    if klass == "XII":
        assert weights["Integrals"] == 35 / 5 / 80
        assert weights["Matrices"] == weights["Determinants"] == 10 / 2 / 80
        assert weights["Probability"] == 8 / 80
    else:
        assert weights["Real Numbers"] == 6 / 80
        assert weights["Triangles"] == weights["Circles"] == 15 / 2 / 80
        assert weights["Statistics"] == 11 / 2 / 80


@pytest.mark.parametrize(
    ("template", "field", "message"),
    [
        (board(template_name=""), "template_name", "is required"),
        (board(**{"class": "XI"}), "class", "must be one of X, XII"),
        (board(exam_type="mock"), "exam_type", "must be one of"),
        (board(specific_unit="Matrices"), "specific_unit", "only unit_practice templates name a unit"),
        (unit_practice(specific_unit=None), "specific_unit", "a unit_practice template names its unit"),
        (unit_practice(specific_unit="Polynomials"), "specific_unit", "'Polynomials' is not a Class XII unit"),
        (board(config=None), "config", "is required"),
        (section(board(), 0, question_count=21), "config.total_marks", "sections add up to 81 marks"),
        (section(board(), 1, marks_per_question=3), "config.sections.1.marks_per_question", "a VSA question carries 2"),
        (section(board(), 3, marks_per_question=4), "config.sections.3.marks_per_question", "carries 5 or 6 marks"),
        (section(board(), 0, question_type="ESSAY"), "config.sections.0.question_type", "must be one of"),
        (section(board(), 0, question_count=0), "config.sections.0.question_count", "from 1 to 100"),
        (section(board(), 0, question_count=2.5), "config.sections.0.question_count", "whole number"),
        (section(board(), 0, section_name=""), "config.sections.0.section_name", "is required"),
        (section(board(), 1, section_name="Section A"), "config.sections", "section names must be unique"),
        (section(board(), 0, unit_weightage={}), "config.sections.0.unit_weightage", "at least one unit"),
        (
            section(board(), 0, unit_weightage={"Matrices": 0.5, "Determinants": 0.498}),
            "config.sections.0.unit_weightage",
            "weights must add up to 1 (±0.001); they add up to 0.998",
        ),
        (
            section(board(), 0, unit_weightage={"Matrices": 1.5, "Determinants": -0.5}),
            "config.sections.0.unit_weightage",
            "weights must be numbers above 0",
        ),
        (
            section(board(), 0, unit_weightage={"Matrices": 0.5, "Polynomials": 0.5}),
            "config.sections.0.unit_weightage",
            "not Class XII units: Polynomials",
        ),
        (
            section(unit_practice(), 0, unit_weightage={"Determinants": 1}),
            "config.sections.0.unit_weightage",
            "a unit_practice template draws only from 'Relations and Functions'",
        ),
        (board(exam_type="section_mcq"), "config.sections.1.question_type", "a section_mcq template has only MCQ"),
    ],
)
def test_each_template_rule_names_its_field(template, field, message):
    problems = problems_of(template)
    assert field in problems, problems
    assert any(message in text for text in problems[field]), problems[field]


@pytest.mark.parametrize(("duration", "ok"), [(0, False), (1, True), (300, True), (301, False), (45.5, False)])
def test_duration_bounds(duration, ok):
    template = board()
    template["config"]["duration_minutes"] = duration
    assert ("config.duration_minutes" not in problems_of(template)) is ok


@pytest.mark.parametrize(("total", "ok"), [(80, True), (80.0, True), (79, False), (0, False), (-80, False)])
def test_total_marks_must_equal_the_sections(total, ok):
    template = board()
    template["config"]["total_marks"] = total
    assert ("config.total_marks" not in problems_of(template)) is ok


@given(st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=13))
def test_normalised_weights_always_pass(raw):
    units = UNITS["XII"][: len(raw)]
    weights = {unit: value / sum(raw) for unit, value in zip(units, raw, strict=True)}
    template = section(board(), 0, unit_weightage=weights)
    assert "config.sections.0.unit_weightage" not in problems_of(template)


def test_manual_evaluation_is_needed_for_any_written_section():
    by_type = {t["exam_type"]: t for t in default_templates() if t["class"] == "XII"}
    assert needs_manual_evaluation(by_type["board_exam"]["config"])
    assert needs_manual_evaluation(by_type["section_sa"]["config"])
    assert not needs_manual_evaluation(by_type["section_mcq"]["config"])
