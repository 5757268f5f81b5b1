"""The default exam templates (pure data; docs/questions.md).

Migration 0005 seeds exactly these rows, and migration 0015 the adaptive practice papers
(tests compare the two); ids are fixed uuid5s so the seed is re-runnable and the down
migration can find its own rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

TEMPLATE_NAMESPACE = uuid.UUID("6d1f4a52-6c2b-4a8e-9a59-3f1f0c0b5d11")
BOARD_TOTAL = 80

# CBSE unit (marks out of 80) → its chapters, which share the unit's marks equally.
UNIT_GROUPS: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {
    "XII": (
        ("Relations and Functions", 8, ("Relations and Functions", "Inverse Trigonometric Functions")),
        ("Algebra", 10, ("Matrices", "Determinants")),
        (
            "Calculus",
            35,
            (
                "Continuity and Differentiability",
                "Application of Derivatives",
                "Integrals",
                "Application of Integrals",
                "Differential Equations",
            ),
        ),
        ("Vectors and Three-Dimensional Geometry", 14, ("Vector Algebra", "Three Dimensional Geometry")),
        ("Linear Programming", 5, ("Linear Programming",)),
        ("Probability", 8, ("Probability",)),
    ),
    "X": (
        ("Number Systems", 6, ("Real Numbers",)),
        (
            "Algebra",
            20,
            (
                "Polynomials",
                "Pair of Linear Equations in Two Variables",
                "Quadratic Equations",
                "Arithmetic Progressions",
            ),
        ),
        ("Coordinate Geometry", 6, ("Coordinate Geometry",)),
        ("Geometry", 15, ("Triangles", "Circles")),
        ("Trigonometry", 12, ("Introduction to Trigonometry", "Some Applications of Trigonometry")),
        ("Mensuration", 10, ("Areas Related to Circles", "Surface Areas and Volumes")),
        ("Statistics and Probability", 11, ("Statistics", "Probability")),
    ),
}

# Syllabus order (the cbse_units_class_* settings of migration 0002).
SYLLABUS_ORDER: dict[str, tuple[str, ...]] = {
    "XII": (
        "Relations and Functions",
        "Inverse Trigonometric Functions",
        "Matrices",
        "Determinants",
        "Continuity and Differentiability",
        "Application of Derivatives",
        "Integrals",
        "Application of Integrals",
        "Differential Equations",
        "Vector Algebra",
        "Three Dimensional Geometry",
        "Linear Programming",
        "Probability",
    ),
    "X": (
        "Real Numbers",
        "Polynomials",
        "Pair of Linear Equations in Two Variables",
        "Quadratic Equations",
        "Arithmetic Progressions",
        "Triangles",
        "Coordinate Geometry",
        "Introduction to Trigonometry",
        "Some Applications of Trigonometry",
        "Circles",
        "Areas Related to Circles",
        "Surface Areas and Volumes",
        "Statistics",
        "Probability",
    ),
}


def chapter_weights(klass: str) -> dict[str, float]:
    """Each chapter's share of the board paper: its unit's marks / chapters / 80 (sums to 1)."""
    shares: dict[str, Decimal] = {}
    for _unit, marks, chapters in UNIT_GROUPS[klass]:
        for chapter in chapters:
            shares[chapter] = Decimal(marks) / len(chapters) / BOARD_TOTAL
    return {chapter: float(shares[chapter]) for chapter in SYLLABUS_ORDER[klass]}


# Internal choices of the board paper per class and section (docs/exams.md says why):
# sections B–D as the board's papers offer them, and one in every case study of section E.
BOARD_CHOICES: dict[str, dict[str, int]] = {
    "XII": {"Section B": 2, "Section C": 3, "Section D": 2, "Section E": 3},
    "X": {"Section B": 2, "Section C": 2, "Section D": 2, "Section E": 3},
}


def _section(
    name: str, question_type: str, count: int, marks: int, weights: dict[str, float], choices: int = 0
) -> dict[str, Any]:
    section = {
        "section_name": name,
        "question_type": question_type,
        "question_count": count,
        "marks_per_question": marks,
        "unit_weightage": dict(weights),
    }
    if choices:
        section["internal_choice_count"] = choices
    return section


def _template(klass: str, exam_type: str, name: str, duration: int, sections: list[dict], unit: str | None = None):
    key = f"mathvidya-default-template:{klass}:{exam_type}:{unit or ''}"
    return {
        "template_id": str(uuid.uuid5(TEMPLATE_NAMESPACE, key)),
        "template_name": name,
        "class": klass,
        "exam_type": exam_type,
        "specific_unit": unit,
        "config": {
            "total_marks": sum(s["question_count"] * s["marks_per_question"] for s in sections),
            "duration_minutes": duration,
            "sections": sections,
        },
    }


def adaptive_practice_template(klass: str) -> dict[str, Any]:
    """The adaptive practice paper of a class: its sections name no unit, because the units
    are the student's own, chosen when the exam starts (mathvidya/exams/adaptive.py)."""
    return _template(
        klass,
        "adaptive_practice",
        f"Adaptive practice: your weakest units (Class {klass})",
        40,
        [
            _section("Section A", "MCQ", 10, 1, {}),
            _section("Section B", "VSA", 4, 2, {}),
            _section("Section C", "SA", 2, 3, {}),
        ],
    )


