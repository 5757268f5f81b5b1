"""The predicted board score (pure, no I/O; docs/prediction.md gives the formula and the
backtest that measured it).

Given a student's evaluated exams, oldest first, and the CBSE unit weights of the board
paper, it answers a predicted board percentage with an 80 % range and the evidence it
stood on — or, when the evidence is too thin, the reason it declines. Deterministic: the
same history always gives the same answer.

Two estimates are blended:
- the exam estimate A: the exams' percentages, each weighted by its type (board-pattern
  exams count most) and by recency (each older exam counts RECENCY_DECAY times the next);
- the unit estimate U: per unit, the recency-weighted share of MCQ and of written marks
  obtained (each shrunk toward A when a unit has few marks behind it), mixed as the board
  paper mixes them (MCQ_SHARE of its marks are MCQ), then averaged with the CBSE weights.
The blend trusts U in proportion to how much of the syllabus (by CBSE weight) has marks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MODEL_VERSION = "board-prediction-v1"

EXAM_TYPE_WEIGHTS: Mapping[str, float] = {
    "board_exam": 1.0,
    "section_sa": 0.5,
    "section_vsa": 0.5,
    "section_mcq": 0.35,
    "unit_practice": 0.35,
}
OTHER_TYPE_WEIGHT = 0.35
RECENCY_DECAY = 0.8
MAX_EXAMS = 30  # older exams weigh under 0.8**30 ≈ 0.001 of the newest: leaving them out changes nothing
MIN_EXAMS = 2
MIN_UNIT_COVERAGE = 0.5  # share of the syllabus (CBSE weight) with marks, unless a board exam was taken
UNIT_PRIOR_MARKS = 6.0  # a unit's marks count against this many marks' worth of the exam estimate
UNIT_SHARE = 0.5  # weight of U in the blend at full syllabus coverage
MCQ_SHARE = 0.25  # 20 of the board paper's 80 marks are MCQ
BASE_SPREAD = 5.0  # percentage points of exam-day variation a perfectly steady record still has
SPREAD_SHARE = 0.5  # part of the record's own spread (it mixes exam types and growth) added to that
INTERVAL_Z = 1.2816  # two-sided 80 % interval of a normal distribution
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class UnitMarks:
    """Marks of one unit in one exam, MCQ and written apart."""

    mcq_obtained: float = 0.0
    mcq_possible: float = 0.0
    written_obtained: float = 0.0
    written_possible: float = 0.0

    @property
    def possible(self) -> float:
        return self.mcq_possible + self.written_possible


@dataclass(frozen=True)
class ExamEvidence:
    """One evaluated exam: its type, its percentage and its marks per unit."""

    exam_type: str
    percentage: float
    units: Mapping[str, UnitMarks] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    predicted: float
    low: float
    high: float
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"predicted": self.predicted, "low": self.low, "high": self.high, "evidence": self.evidence}


@dataclass(frozen=True)
class NoPrediction:
    """Too little evidence; ``reason`` says which rule declined."""

    reason: str
    evidence: dict[str, Any]


REASON_TEXT = {
    "no_evaluated_exams": "No evaluated exam yet.",
    "too_few_exams": f"At least {MIN_EXAMS} evaluated exams are needed.",
    "too_little_syllabus_covered": (
        f"Exams so far cover less than {int(MIN_UNIT_COVERAGE * 100)} percent of the syllabus by CBSE weight;"
        " take a board-pattern exam or practise more units."
    ),
}


def _one_place(value: float) -> float:
    return float(Decimal(repr(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP))


def _clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return min(high, max(low, value))


def unit_coverage(exams: Sequence[ExamEvidence], unit_weights: Mapping[str, float]) -> tuple[list[str], float]:
    """The CBSE units with marks in these exams, and their share of the total weight."""
    total = sum(w for w in unit_weights.values() if w > 0)
    covered = sorted(
        {
            unit
            for exam in exams
            for unit, marks in exam.units.items()
            if marks.possible > 0 and unit_weights.get(unit, 0) > 0
        }
    )
    share = sum(unit_weights[u] for u in covered) / total if total else 0.0
    return covered, share


def _shrunk_ratio(obtained: float, possible: float, prior: float) -> float:
    """obtained / possible as a fraction, pulled toward ``prior`` (a fraction) by UNIT_PRIOR_MARKS."""
    return (obtained + UNIT_PRIOR_MARKS * prior) / (possible + UNIT_PRIOR_MARKS)


def _unit_estimate(
    exams: Sequence[ExamEvidence], recency: Sequence[float], unit_weights: Mapping[str, float], prior: float
) -> float:
    """U as a fraction: each unit's MCQ and written shares (shrunk toward ``prior``) mixed
    as the board paper mixes them, averaged with the CBSE weights."""
    weighted, total_weight = 0.0, 0.0
    for unit, weight in unit_weights.items():
        if weight <= 0:
            continue
        mcq_o = mcq_p = wr_o = wr_p = 0.0
        for exam, r in zip(exams, recency, strict=True):
            marks = exam.units.get(unit)
            if marks is None:
                continue
            mcq_o += r * marks.mcq_obtained
            mcq_p += r * marks.mcq_possible
            wr_o += r * marks.written_obtained
            wr_p += r * marks.written_possible
        estimate = MCQ_SHARE * _shrunk_ratio(mcq_o, mcq_p, prior) + (1 - MCQ_SHARE) * _shrunk_ratio(wr_o, wr_p, prior)
        weighted += weight * estimate
        total_weight += weight
    return weighted / total_weight if total_weight else prior


def predict_board_score(
    history: Sequence[ExamEvidence], unit_weights: Mapping[str, float]
) -> Prediction | NoPrediction:
    """Predict the board percentage from ``history`` (evaluated exams, oldest first)."""
    exams = list(history)[-MAX_EXAMS:]
    n = len(exams)
    covered, coverage = unit_coverage(exams, unit_weights)
    board_exams = sum(1 for e in exams if e.exam_type == "board_exam")
    evidence: dict[str, Any] = {
        "model_version": MODEL_VERSION,
        "exams_used": n,
        "board_exams_used": board_exams,
        "units_covered": len(covered),
        "units_total": sum(1 for w in unit_weights.values() if w > 0),
        "syllabus_coverage": round(coverage, 3),
    }
    if n == 0:
        return NoPrediction("no_evaluated_exams", evidence)
    if n < MIN_EXAMS:
        return NoPrediction("too_few_exams", evidence)
    if board_exams == 0 and coverage < MIN_UNIT_COVERAGE:
        return NoPrediction("too_little_syllabus_covered", evidence)

    recency = [RECENCY_DECAY ** (n - 1 - i) for i in range(n)]
    weights = [EXAM_TYPE_WEIGHTS.get(e.exam_type, OTHER_TYPE_WEIGHT) * r for e, r in zip(exams, recency, strict=True)]
    total = sum(weights)
    exam_estimate = sum(w * _clamp(e.percentage) for w, e in zip(weights, exams, strict=True)) / total
    spread = math.sqrt(
        sum(w * (_clamp(e.percentage) - exam_estimate) ** 2 for w, e in zip(weights, exams, strict=True)) / total
    )
    unit_share, unit_estimate = 0.0, exam_estimate
    if covered:
        unit_share = UNIT_SHARE * coverage
        unit_estimate = 100 * _unit_estimate(exams, recency, unit_weights, exam_estimate / 100)
    predicted = _clamp(unit_share * unit_estimate + (1 - unit_share) * exam_estimate)
    half_width = INTERVAL_Z * math.sqrt(BASE_SPREAD**2 + (SPREAD_SHARE * spread) ** 2) * math.sqrt(1 + 1 / n)

    point = _one_place(predicted)
    evidence.update(
        {
            "exam_estimate": _one_place(exam_estimate),
            "unit_estimate": _one_place(unit_estimate) if covered else None,
            "unit_estimate_share": round(unit_share, 3),
            "spread": _one_place(spread),
            "latest_percentage": _one_place(_clamp(exams[-1].percentage)),
        }
    )
    return Prediction(
        predicted=point,
        low=_one_place(_clamp(predicted - half_width)),
        high=_one_place(_clamp(predicted + half_width)),
        evidence=evidence,
    )


def step_rule(percentages: Sequence[float]) -> float | None:
    """The original design's rule, kept as the backtest's yardstick: the plain average of
    every exam, mapped ≥95 → 98, ≥85 → 92, ≥75 → 82, ≥60 → 70, else the average itself."""
    if not percentages:
        return None
    average = sum(percentages) / len(percentages)
    for floor, answer in ((95, 98.0), (85, 92.0), (75, 82.0), (60, 70.0)):
        if average >= floor:
            return answer
    return average
