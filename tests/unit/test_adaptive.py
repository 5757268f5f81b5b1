"""Adaptive practice rules (mathvidya/exams/adaptive.py) and the recommendation order
(mathvidya/insights/recommendations.py): table tests and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams import adaptive, assembly
from mathvidya.exams.adaptive import Candidate, UnitEvidence
from mathvidya.insights import recommendations

BOARD = {"Heavy": 0.4, "Middle": 0.3, "Light": 0.2, "Tiny": 0.1}


@pytest.mark.parametrize(
    ("obtained", "possible", "average", "weak"),
    [
        (5.9, 10, None, True),  # 59 %: under 60
        (6, 10, None, False),  # 60 %: not under 60, no class to compare with
        (7, 10, 75, True),  # 5 points under the class
        (7, 10, 74.9, False),  # 4.9 points under
        (9, 10, 80, False),  # above the class
        (0, 4, None, False),  # 4 marks: not judged yet
        (0, 5, None, True),  # 5 marks: judged
    ],
)
def test_what_weak_means(obtained, possible, average, weak):
    assert UnitEvidence("U", obtained, possible, 1, average).weak is weak


def test_units_rank_weak_first_then_lowest_then_furthest_under_the_class():
    evidence = [
        UnitEvidence("Strong", 9, 10, 1, 80),
        UnitEvidence("UnderClass", 7, 10, 1, 85),  # weak by 15 points though at 70 %
        UnitEvidence("Low", 4, 10, 1, None),
        UnitEvidence("LowToo", 4, 10, 1, 50),  # same 40 % but 10 under the class: first
        UnitEvidence("Unjudged", 0, 3, 1, None),
        UnitEvidence("Fine", 6.5, 10, 1, 60),
    ]
    ranked = [u.unit for u in adaptive.rank_units(evidence, BOARD)]
    assert ranked == ["LowToo", "Low", "UnderClass", "Fine", "Strong"]
    assert [u.unit for u in adaptive.weak_units(evidence, BOARD)] == ["LowToo", "Low", "UnderClass"]


def test_equal_units_rank_by_board_weight_then_name():
    evidence = [UnitEvidence(name, 3, 10, 1) for name in ("Zeta", "Light", "Heavy", "Alpha")]
    assert [u.unit for u in adaptive.rank_units(evidence, BOARD)] == ["Heavy", "Light", "Alpha", "Zeta"]


def test_practice_units_fill_from_board_weight_and_weigh_three_two_one():
    evidence = [UnitEvidence("Light", 2, 10, 1, 60), UnitEvidence("Heavy", 1, 2, 1)]  # Heavy: not judged
    units = adaptive.practice_units(evidence, BOARD)
    assert [(u.unit, u.weight, u.source, u.level) for u in units] == [
        ("Light", 3, "weakest", 0.2),
        ("Heavy", 2, "board_weight", None),
        ("Middle", 1, "board_weight", None),
    ]
    assert units[0].target_facility == pytest.approx(0.9)
    assert units[1].target_facility == adaptive.TARGET_SUCCESS


@pytest.mark.parametrize(
    ("level", "average", "target"),
    [
        (None, None, 0.6),  # nothing known: the target success itself
        (0.6, 60, 0.6),  # an average student: questions of facility 0.6
        (0.2, 60, 0.9),  # logit .6 − logit .2 + logit .6 = logit .9: easier questions
        (0.9, 60, 0.2),  # logit .6 − logit .9 + logit .6 = logit .2: harder ones
        (0.55, None, 0.6),  # no class average: the nominal 0.55 stands in
        (0.0, 60, 0.9771),  # level held at 0.05: logit .6 + 2.9444 + logit .6 = 3.7554
    ],
)
def test_target_facility(level, average, target):
    assert adaptive.target_facility(level, average) == pytest.approx(target, abs=0.0001)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 100))
def test_a_weaker_student_never_gets_a_harder_target(low, high, average):
    low, high = sorted((low, high))
    assert adaptive.target_facility(low, average) >= adaptive.target_facility(high, average)


def test_unmeasured_questions_stand_at_their_declared_band_centre():
    assert adaptive.effective_facility(0.31, "easy") == 0.31
    assert [adaptive.effective_facility(None, d) for d in ("easy", "medium", "hard", None)] == [0.85, 0.55, 0.2, 0.55]


def test_preference_bands_measure_distance_from_the_units_target():
    bands = adaptive.preference_bands(
        [
            Candidate("exact", "U", 0.9, "hard"),
            Candidate("close", "U", 0.82, "hard"),
            Candidate("declared-easy", "U", None, "easy"),  # 0.85: 0.05 away
            Candidate("far", "U", 0.3, "easy"),
            Candidate("other-unit", "V", 0.6, "medium"),
        ],
        {"U": 0.9, "V": 0.6},
    )
    assert bands == {"exact": 0, "close": 0, "declared-easy": 0, "far": 6, "other-unit": 0}


# --- assembly with a preference ------------------------------------------------------------------


def _section(count: int = 3) -> assembly.SectionSpec:
    return assembly.SectionSpec("A", "MCQ", count, 1, {"U": 1})


@given(st.integers(0, 2**31 - 1))
def test_preferred_questions_are_drawn_first_and_the_draw_is_deterministic(seed):
    ids = [f"q{i:02}" for i in range(12)]
    preference = {qid: (0 if i in (3, 7, 9) else 1 + i % 3) for i, qid in enumerate(ids)}
    first = assembly.assemble([_section()], {("MCQ", "U"): ids}, frozenset(), seed, preference)
    again = assembly.assemble([_section()], {("MCQ", "U"): list(reversed(ids))}, frozenset(), seed, preference)
    assert first == again
    assert set(first.sections[0].question_ids) == {"q03", "q07", "q09"}


def test_unseen_questions_still_come_before_seen_ones():
    ids = ["near-seen", "far-unseen-1", "far-unseen-2"]
    preference = {"near-seen": 0, "far-unseen-1": 5, "far-unseen-2": 5}
    result = assembly.assemble([_section(2)], {("MCQ", "U"): ids}, frozenset({"near-seen"}), 1, preference)
    assert set(result.sections[0].question_ids) == {"far-unseen-1", "far-unseen-2"}


# --- the order of suggestions ---------------------------------------------------------------------

PLAN = {
    "allows_board_exam": True,
    "allows_section_exam": True,
    "allows_unit_practice": True,
    "manual_evaluation_included": True,
}
WRITTEN = {"sections": [{"question_type": "MCQ"}, {"question_type": "SA"}]}
TEMPLATES = [
    {"template_id": "ada", "template_name": "Adaptive", "exam_type": "adaptive_practice", "specific_unit": None},
    {"template_id": "board", "template_name": "Board", "exam_type": "board_exam", "specific_unit": None},
    {"template_id": "unit-low", "template_name": "Low", "exam_type": "unit_practice", "specific_unit": "Low"},
]
TEMPLATES = [{**t, "config": WRITTEN} for t in TEMPLATES]


def _steps(weak, has_history=True, practices=0, plan=PLAN):
    units = adaptive.practice_units(weak, BOARD)
    return [
        s["template_id"]
        for s in recommendations.next_steps(
            weak=weak,
            practice_units=units,
            has_history=has_history,
            practices_since_board=practices,
            templates=TEMPLATES,
            plan=plan,
        )
    ]


def test_the_order_of_suggestions():
    low = UnitEvidence("Low", 2, 10, 3, 50)
    assert _steps([low]) == ["ada", "unit-low"]
    assert _steps([low], practices=3) == ["ada", "unit-low", "board"]
    assert _steps([], has_history=False) == ["board", "ada"]
    assert _steps([]) == ["board", "ada"]
    assert _steps([low], plan={**PLAN, "allows_unit_practice": False}, practices=5) == ["board"]
    assert _steps([low], plan=None) == []
