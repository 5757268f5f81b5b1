"""The predicted board score: hand-worked tables, the evidence rules, properties, the step
rule, and a small backtest in which the model must be no worse than the step rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mathvidya.insights.prediction import (
    MIN_EXAMS,
    ExamEvidence,
    NoPrediction,
    Prediction,
    UnitMarks,
    predict_board_score,
    step_rule,
)
from mathvidya.questions.template_defaults import chapter_weights
from tools.backtest_prediction import run_backtest

WEIGHTS = {"A": 0.75, "B": 0.25}
XII = chapter_weights("XII")
EXAM_TYPES = ("board_exam", "section_mcq", "section_vsa", "section_sa", "unit_practice")


def board(percentage: float, **units: UnitMarks) -> ExamEvidence:
    return ExamEvidence("board_exam", percentage, units)


# --- hand-worked cases -------------------------------------------------------------------------


def test_two_board_exams_without_unit_marks():
    # Recency weights 0.8 and 1: A = (0.8·60 + 80) / 1.8 = 71.11. Spread² = (0.8·11.11² + 8.89²) / 1.8
    # = 98.77 → 9.94; half width = 1.2816 · √(5² + (9.94/2)²) · √(1 + 1/2) = 11.06.
    result = predict_board_score([board(60), board(80)], WEIGHTS)
    assert isinstance(result, Prediction)
    assert (result.predicted, result.low, result.high) == (71.1, 60.0, 82.2)
    assert result.evidence["exams_used"] == 2 and result.evidence["units_covered"] == 0
    assert result.evidence["unit_estimate"] is None


def test_board_exam_and_unit_practice_with_unit_marks():
    # A = (0.8·1.0·50 + 1·0.35·70) / 1.15 = 56.09 (the board exam counts more than the newer drill).
    # Unit A (weight 0.75): MCQ (0.8·3 + 6·0.5609) / (0.8·4 + 6) = 0.6267, written (4.8 + 3.365) / 15.6
    # = 0.5234 → 0.25·0.6267 + 0.75·0.5234 = 0.5492. Unit B: MCQ 10.365/16.8 = 0.6170, written
    # 18.165/27.4 = 0.6630 → 0.6515. U = 0.75·54.92 + 0.25·65.15 = 57.48. Coverage 1 → ½U + ½A = 56.78.
    history = [
        board(50, A=UnitMarks(3, 4, 6, 12), B=UnitMarks(0, 1, 1, 3)),
        ExamEvidence("unit_practice", 70, {"B": UnitMarks(7, 10, 14, 19)}),
    ]
    result = predict_board_score(history, WEIGHTS)
    assert isinstance(result, Prediction)
    assert (result.predicted, result.low, result.high) == (56.8, 46.1, 67.4)
    assert result.evidence["exam_estimate"] == 56.1 and result.evidence["unit_estimate"] == 57.5
    assert result.evidence["units_covered"] == 2 and result.evidence["syllabus_coverage"] == 1.0
    assert result.evidence["board_exams_used"] == 1 and result.evidence["spread"] == 9.2


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ([], "no_evaluated_exams"),
        ([board(70)], "too_few_exams"),
        (
            [ExamEvidence("unit_practice", 80, {"B": UnitMarks(8, 10, 15, 19)})] * 3,
            "too_little_syllabus_covered",
        ),
        ([ExamEvidence("section_mcq", 80), ExamEvidence("section_mcq", 90)], "too_little_syllabus_covered"),
    ],
)
def test_too_little_evidence_answers_a_reason(history, reason):
    result = predict_board_score(history, WEIGHTS)
    assert isinstance(result, NoPrediction)
    assert result.reason == reason
    assert result.evidence["exams_used"] == len(history)


def test_drills_covering_most_of_the_syllabus_are_enough_without_a_board_exam():
    history = [ExamEvidence("unit_practice", 80, {"A": UnitMarks(8, 10, 15, 19)})] * MIN_EXAMS
    assert isinstance(predict_board_score(history, WEIGHTS), Prediction)


def test_recent_exams_weigh_more():
    rising = predict_board_score([board(50), board(90)], WEIGHTS)
    falling = predict_board_score([board(90), board(50)], WEIGHTS)
    assert rising.predicted > 70 > falling.predicted


def test_a_board_exam_weighs_more_than_a_newer_mcq_drill():
    # (0.8·1·50 + 1·0.35·90) / 1.15 = 62.2: nearer the board paper's 50 than the drill's 90.
    result = predict_board_score([board(50), ExamEvidence("section_mcq", 90)], WEIGHTS)
    assert result.predicted == 62.2


def test_unit_results_count_by_cbse_weight():
    strong_a = {"A": UnitMarks(9, 10, 18, 19)}
    weak_b = {"B": UnitMarks(3, 10, 5, 19)}
    history = [ExamEvidence("unit_practice", 60, weak_b), ExamEvidence("unit_practice", 60, strong_a)]
    heavy_a = predict_board_score(history, {"A": 0.9, "B": 0.1})
    heavy_b = predict_board_score(history, {"A": 0.1, "B": 0.9})
    assert heavy_a.predicted > 60 > heavy_b.predicted


def test_only_the_latest_thirty_exams_count():
    old = [board(10)] * 20
    recent = [board(80)] * 30
    assert predict_board_score(old + recent, WEIGHTS) == predict_board_score(recent, WEIGHTS)


# --- the step rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percentages", "expected"),
    [
        ([], None),
        ([95], 98.0),
        ([100, 90], 98.0),
        ([94.99], 92.0),
        ([85], 92.0),
        ([80, 70], 82.0),
        ([60], 70.0),
        ([59.99], 59.99),
        ([40, 50], 45.0),
    ],
)
def test_step_rule(percentages, expected):
    assert step_rule(percentages) == expected


# --- properties ----------------------------------------------------------------------------------


def unit_marks():
    return st.builds(
        lambda mp, mo, wp, wo: UnitMarks(mo * mp, float(mp), wo * wp, float(wp)),
        st.integers(min_value=0, max_value=20),
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=40),
        st.floats(min_value=0, max_value=1),
    )


exams = st.builds(
    ExamEvidence,
    st.sampled_from(EXAM_TYPES),
    st.floats(min_value=0, max_value=100),
    st.dictionaries(st.sampled_from(sorted(XII)), unit_marks(), max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(exams, max_size=40))
def test_any_history_gives_a_range_inside_0_to_100_around_the_prediction(history):
    result = predict_board_score(history, XII)
    if isinstance(result, NoPrediction):
        assert result.reason in {"no_evaluated_exams", "too_few_exams", "too_little_syllabus_covered"}
        return
    assert 0 <= result.low <= result.predicted <= result.high <= 100
    assert predict_board_score(list(history), dict(XII)) == result  # deterministic


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0, max_value=100),
    st.sampled_from(EXAM_TYPES),
    st.integers(min_value=MIN_EXAMS, max_value=35),
    st.booleans(),
)
def test_repeating_the_same_score_in_more_exams_never_widens_the_range(score, exam_type, count, with_units):
    units = {unit: UnitMarks(score / 100 * 4, 4, score / 100 * 12, 12) for unit in XII} if with_units else {}
    exam = ExamEvidence(exam_type, score, units)
    fewer = predict_board_score([exam] * count, XII)
    more = predict_board_score([exam] * (count + 1), XII)
    if isinstance(fewer, NoPrediction):  # the same exam again covers no more of the syllabus
        assert isinstance(more, NoPrediction) and more.reason == fewer.reason
        return
    assert isinstance(more, Prediction)
    assert more.high - more.low <= fewer.high - fewer.low
    assert more.low <= more.predicted <= more.high


# --- the backtest (measured comparison, not timing) -------------------------------------------------


def test_backtest_model_is_no_worse_than_the_step_rule():
    result = run_backtest(students=150, seed=4242)
    assert result.cases > 300
    assert result.model_mae <= result.step_rule_mae
    assert result.all_exam_model_mae <= result.all_exam_step_rule_mae
    assert 0.6 <= result.range_coverage <= 0.95


def test_backtest_is_deterministic():
    assert run_backtest(students=20, seed=1) == run_backtest(students=20, seed=1)
