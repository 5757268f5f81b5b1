"""What to practise next (pure; docs/insights.md, "Recommendations").

Weak units come from the adaptive practice rules (mathvidya/exams/adaptive.py: one place
for "weak" and for the ranking); this module turns them into suggestions, each naming a
template the student's plan allows and saying why in words a student reads:

- weak units: adaptive practice first (it draws from them), then the unit practice paper
  of each weak unit, weakest first, then the board paper once ``PRACTICES_BEFORE_BOARD``
  practice papers were evaluated since the last board paper;
- no evaluated exam yet: the board paper first (it measures every unit), then adaptive
  practice (from the units with the most board marks);
- evaluated exams but no weak unit: the board paper, then adaptive practice.

At most ``MAX_SUGGESTIONS`` suggestions; a template the plan does not allow (or without a
plan: any) is never named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mathvidya.billing.entitlements import exam_refusal_reason
from mathvidya.exams.adaptive import WEAK_BELOW_PERCENT, PracticeUnit, UnitEvidence
from mathvidya.questions.template_rules import needs_manual_evaluation

MAX_SUGGESTIONS = 5
PRACTICES_BEFORE_BOARD = 3


def two_places(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _percent_text(value: float) -> str:
    text = f"{two_places(value):.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _names(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def weak_unit_view(unit: UnitEvidence) -> dict[str, Any]:
    return {
        "unit": unit.unit,
        "score_percentage": two_places(unit.percentage),
        "class_average": two_places(unit.class_average),
        "exams": unit.exams,
    }


def allowed(plan: Mapping[str, Any] | None, template: Mapping[str, Any]) -> bool:
    """Whether the plan row lets the student start this template (the billing rule)."""
    if plan is None:
        return False
    written = needs_manual_evaluation(template.get("config") or {})
    return exam_refusal_reason(plan, template["exam_type"], written) is None


def _first(templates: Sequence[Mapping[str, Any]], preferred_id: str | None = None) -> Mapping[str, Any] | None:
    for template in templates:
        if str(template["template_id"]) == preferred_id:
            return template
    return templates[0] if templates else None


def _suggestion(template: Mapping[str, Any], reason: str) -> dict[str, Any]:
    return {"template_id": template["template_id"], "template_name": template["template_name"], "reason": reason}


def _adaptive_reason(units: Sequence[PracticeUnit], weak: Sequence[UnitEvidence], has_history: bool) -> str:
    if not has_history:
        names = _names([unit.unit for unit in units])
        return f"A first practice paper from the units that carry the most board marks: {names}."
    levels = [
        f"{unit.unit} ({_percent_text(unit.level * 100)})" if unit.level is not None else unit.unit for unit in units
    ]
    if weak:
        return f"Questions at your level from your weakest units: {_names(levels)}."
    return f"No unit is weak right now; this keeps your three lowest moving: {_names(levels)}."


def _unit_reason(unit: UnitEvidence) -> str:
    score = _percent_text(unit.percentage)
    if unit.class_average is not None and unit.class_average > unit.percentage:
        return f"{unit.unit}: {score} against a class average of {_percent_text(unit.class_average)}."
    return f"{unit.unit}: {score}, under {_percent_text(WEAK_BELOW_PERCENT)}."


def _board_reason(has_history: bool, weak: Sequence[UnitEvidence], practices_since_board: int) -> str | None:
    """Why a board paper now, or None when it is not the moment."""
    if not has_history:
        return "A full board paper shows where you stand in every unit."
    if not weak:
        return "No weak units right now: a full board paper keeps every unit sharp."
    if practices_since_board >= PRACTICES_BEFORE_BOARD:
        return f"{practices_since_board} practice papers since your last board paper: time for a full one."
    return None


def next_steps(
    *,
    weak: Sequence[UnitEvidence],
    practice_units: Sequence[PracticeUnit],
    has_history: bool,
    practices_since_board: int,
    templates: Sequence[Mapping[str, Any]],
    plan: Mapping[str, Any] | None,
    seeded_ids: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The suggestions, in the order of the module rules. ``seeded_ids``: exam type → the
    seeded template to prefer among several of that type (else the first by name)."""
    seeded_ids = seeded_ids or {}
    usable = [t for t in templates if allowed(plan, t)]
    adaptive_template = _first(
        [t for t in usable if t["exam_type"] == "adaptive_practice"], seeded_ids.get("adaptive_practice")
    )
    board_template = _first([t for t in usable if t["exam_type"] == "board_exam"], seeded_ids.get("board_exam"))
    adaptive = (
        _suggestion(adaptive_template, _adaptive_reason(practice_units, weak, has_history))
        if adaptive_template
        else None
    )
    board_reason = _board_reason(has_history, weak, practices_since_board)
    board = _suggestion(board_template, board_reason) if board_template and board_reason else None
    units = []
    for unit in weak:
        template = _first([t for t in usable if t["exam_type"] == "unit_practice" and t["specific_unit"] == unit.unit])
        if template:
            units.append(_suggestion(template, _unit_reason(unit)))
    ordered = [adaptive, *units, board] if weak else [board, adaptive]
    return [item for item in ordered if item is not None][:MAX_SUGGESTIONS]
