"""Which exams a plan row allows (the rule behind EXAM_TYPE_NOT_IN_PLAN)."""

from __future__ import annotations

import pytest

from mathvidya.billing.entitlements import exam_refusal_reason, leaderboard_eligible

# The seeded plans (migration 0002), as rows
PLANS = {
    "basic": dict(
        allows_board_exam=True,
        allows_section_exam=True,
        allows_unit_practice=False,
        manual_evaluation_included=True,
        leaderboard_access=False,
    ),
    "premium_mcq": dict(
        allows_board_exam=True,
        allows_section_exam=True,
        allows_unit_practice=False,
        manual_evaluation_included=False,
        leaderboard_access=False,
    ),
    "premium": dict(
        allows_board_exam=True,
        allows_section_exam=True,
        allows_unit_practice=True,
        manual_evaluation_included=True,
        leaderboard_access=True,
    ),
}


@pytest.mark.parametrize(
    ("plan", "exam_type", "written", "reason"),
    [
        ("basic", "board_exam", True, None),
        ("basic", "section_mcq", False, None),
        ("basic", "section_vsa", True, None),
        ("basic", "section_sa", True, None),
        ("basic", "unit_practice", False, "exam_type_not_allowed"),
        ("premium_mcq", "section_mcq", False, None),
        ("premium_mcq", "board_exam", False, None),
        ("premium_mcq", "board_exam", True, "manual_evaluation_not_included"),
        ("premium_mcq", "section_vsa", True, "manual_evaluation_not_included"),
        ("premium_mcq", "unit_practice", False, "exam_type_not_allowed"),
        ("premium", "unit_practice", True, None),
        ("premium", "board_exam", True, None),
    ],
)
def test_exam_refusal_reason(plan, exam_type, written, reason):
    assert exam_refusal_reason(PLANS[plan], exam_type, written) == reason


def test_flags_are_read_from_the_row_not_the_plan_name():
    edited = {**PLANS["premium"], "allows_board_exam": False}
    assert exam_refusal_reason(edited, "board_exam", False) == "exam_type_not_allowed"


def test_unknown_exam_type_is_a_programming_error():
    with pytest.raises(ValueError):
        exam_refusal_reason(PLANS["basic"], "quiz", False)


def test_leaderboard_eligibility():
    assert leaderboard_eligible(PLANS["premium"])
    assert not leaderboard_eligible(PLANS["basic"])
    assert not leaderboard_eligible(None)
