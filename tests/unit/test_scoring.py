"""MCQ scoring and result arithmetic: exact-set marking, unanswered questions, half-up
rounding where floats would go wrong, and hypothesis bounds with Decimal types throughout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathvidya.exams.scoring import McqKey, McqResult, McqScore, percentage, score_mcq, total_score

D = Decimal


def key(number: int, *labels: str, marks: str = "1") -> McqKey:
    return McqKey(number, frozenset(labels), D(marks))


def test_single_answer_right_wrong_and_unanswered():
    questions = [key(1, "A"), key(2, "B"), key(3, "C"), key(4, "D")]
    answers = {1: frozenset({"A"}), 2: frozenset({"C"}), 3: None}  # 4 missing altogether
    result = score_mcq(questions, answers)
    assert result == McqScore(
        score=D(1),
        total=D(4),
        correct_count=1,
        question_count=4,
        percentage=D("25.00"),
        results=[
            McqResult(1, ["A"], ["A"], True, D(1)),
            McqResult(2, ["C"], ["B"], False, D(0)),
            McqResult(3, [], ["C"], False, D(0)),
            McqResult(4, [], ["D"], False, D(0)),
        ],
    )


@pytest.mark.parametrize(
    ("selected", "is_correct"),
    [
        ({"A", "C"}, True),
        ({"C", "A"}, True),
        ({"A"}, False),  # subset
        ({"A", "B", "C"}, False),  # superset
        ({"B", "D"}, False),
        (set(), False),
    ],
)
def test_multiple_correct_needs_the_exact_set(selected, is_correct):
    result = score_mcq([key(1, "A", "C", marks="1")], {1: frozenset(selected)})
    assert result.results[0].is_correct is is_correct
    assert result.score == (D(1) if is_correct else D(0))
    assert result.results[0].selected == sorted(selected)
    assert result.results[0].correct == ["A", "C"]


def test_no_negative_marking_and_empty_selection_is_unanswered():
    result = score_mcq([key(1, "A"), key(2, "B")], {1: frozenset({"B"}), 2: frozenset()})
    assert result.score == D(0) and result.correct_count == 0 and result.percentage == D("0.00")


def test_percentage_counts_questions_not_marks():
    # MCQ percentage = correct / MCQ count × 100, even when marks differ.
    questions = [key(1, "A", marks="1"), key(2, "B", marks="2"), key(3, "C", marks="3")]
    result = score_mcq(questions, {3: frozenset({"C"})})
    assert result.score == D(3) and result.total == D(6)
    assert result.percentage == D("33.33")


def test_answers_to_unknown_questions_are_ignored():
    assert score_mcq([key(1, "A")], {1: frozenset("A"), 99: frozenset("B")}).score == D(1)


def test_no_questions():
    result = score_mcq([], {})
    assert result == McqScore(D(0), D(0), 0, 0, D("0.00"), [])


def test_duplicate_question_numbers_are_refused():
    with pytest.raises(ValueError):
        score_mcq([key(1, "A"), key(1, "B")], {})


@pytest.mark.parametrize(
    ("obtained", "possible", "expected"),
    [
        ("2", "3", "66.67"),
        ("1", "3", "33.33"),
        ("1", "8", "12.50"),
        ("1", "16", "6.25"),
        ("1", "800", "0.13"),  # 0.125 → half up
        ("1", "1600", "0.06"),  # 0.0625 → down
        ("1.005", "100", "1.01"),  # float: round(1.005, 2) == 1.0
        ("2.675", "100", "2.68"),  # float: round(2.675, 2) == 2.67
        ("0.045", "1", "4.50"),
        ("80", "80", "100.00"),
        ("0", "80", "0.00"),
        ("0", "0", "0.00"),
        ("53.5", "80", "66.88"),  # 66.875
        ("7", "9", "77.78"),
    ],
)
def test_percentage_rounds_half_up(obtained, possible, expected):
    result = percentage(D(obtained), D(possible))
    assert result == D(expected)
    assert str(result) == expected  # always two decimals


def test_percentage_is_an_exact_decimal_not_a_float():
    # Floats would get the 1.005 and 2.675 rows of the table above wrong; the type is the guard.
    result = percentage(D("1.005"), D("100"))
    assert type(result) is D
    assert result.as_tuple().exponent == -2


def test_a_value_a_hair_below_a_half_is_not_rounded_up():
    # 30 significant digits just below .005: Decimal's default 28-digit division would round
    # the quotient to 0.005000… first and then half up to 0.01; the exact fraction does not.
    obtained = D("0.00499999999999999999999999999999")
    assert percentage(obtained, D(100)) == D("0.00")


@pytest.mark.parametrize(("obtained", "possible"), [("81", "80"), ("-1", "80"), ("0", "-1"), ("1", "0")])
def test_percentage_refuses_impossible_marks(obtained, possible):
    with pytest.raises(ValueError):
        percentage(D(obtained), D(possible))


def test_percentage_refuses_floats():
    with pytest.raises(TypeError):
        percentage(0.5, D(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        total_score(D(1), 0.5)  # type: ignore[arg-type]


def test_total_score():
    assert total_score(D("17"), D("42.5")) == D("59.5")
    assert isinstance(total_score(D(0), D(0)), Decimal)
    with pytest.raises(ValueError):
        total_score(D("-1"), D(3))


# --- properties -------------------------------------------------------------------------

marks = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(marks, marks)
def test_percentage_is_between_0_and_100_with_two_places(a, b):
    obtained, possible = sorted((a, b))
    result = percentage(obtained, possible)
    assert isinstance(result, Decimal)
    assert D(0) <= result <= D(100)
    assert result.as_tuple().exponent == -2
    if possible:
        assert abs(result - obtained / possible * 100) <= D("0.005")


labels = st.frozensets(st.sampled_from("ABCD"))


@st.composite
def papers(draw):
    count = draw(st.integers(0, 25))
    questions = [
        McqKey(n, draw(labels.filter(bool)), draw(st.sampled_from([D(1), D(2), D("0.5")]))) for n in range(1, count + 1)
    ]
    answers = {n: draw(st.none() | labels) for n in range(1, count + 1) if draw(st.booleans())}
    return questions, answers


@given(papers())
def test_score_bounds_and_types(paper):
    questions, answers = paper
    result = score_mcq(questions, answers)
    assert isinstance(result.score, Decimal) and isinstance(result.total, Decimal)
    assert isinstance(result.percentage, Decimal)
    assert D(0) <= result.score <= result.total
    assert D(0) <= result.percentage <= D(100)
    assert 0 <= result.correct_count <= result.question_count == len(questions)
    assert result.percentage == percentage(D(result.correct_count), D(result.question_count))
    for question, outcome in zip(questions, result.results, strict=True):
        assert isinstance(outcome.marks_awarded, Decimal)
        assert outcome.is_correct == (frozenset(outcome.selected) == question.correct)
        assert outcome.marks_awarded == (question.marks if outcome.is_correct else D(0))
        assert outcome.selected == sorted(outcome.selected)


@given(papers())
def test_answering_every_question_correctly_scores_everything(paper):
    questions, _ = paper
    result = score_mcq(questions, {q.question_number: q.correct for q in questions})
    assert result.score == result.total
    assert result.percentage == (D("100.00") if questions else D("0.00"))
