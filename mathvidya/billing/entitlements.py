"""What a plan row allows (pure): the rules behind EXAM_TYPE_NOT_IN_PLAN and the
leaderboard. Plans are data an admin edits, so these read the row, never the plan name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# exam_type → the plan column that allows it
EXAM_TYPE_FLAGS = {
    "board_exam": "allows_board_exam",
    "section_mcq": "allows_section_exam",
    "section_vsa": "allows_section_exam",
    "section_sa": "allows_section_exam",
    "unit_practice": "allows_unit_practice",
    "adaptive_practice": "allows_unit_practice",  # practice of the student's weakest units
}


def exam_refusal_reason(plan: Mapping[str, Any], exam_type: str, has_written_questions: bool) -> str | None:
    """Why ``plan`` may not start this exam, or None when it may.

    Reasons: "exam_type_not_allowed" (the type's flag is off) and
    "manual_evaluation_not_included" (written questions need a plan with manual marking).
    """
    flag = EXAM_TYPE_FLAGS.get(exam_type)
    if flag is None:
        raise ValueError(f"unknown exam type {exam_type!r}")
    if not plan[flag]:
        return "exam_type_not_allowed"
    if has_written_questions and not plan["manual_evaluation_included"]:
        return "manual_evaluation_not_included"
    return None


def leaderboard_eligible(plan: Mapping[str, Any] | None) -> bool:
    return bool(plan and plan["leaderboard_access"])
