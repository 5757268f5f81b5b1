"""The rules an exam template must satisfy (pure: no I/O).

A template is the exam pattern as data; exam generation trusts it, so every rule that
generation relies on is checked here: sections add up to the total, marks per question
match the type, weights are units of the class and sum to 1, unit_practice names its unit,
adaptive_practice names none (its units are the student's own, chosen at start).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from mathvidya.questions.rules import CLASSES, QUESTION_TYPES, marks_match_type, marks_message, nul_problems

EXAM_TYPES = ("board_exam", "section_mcq", "section_vsa", "section_sa", "unit_practice", "adaptive_practice")
# Exam types whose sections leave unit_weightage empty: the exam chooses the units per student.
STUDENT_UNIT_EXAM_TYPES = ("adaptive_practice",)
SECTION_EXAM_TYPES = {"section_mcq": "MCQ", "section_vsa": "VSA", "section_sa": "SA"}
WEIGHT_TOLERANCE = Decimal("0.001")
MIN_DURATION, MAX_DURATION = 1, 300
MAX_SECTIONS = 10
MAX_QUESTIONS_PER_SECTION = 100
MAX_NAME_LENGTH = 200

Problems = dict[str, list[str]]


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_weights(where: str, weights: Any, units: list[str] | None, klass: str, problems: Problems) -> None:
    if not isinstance(weights, Mapping) or not weights:
        _add(problems, where, "must name at least one unit with its weight")
        return
    if units is not None:
        unknown = [unit for unit in weights if unit not in units]
        if unknown:
            _add(problems, where, f"not Class {klass} units: {', '.join(sorted(unknown))}")
    bad = [unit for unit, weight in weights.items() if not _is_number(weight) or not weight > 0]
    if bad:
        _add(problems, where, f"weights must be numbers above 0 (see {', '.join(sorted(bad))})")
        return
    total = sum(Decimal(str(weight)) for weight in weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        _add(problems, where, f"weights must add up to 1 (±{WEIGHT_TOLERANCE}); they add up to {total.normalize()}")


def _check_section(
    index: int, section: Any, template: Mapping[str, Any], units: list[str] | None, problems: Problems
) -> Decimal | None:
    """Problems of one section; its marks when they can be counted."""
    where = f"config.sections.{index}"
    if not isinstance(section, Mapping):
        _add(problems, where, "must be an object")
        return None
    name = section.get("section_name")
    if not isinstance(name, str) or not name.strip():
        _add(problems, f"{where}.section_name", "is required")
    question_type = section.get("question_type")
    exam_type = template.get("exam_type")
    if question_type not in QUESTION_TYPES:
        _add(problems, f"{where}.question_type", f"must be one of {', '.join(QUESTION_TYPES)}")
    elif exam_type in SECTION_EXAM_TYPES and question_type != SECTION_EXAM_TYPES[exam_type]:
        _add(
            problems,
            f"{where}.question_type",
            f"a {exam_type} template has only {SECTION_EXAM_TYPES[exam_type]} sections",
        )
    count = section.get("question_count")
    if not _is_whole(count) or not 1 <= count <= MAX_QUESTIONS_PER_SECTION:
        _add(problems, f"{where}.question_count", f"must be a whole number from 1 to {MAX_QUESTIONS_PER_SECTION}")
        count = None
    _check_internal_choice(where, section, question_type, count, problems)
    marks = section.get("marks_per_question")
    if not _is_number(marks):
        _add(problems, f"{where}.marks_per_question", "must be a number")
        marks = None
    elif question_type in QUESTION_TYPES and not marks_match_type(question_type, marks):
        _add(problems, f"{where}.marks_per_question", marks_message(question_type))
    weights = section.get("unit_weightage")
    if exam_type in STUDENT_UNIT_EXAM_TYPES:
        if weights != {}:
            _add(problems, f"{where}.unit_weightage", f"an {exam_type} template names no units: give {{}}")
    else:
        _check_weights(f"{where}.unit_weightage", weights, units, str(template.get("class")), problems)
    specific_unit = template.get("specific_unit")
    if (
        exam_type == "unit_practice"
        and isinstance(weights, Mapping)
        and specific_unit
        and set(weights) != {specific_unit}
    ):
        _add(problems, f"{where}.unit_weightage", f"a unit_practice template draws only from {specific_unit!r}")
    if count is None or marks is None:
        return None
    return Decimal(str(marks)) * count


def _check_internal_choice(
    where: str, section: Mapping[str, Any], question_type: Any, count: int | None, problems: Problems
) -> None:
    """The last ``internal_choice_count`` questions of a written section offer two alternatives."""
    if "internal_choice_count" not in section:
        return
    choices = section["internal_choice_count"]
    field = f"{where}.internal_choice_count"
    if not _is_whole(choices) or choices < 0:
        _add(problems, field, "must be a whole number of at least 0")
    elif question_type == "MCQ" and choices:
        _add(problems, field, "MCQ sections have no internal choice")
    elif count is not None and choices > count:
        _add(problems, field, f"must be at most the section's question_count ({count})")


def internal_choice_count(section: Mapping[str, Any]) -> int:
    """How many of a section's questions offer a choice (0 when the template says nothing)."""
    return int(section.get("internal_choice_count") or 0)


