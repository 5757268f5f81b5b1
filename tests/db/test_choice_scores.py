"""Scores stay exact with internal choice and step marks: for random papers (choice and plain
written questions, schemes or not) and random marks, the stored total is the MCQ score plus
each question's counted (higher) alternative, the percentage is total / total_marks rounded
half up, and the per-unit marks the dashboards read add up to the same written score."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from mathvidya.authz import Principal
from mathvidya.evaluations import service
from tests.exam_fixtures import make_questions, private_unit

TYPES = {"VSA": 2, "SA": 3, "LA": 5}
SCHEMES = {
    "VSA": [{"step": "Method", "marks": 1}, {"step": "Answer", "marks": 1}],
    "SA": [{"step": "Set up", "marks": 1}, {"step": "Work", "marks": 1.5}, {"step": "Answer", "marks": 0.5}],
    "LA": [{"step": "Diagram", "marks": 1}, {"step": "Proof", "marks": 3}, {"step": "Answer", "marks": 1}],
}


@pytest.fixture(scope="module")
def bank(app):
    """Per type: schemed and plain questions of one private unit (ids only)."""
    unit = private_unit("scores")
    return {
        "unit": unit,
        **{
            (qtype, schemed): [
                str(i) for i in make_questions(app, unit, qtype, 12, scheme=SCHEMES[qtype] if schemed else None)
            ]
            for qtype in TYPES
            for schemed in (True, False)
        },
    }


halves = st.integers(0, 20).map(lambda n: Decimal(n) / 2)


@st.composite
def papers(draw):
    """Written questions (type, choice?, schemed per alternative), the student's declaration,
    the MCQ part, and the teacher's rows for every question."""
    questions = []
    for number in range(1, draw(st.integers(1, 7)) + 1):
        qtype = draw(st.sampled_from(sorted(TYPES)))
        choice = draw(st.booleans())
        schemed = [draw(st.booleans()) for _ in range(2 if choice else 1)]
        declared = draw(st.sampled_from(["a", "b", "both"])) if choice else None
        marked = ["a", "b"] if declared == "both" else [declared] if choice else [""]
        if declared == "both":
            marked = draw(st.sampled_from([["a"], ["b"], ["a", "b"]]))
        rows = []
        for alternative, has_scheme in zip(marked, [schemed[0 if c in ("", "a") else 1] for c in marked], strict=True):
            maximum = Decimal(TYPES[qtype])
            if has_scheme:
                steps = [min(draw(halves), Decimal(str(step["marks"]))) for step in SCHEMES[qtype]]
                row = {"step_marks": [float(s) for s in steps]}
            else:
                row = {"marks_awarded": float(min(draw(halves), maximum))}
            if alternative:
                row["choice"] = alternative
            rows.append({"question_number": number, **row})
        questions.append(
            {"number": number, "type": qtype, "choice": choice, "schemed": schemed, "declared": declared, "rows": rows}
        )
    mcq_total = draw(st.integers(0, 10))
    return {"questions": questions, "mcq_total": mcq_total, "mcq_score": draw(st.integers(0, mcq_total))}


def _row_marks(row, qtype):
    if "step_marks" in row:
        return sum((Decimal(str(s)) for s in row["step_marks"]), Decimal(0))
    return Decimal(str(row["marks_awarded"]))


def _snapshot(paper, bank):
    pools = {key: list(ids) for key, ids in bank.items() if key != "unit"}
    items = []
    for q in paper["questions"]:
        contents = []
        for has_scheme in q["schemed"]:
            contents.append(
                {
                    "question_id": pools[(q["type"], has_scheme)].pop(),
                    "question_type": q["type"],
                    "marks": TYPES[q["type"]],
                    "unit": bank["unit"],
                    "question_text": "x",
                    "marking_scheme": SCHEMES[q["type"]] if has_scheme else None,
                }
            )
        base = {
            "question_number": q["number"],
            "section_name": "S",
            "question_type": q["type"],
            "marks": TYPES[q["type"]],
            "unit": bank["unit"],
        }
        if q["choice"]:
            items.append(
                {**base, "alternatives": [{"choice": c, **content} for c, content in zip("ab", contents, strict=True)]}
            )
        else:
            items.append({**base, **contents[0]})
    return {"seed": 1, "template": {"template_name": "random paper"}, "questions": items}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paper=papers())
def test_stored_scores_are_the_counted_marks_exactly(app, db, make_user, bank, paper):
    student, teacher = make_user("student"), make_user("teacher")
    written_total = sum(TYPES[q["type"]] for q in paper["questions"])
    total_marks = Decimal(paper["mcq_total"] + written_total)
    attempted = {str(q["number"]): q["declared"] for q in paper["questions"] if q["choice"]}
    with db.transaction(force_rollback=True):
        exam_id = db.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, mcq_score, mcq_total, submitted_at, sla_deadline, attempted_choices) "
            "SELECT %s, template_id, 'board_exam', 'XII', 'pending_evaluation', 1, %s, %s, 30, %s, %s, now(), "
            "now() + interval '1 day', %s FROM exam_templates LIMIT 1 RETURNING exam_instance_id",
            (
                student["user_id"],
                Jsonb(_snapshot(paper, bank)),
                total_marks,
                paper["mcq_score"],
                paper["mcq_total"],
                Jsonb(attempted),
            ),
        ).fetchone()["exam_instance_id"]
        evaluation_id = db.execute(
            "INSERT INTO evaluations (exam_instance_id, teacher_user_id, sla_deadline) "
            "VALUES (%s, %s, now() + interval '1 day') RETURNING evaluation_id",
            (exam_id, teacher["user_id"]),
        ).fetchone()["evaluation_id"]
        rows = [row for q in paper["questions"] for row in q["rows"]]
        principal = Principal(uuid.UUID(str(teacher["user_id"])), "teacher", None, None)
        with app.app_context():
            answer = service.submit_evaluation(
                db, app.config["SETTINGS"], principal, evaluation_id, rows, datetime.now(UTC)
            )
        stored = db.execute(
            "SELECT total_score, manual_score, percentage FROM exam_instances WHERE exam_instance_id = %s", (exam_id,)
        ).fetchone()
        unit_written = db.execute(
            "SELECT coalesce(sum(written_obtained), 0) AS s FROM exam_unit_scores WHERE exam_instance_id = %s",
            (exam_id,),
        ).fetchone()["s"]

    counted = sum((max(_row_marks(row, q["type"]) for row in q["rows"]) for q in paper["questions"]), Decimal(0))
    total = Decimal(paper["mcq_score"]) + counted
    expected_percentage = (total * 100 / total_marks).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert stored["manual_score"] == counted and unit_written == counted
    assert stored["total_score"] == total
    assert stored["percentage"] == expected_percentage
    assert Decimal(str(answer["total_exam_score"])) == total and answer["percentage"] == expected_percentage
