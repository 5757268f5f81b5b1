"""Adaptive practice (pure): which units a student practises and which questions suit them
(docs/exams.md, "Adaptive practice"; recommendations reuse the same ranking).

A student's evidence in a unit is the marks obtained and possible over their evaluated
exams of their class (exam_unit_scores). The rules:

1. A unit is **judged** once the student has had at least ``MIN_MARKS_JUDGED`` marks in it.
   A judged unit is **weak** when its percentage is under ``WEAK_BELOW_PERCENT``, or at
   least ``WEAK_GAP_POINTS`` under the class average of the unit.
2. **Ranking** (weakest first): weak units before the others, then the lower percentage,
   then the further under the class average, then the heavier board weight, then the name.
3. An adaptive paper draws from ``UNITS_PER_PAPER`` units: the first of the ranking, then
   (too little history) the units with the most board weight not already chosen, in
   syllabus order on a tie. The units split each section by ``UNIT_WEIGHTS``
   (weakest 3, next 2, last 1; largest remainder, as every paper).
4. **Target facility.** The student's level in a unit (fraction of its marks obtained) is
   compared with the class average there as an offset in log-odds; the target is the
   facility of the questions on which a student that far from the average would expect
   ``TARGET_SUCCESS`` of the marks: logit(target) = logit(TARGET_SUCCESS) − logit(level) +
   logit(class average). An average student gets questions of facility 0.6, a weak one
   easier questions, a strong one harder ones. No judged level: the target is
   ``TARGET_SUCCESS``; no class average: ``NOMINAL_AVERAGE`` stands in for it.
5. **Preference.** A question's facility is its measured one (question_analysis, for its
   current version); unmeasured, the centre of its declared difficulty's band (easy 0.85,
   medium 0.55, hard 0.2: the bands of the item analysis). Candidates are ordered by
   |facility − target| in bands of ``BAND_WIDTH`` (nearest first); inside a band the
   exam's seeded shuffle decides, so the paper stays deterministic given its seed.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from mathvidya.exams.assembly import SectionSpec

RULE_VERSION = "adaptive-v1"
UNITS_PER_PAPER = 3
UNIT_WEIGHTS = (3, 2, 1)
MIN_MARKS_JUDGED = 5
WEAK_BELOW_PERCENT = 60.0
WEAK_GAP_POINTS = 5.0
TARGET_SUCCESS = 0.6
NOMINAL_AVERAGE = 0.55
DIFFICULTY_FACILITY = {"easy": 0.85, "medium": 0.55, "hard": 0.2}
BAND_WIDTH = 0.1
FRACTION_FLOOR, FRACTION_CEILING = 0.05, 0.95
WEIGHT_PLACES = 6  # board weights are compared rounded, so float noise never breaks a tie


@dataclass(frozen=True)
class UnitEvidence:
    """A student's marks in one unit, with the class average there (a percentage, or None)."""

    unit: str
    obtained: float
    possible: float
    exams: int
    class_average: float | None = None

    @property
    def judged(self) -> bool:
        return self.possible >= MIN_MARKS_JUDGED

    @property
    def percentage(self) -> float | None:
        return self.obtained * 100 / self.possible if self.possible > 0 else None

    @property
    def level(self) -> float | None:
        """The fraction of the unit's marks obtained, once the unit is judged."""
        return self.obtained / self.possible if self.judged else None

    @property
    def below_class_average(self) -> float | None:
        """Points under the class average (negative above it); None without an average."""
        if self.class_average is None or self.percentage is None:
            return None
        return self.class_average - self.percentage

    @property
    def weak(self) -> bool:
        if not self.judged:
            return False
        gap = self.below_class_average
        return self.percentage < WEAK_BELOW_PERCENT or (gap is not None and gap >= WEAK_GAP_POINTS)


@dataclass(frozen=True)
class PracticeUnit:
    """A unit of an adaptive paper: its weight in every section and the facility it aims at."""

    unit: str
    weight: int
    source: str  # "weakest": from the student's results; "board_weight": too little history
    level: float | None
    class_average: float | None
    target_facility: float

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "weight": self.weight,
            "source": self.source,
            "level": None if self.level is None else round(self.level, 4),
            "class_average": self.class_average,
            "target_facility": round(self.target_facility, 4),
        }