def template_problems(template: Mapping[str, Any], units: Iterable[str] | None) -> Problems:
    """Every broken rule of a complete template, per field path (empty when it may be stored).

    ``units`` is the CBSE unit list of the template's class (None when the class is unknown).
    """
    problems: Problems = nul_problems(template)
    if problems:
        return problems
    unit_list = list(units) if units is not None else None
    name = template.get("template_name")
    if not isinstance(name, str) or not name.strip():
        _add(problems, "template_name", "is required")
    elif len(name) > MAX_NAME_LENGTH:
        _add(problems, "template_name", f"must be at most {MAX_NAME_LENGTH} characters")
    klass = template.get("class")
    if klass not in CLASSES:
        _add(problems, "class", f"must be one of {', '.join(CLASSES)}")
    exam_type = template.get("exam_type")
    if exam_type not in EXAM_TYPES:
        _add(problems, "exam_type", f"must be one of {', '.join(EXAM_TYPES)}")
    specific_unit = template.get("specific_unit")
    if exam_type == "unit_practice":
        if not isinstance(specific_unit, str) or not specific_unit.strip():
            _add(problems, "specific_unit", "a unit_practice template names its unit")
        elif unit_list is not None and specific_unit not in unit_list:
            _add(problems, "specific_unit", f"{specific_unit!r} is not a Class {klass} unit")
    elif specific_unit is not None:
        _add(problems, "specific_unit", "only unit_practice templates name a unit")

    config = template.get("config")
    if not isinstance(config, Mapping):
        _add(problems, "config", "is required: {total_marks, duration_minutes, sections}")
        return problems
    total = config.get("total_marks")
    if not _is_number(total) or not total > 0:
        _add(problems, "config.total_marks", "must be a number above 0")
        total = None
    duration = config.get("duration_minutes")
    if not _is_whole(duration) or not MIN_DURATION <= duration <= MAX_DURATION:
        _add(
            problems,
            "config.duration_minutes",
            f"must be a whole number of minutes from {MIN_DURATION} to {MAX_DURATION}",
        )
    sections = config.get("sections")
    if not isinstance(sections, list) or not sections:
        _add(problems, "config.sections", "a template needs at least one section")
        return problems
    if len(sections) > MAX_SECTIONS:
        _add(problems, "config.sections", f"at most {MAX_SECTIONS} sections")
    names = [s.get("section_name") for s in sections if isinstance(s, Mapping)]
    repeated = sorted({str(n) for n in names if n and names.count(n) > 1})
    if repeated:
        _add(problems, "config.sections", f"section names must be unique (repeated: {', '.join(repeated)})")
    section_marks = [_check_section(i, s, template, unit_list, problems) for i, s in enumerate(sections)]
    if total is not None and all(m is not None for m in section_marks):
        added = sum(section_marks, Decimal(0))
        if added != Decimal(str(total)):
            detail = " + ".join(
                f"{s['question_count']}×{s['marks_per_question']}" for s in sections if isinstance(s, Mapping)
            )
            _add(
                problems,
                "config.total_marks",
                f"sections add up to {added.normalize()} marks ({detail}), not {Decimal(str(total)).normalize()}",
            )
    return problems


def needs_manual_evaluation(config: Mapping[str, Any]) -> bool:
    """A template with any written (non-MCQ) section needs a plan with manual evaluation."""
    return any(section.get("question_type") != "MCQ" for section in config.get("sections", []))
