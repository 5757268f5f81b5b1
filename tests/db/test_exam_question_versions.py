"""exam_question_versions: written by the database once, when an exam becomes evaluated,
from its snapshot (one row per question, one per alternative of a choice question)."""

from __future__ import annotations

import uuid

from psycopg.types.json import Jsonb

from tests.db.test_guarantees import make_user


def test_versions_are_recorded_once_when_the_exam_becomes_evaluated(db):
    student = make_user(db)
    template_id = db.execute("SELECT template_id FROM exam_templates WHERE class = 'XII' LIMIT 1").fetchone()[
        "template_id"
    ]
    plain, alt_a, alt_b = (str(uuid.uuid4()) for _ in range(3))
    snapshot = {
        "questions": [
            {"question_number": 1, "question_id": plain, "version": 3, "marks": 1, "question_type": "MCQ"},
            {
                "question_number": 2,
                "marks": 2,
                "alternatives": [
                    {"choice": "a", "question_id": alt_a, "version": 1, "marks": 2},
                    {"choice": "b", "question_id": alt_b, "version": 2, "marks": 2},
                ],
            },
            {"question_number": 3, "question_id": "not-a-uuid", "version": 1, "marks": 1},
        ]
    }
    exam_id = db.execute(
        "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
        "total_marks, duration_minutes) VALUES (%s, %s, 'board_exam', 'XII', 'pending_evaluation', 1, %s, 3, 60) "
        "RETURNING exam_instance_id",
        (student, template_id, Jsonb(snapshot)),
    ).fetchone()["exam_instance_id"]

    def recorded():
        return db.execute(
            "SELECT question_id::text, question_number, choice, question_version, max_marks::float AS max_marks "
            "FROM exam_question_versions WHERE exam_instance_id = %s ORDER BY question_number, choice",
            (exam_id,),
        ).fetchall()

    assert recorded() == []
    db.execute("UPDATE exam_instances SET status = 'evaluated' WHERE exam_instance_id = %s", (exam_id,))
    expected = [
        {"question_id": plain, "question_number": 1, "choice": "", "question_version": 3, "max_marks": 1.0},
        {"question_id": alt_a, "question_number": 2, "choice": "a", "question_version": 1, "max_marks": 2.0},
        {"question_id": alt_b, "question_number": 2, "choice": "b", "question_version": 2, "max_marks": 2.0},
    ]
    assert recorded() == expected
    db.execute("UPDATE exam_instances SET status = 'evaluated', percentage = 50 WHERE exam_instance_id = %s", [exam_id])

    assert recorded() == expected