@dataclass(frozen=True)
class Candidate:
    """A sampled question with what the preference reads: measured facility, declared difficulty."""

    question_id: Hashable
    unit: str
    facility: float | None
    difficulty: str | None


def _board_weight(board_weights: Mapping[str, float], unit: str) -> float:
    return round(float(board_weights.get(unit, 0.0)), WEIGHT_PLACES)


def rank_units(evidence: Iterable[UnitEvidence], board_weights: Mapping[str, float]) -> list[UnitEvidence]:
    """The judged units, weakest first (rule 2)."""

    def key(item: UnitEvidence) -> tuple:
        gap = item.below_class_average
        return (
            not item.weak,
            round(item.percentage, 4),
            -(round(gap, 4) if gap is not None else 0.0),
            -_board_weight(board_weights, item.unit),
            item.unit,
        )

    return sorted((item for item in evidence if item.judged), key=key)


def weak_units(
    evidence: Iterable[UnitEvidence], board_weights: Mapping[str, float], limit: int = UNITS_PER_PAPER
) -> list[UnitEvidence]:
    """At most ``limit`` weak units, weakest first."""
    return [item for item in rank_units(evidence, board_weights) if item.weak][:limit]


def heaviest_board_units(board_weights: Mapping[str, float]) -> list[str]:
    """Units by board weight, heaviest first; a tie keeps the order of ``board_weights``
    (syllabus order, as ``cbse_weights_from`` gives them)."""
    weighted = [unit for unit in board_weights if _board_weight(board_weights, unit) > 0]
    return sorted(weighted, key=lambda unit: -_board_weight(board_weights, unit))


def practice_units(evidence: Iterable[UnitEvidence], board_weights: Mapping[str, float]) -> list[PracticeUnit]:
    """The units of an adaptive paper (rule 3), weakest first, with their targets (rule 4)."""
    evidence = list(evidence)
    by_unit = {item.unit: item for item in evidence}
    chosen = [(item.unit, "weakest") for item in rank_units(evidence, board_weights)[:UNITS_PER_PAPER]]
    taken = {unit for unit, _ in chosen}
    for unit in heaviest_board_units(board_weights):
        if len(chosen) == UNITS_PER_PAPER:
            break
        if unit not in taken:
            chosen.append((unit, "board_weight"))
            taken.add(unit)
    units = []
    for (unit, source), weight in zip(chosen, UNIT_WEIGHTS, strict=False):
        item = by_unit.get(unit)
        level = item.level if item else None
        average = item.class_average if item else None
        units.append(PracticeUnit(unit, weight, source, level, average, target_facility(level, average)))
    return units


def _logit(fraction: float) -> float:
    bounded = min(max(fraction, FRACTION_FLOOR), FRACTION_CEILING)
    return math.log(bounded / (1 - bounded))


def target_facility(level: float | None, class_average_percentage: float | None) -> float:
    """The facility of the questions that suit a student of ``level`` in a unit (rule 4)."""
    if level is None:
        return TARGET_SUCCESS
    average = NOMINAL_AVERAGE if class_average_percentage is None else class_average_percentage / 100
    odds = _logit(TARGET_SUCCESS) - _logit(level) + _logit(average)
    return 1 / (1 + math.exp(-odds))


def effective_facility(facility: float | None, difficulty: str | None) -> float:
    """The measured facility, else the centre of the declared difficulty's band (rule 5)."""
    if facility is not None:
        return float(facility)
    return DIFFICULTY_FACILITY.get(difficulty or "medium", DIFFICULTY_FACILITY["medium"])


def preference_bands(candidates: Iterable[Candidate], targets: Mapping[str, float]) -> dict[Hashable, int]:
    """Per candidate, its band of distance from its unit's target: 0 is nearest (rule 5)."""
    bands: dict[Hashable, int] = {}
    for candidate in candidates:
        target = targets.get(candidate.unit, TARGET_SUCCESS)
        distance = abs(effective_facility(candidate.facility, candidate.difficulty) - target)
        bands[candidate.question_id] = math.floor(round(distance / BAND_WIDTH, 9))
    return bands


def adaptive_sections(sections: Sequence[SectionSpec], units: Sequence[PracticeUnit]) -> list[SectionSpec]:
    """The template's sections drawing from the student's units, by their weights."""
    weights = {unit.unit: unit.weight for unit in units}
    return [replace(section, unit_weightage=dict(weights)) for section in sections]
