"""What the database guarantees about candidate codes: every exam has one (rows written by
plain SQL get one from the column default), of the documented shape, and no two alike."""

from __future__ import annotations

import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

from mathvidya.exams import candidate_codes, service
from mathvidya.exams.candidate_codes import is_candidate_code
from tests.db.test_guarantees import make_exam


def _code(db, exam_id) -> str:
    return db.execute("SELECT candidate_code FROM exam_instances WHERE exam_instance_id = %s", (exam_id,)).fetchone()[
        "candidate_code"
    ]


def test_an_exam_written_without_a_code_gets_one_of_the_documented_shape(db):
    codes = {_code(db, make_exam(db)) for _ in range(20)}
    assert len(codes) == 20 and all(is_candidate_code(code) for code in codes)


def test_two_exams_cannot_share_a_code(db):
    first, second = make_exam(db), make_exam(db)
    with pytest.raises(errors.UniqueViolation), db.transaction():
        db.execute(
            "UPDATE exam_instances SET candidate_code = %s WHERE exam_instance_id = %s", (_code(db, first), second)
        )


@pytest.mark.parametrize("code", ["MV-7K3Q-92F0", "MV-7K3Q92FD", "mv-7k3q-92fd", "Asha Rao"])
def test_a_code_of_another_shape_is_refused(db, code):
    exam_id = make_exam(db)
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute("UPDATE exam_instances SET candidate_code = %s WHERE exam_instance_id = %s", (code, exam_id))


def test_the_application_draws_again_when_a_code_is_taken(db, monkeypatch):
    """The insert skips a taken code without an error; the service then draws another."""
    taken = _code(db, make_exam(db))
    draws = iter([taken, "MV-2345-6789"])
    monkeypatch.setattr(candidate_codes, "new_candidate_code", lambda: next(draws))
    other = db.execute("SELECT student_user_id, template_id FROM exam_instances WHERE candidate_code = %s", (taken,))
    row = other.fetchone()
    exam = service._insert_with_fresh_code(
        db,
        student_user_id=row["student_user_id"],
        template_id=row["template_id"],
        subscription_id=None,
        exam_type="board_exam",
        school_class="XII",
        seed=1,
        exam_snapshot=Jsonb({"questions": []}),
        total_marks=80,
        duration_minutes=180,
        started_at=None,
        deadline_at=None,
    )
    assert exam["candidate_code"] == "MV-2345-6789"
