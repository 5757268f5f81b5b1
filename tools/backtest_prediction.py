"""Backtest of the predicted board score against the original design's step rule.

    .venv/bin/python -m tools.backtest_prediction [--students 2000] [--seed 20260101]

Generates student histories (deterministic from the seed), then walks each history: every
board-pattern exam is predicted from the exams before it, by the model
(mathvidya.insights.prediction.predict_board_score) and by the step rule, and the absolute
errors are averaged over the cases where the model gave a prediction (it declines on thin
evidence; the step rule never does). Also reported: the same over every exam as target,
the plain average's error, and how often the actual score fell inside the model's range.

How histories are generated (docs/prediction.md discusses the choices):
- a student has a base level (normal, mean 66, sd 14, kept within 25–97), a per-unit
  offset (sd 9) and a growth over the whole history (normal, mean +6, sd 7 points);
- 4–30 exams; each is a board paper (25 %), an MCQ / VSA / SA section drill (20 / 15 /
  15 %) or a unit practice (25 %), built like the default templates, questions' units
  drawn by the CBSE weights;
- on exam day the level moves by a day effect (sd 4); an MCQ is right with probability
  level + 6 points, a written answer earns a fraction of its marks around level − 3
  points (sd 18), in half-mark steps.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass

from mathvidya.insights.prediction import ExamEvidence, Prediction, UnitMarks, predict_board_score, step_rule
from mathvidya.questions.template_defaults import chapter_weights

DEFAULT_SEED = 20260101
DEFAULT_STUDENTS = 2000

EXAM_TYPE_MIX = (
    ("board_exam", 0.25),
    ("section_mcq", 0.20),
    ("section_vsa", 0.15),
    ("section_sa", 0.15),
    ("unit_practice", 0.25),
)
# (question type, count, marks) per exam type, as the default templates build them.
EXAM_LAYOUTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "board_exam": (("MCQ", 20, 1), ("VSA", 5, 2), ("SA", 6, 3), ("LA", 4, 5), ("CASE", 3, 4)),
    "section_mcq": (("MCQ", 20, 1),),
    "section_vsa": (("VSA", 10, 2),),
    "section_sa": (("SA", 6, 3),),
    "unit_practice": (("MCQ", 10, 1), ("VSA", 5, 2), ("SA", 3, 3)),
}
MCQ_EASE = 6.0
WRITTEN_HARDNESS = 3.0
WRITTEN_SPREAD = 18.0
DAY_EFFECT = 4.0


def _clip(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return min(high, max(low, value))


def _exam(rng: random.Random, exam_type: str, levels: dict[str, float], unit_weights: dict[str, float]):
    units, weights = list(unit_weights), list(unit_weights.values())
    practice_unit = rng.choices(units, weights)[0]
    day = rng.gauss(0, DAY_EFFECT)
    marks: dict[str, list[float]] = {}
    obtained_total = possible_total = 0.0
    for question_type, count, each in EXAM_LAYOUTS[exam_type]:
        for _ in range(count):
            unit = practice_unit if exam_type == "unit_practice" else rng.choices(units, weights)[0]
            level = levels[unit] + day
            if question_type == "MCQ":
                got = float(each) if rng.random() < _clip(level + MCQ_EASE) / 100 else 0.0
                slot = 0
            else:
                share = _clip(rng.gauss(level - WRITTEN_HARDNESS, WRITTEN_SPREAD)) / 100
                got = round(share * each * 2) / 2
                slot = 2
            row = marks.setdefault(unit, [0.0, 0.0, 0.0, 0.0])
            row[slot] += got
            row[slot + 1] += each
            obtained_total += got
            possible_total += each
    return ExamEvidence(
        exam_type=exam_type,
        percentage=round(obtained_total / possible_total * 100, 2),
        units={unit: UnitMarks(*values) for unit, values in marks.items()},
    )


def generate_history(rng: random.Random, unit_weights: dict[str, float]) -> list[ExamEvidence]:
    """One student's evaluated exams, oldest first."""
    count = rng.randint(4, 30)
    base = _clip(rng.gauss(66, 14), 25, 97)
    growth = rng.gauss(6, 7)
    offsets = {unit: rng.gauss(0, 9) for unit in unit_weights}
    types, mix = [t for t, _ in EXAM_TYPE_MIX], [w for _, w in EXAM_TYPE_MIX]
    history = []
    for index in range(count):
        progress = index / (count - 1)
        levels = {unit: _clip(base + growth * progress + offsets[unit]) for unit in unit_weights}
        history.append(_exam(rng, rng.choices(types, mix)[0], levels, unit_weights))
    return history