def seeded_template_id(klass: str, exam_type: str) -> str:
    """The id of the seeded template of a class and exam type (not unit practice: one per unit)."""
    for template in _default_templates():
        if template["class"] == klass and template["exam_type"] == exam_type:
            return template["template_id"]
    raise KeyError((klass, exam_type))


def board_unit_weights(config: Mapping[str, Any] | None) -> dict[str, float]:
    """Each unit's share of a board template's marks (sections' unit weightage × marks), in the
    order the template first names them."""
    sections = (config or {}).get("sections") or []
    weights: dict[str, float] = defaultdict(float)
    total = 0.0
    for section in sections:
        marks = float(section.get("question_count", 0)) * float(section.get("marks_per_question", 0))
        total += marks
        for unit, weight in (section.get("unit_weightage") or {}).items():
            weights[unit] += marks * float(weight)
    if total <= 0:
        return {}
    return {unit: value / total for unit, value in weights.items() if value > 0}


def cbse_weights_from(board_row: Mapping[str, Any] | None, klass: str) -> dict[str, float]:
    """The CBSE weight of each unit from the seeded board template's row (as an admin may
    have edited it); the default template's weights when that row is missing or unusable.
    In syllabus order, then any other unit by name (a stored config's key order is jsonb's,
    not the author's)."""
    usable = board_row is not None and board_row.get("exam_type") == "board_exam"
    weights = (board_unit_weights(board_row["config"]) if usable else {}) or chapter_weights(klass)
    syllabus = [unit for unit in SYLLABUS_ORDER.get(klass, ()) if unit in weights]
    return {unit: weights[unit] for unit in [*syllabus, *sorted(set(weights) - set(syllabus))]}


@cache
def _default_templates() -> tuple[dict[str, Any], ...]:
    return tuple(default_templates())


def default_templates() -> list[dict[str, Any]]:
    """Per class: the board paper, three section drills, one unit practice per chapter and
    the adaptive practice paper."""
    templates = []
    for klass in ("XII", "X"):
        weights = chapter_weights(klass)
        templates.append(
            _template(
                klass,
                "board_exam",
                f"CBSE board pattern (Class {klass})",
                180,
                [
                    _section("Section A", "MCQ", 20, 1, weights),
                    _section("Section B", "VSA", 5, 2, weights, BOARD_CHOICES[klass]["Section B"]),
                    _section("Section C", "SA", 6, 3, weights, BOARD_CHOICES[klass]["Section C"]),
                    _section("Section D", "LA", 4, 5, weights, BOARD_CHOICES[klass]["Section D"]),
                    _section("Section E", "CASE", 3, 4, weights, BOARD_CHOICES[klass]["Section E"]),
                ],
            )
        )
        templates.append(
            _template(
                klass,
                "section_mcq",
                f"MCQ section practice (Class {klass})",
                30,
                [_section("Section A", "MCQ", 20, 1, weights)],
            )
        )
        templates.append(
            _template(
                klass,
                "section_vsa",
                f"VSA section practice (Class {klass})",
                30,
                [_section("Section B", "VSA", 10, 2, weights)],
            )
        )
        templates.append(
            _template(
                klass,
                "section_sa",
                f"SA section practice (Class {klass})",
                45,
                [_section("Section C", "SA", 6, 3, weights)],
            )
        )
        for chapter in SYLLABUS_ORDER[klass]:
            only = {chapter: 1.0}
            templates.append(
                _template(
                    klass,
                    "unit_practice",
                    f"Unit practice: {chapter} (Class {klass})",
                    45,
                    [
                        _section("Section A", "MCQ", 10, 1, only),
                        _section("Section B", "VSA", 5, 2, only),
                        _section("Section C", "SA", 3, 3, only),
                    ],
                    unit=chapter,
                )
            )
        templates.append(adaptive_practice_template(klass))
    return templates