@dataclass(frozen=True)
class BacktestResult:
    students: int
    seed: int
    cases: int  # board-pattern exams predicted by both
    declined: int  # board-pattern exams the model declined to predict (thin evidence)
    model_mae: float
    step_rule_mae: float
    plain_average_mae: float
    range_coverage: float  # share of cases whose actual score fell inside [low, high]
    mean_range_width: float
    all_exam_cases: int
    all_exam_model_mae: float
    all_exam_step_rule_mae: float


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def run_backtest(
    students: int = DEFAULT_STUDENTS, seed: int = DEFAULT_SEED, school_class: str = "XII"
) -> BacktestResult:
    """Predict each exam from the exams before it, for ``students`` generated histories."""
    rng = random.Random(seed)
    unit_weights = chapter_weights(school_class)
    model_err, step_err, plain_err, inside, widths = [], [], [], [], []
    all_model_err, all_step_err = [], []
    declined = 0
    for _ in range(students):
        history = generate_history(rng, unit_weights)
        for index in range(1, len(history)):
            before, actual = history[:index], history[index]
            prediction = predict_board_score(before, unit_weights)
            if not isinstance(prediction, Prediction):
                declined += actual.exam_type == "board_exam"
                continue
            percentages = [e.percentage for e in before]
            step = step_rule(percentages)
            all_model_err.append(abs(prediction.predicted - actual.percentage))
            all_step_err.append(abs(step - actual.percentage))
            if actual.exam_type != "board_exam":
                continue
            model_err.append(abs(prediction.predicted - actual.percentage))
            step_err.append(abs(step - actual.percentage))
            plain_err.append(abs(_mean(percentages) - actual.percentage))
            inside.append(prediction.low <= actual.percentage <= prediction.high)
            widths.append(prediction.high - prediction.low)
    return BacktestResult(
        students=students,
        seed=seed,
        cases=len(model_err),
        declined=declined,
        model_mae=round(_mean(model_err), 2),
        step_rule_mae=round(_mean(step_err), 2),
        plain_average_mae=round(_mean(plain_err), 2),
        range_coverage=round(_mean([1.0 if x else 0.0 for x in inside]), 3),
        mean_range_width=round(_mean(widths), 1),
        all_exam_cases=len(all_model_err),
        all_exam_model_mae=round(_mean(all_model_err), 2),
        all_exam_step_rule_mae=round(_mean(all_step_err), 2),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    result = run_backtest(args.students, args.seed)
    print(f"students {result.students}, seed {result.seed}")
    print(f"board-pattern exams predicted: {result.cases} (model declined {result.declined})")
    print(f"mean absolute error, model:         {result.model_mae:.2f} points")
    print(f"mean absolute error, step rule:     {result.step_rule_mae:.2f} points")
    print(f"mean absolute error, plain average: {result.plain_average_mae:.2f} points")
    print(f"actual inside the model's range:    {result.range_coverage:.1%} (mean width {result.mean_range_width})")
    print(
        f"every exam as target ({result.all_exam_cases} cases): model {result.all_exam_model_mae:.2f},"
        f" step rule {result.all_exam_step_rule_mae:.2f}"
    )


if __name__ == "__main__":
    main()
