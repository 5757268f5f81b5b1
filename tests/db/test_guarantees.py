"""Every database guarantee of the data model (docs/database.md), tried against the real schema.

Each refusal runs inside `with db.transaction()` (a savepoint), so the test's outer
transaction stays usable; the `db` fixture rolls everything back afterwards.

SQLSTATEs raised by the schema's triggers (see migrations/sql/0001_schema_up.sql):
  parent/student role mismatch, role change of a mapped user -> 23514 CheckViolation
  exam snapshot/seed/template change                          -> 23001 RestrictViolation
  audit_logs / question_versions UPDATE, DELETE, TRUNCATE     -> 42501 InsufficientPrivilege

The append-only triggers are tried as the owner role (`owner_db`): the runtime role the app
uses lacks the privilege anyway (tests/db/test_runtime_role.py), the triggers hold even
against the owner.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import errors
from psycopg.types.json import Jsonb

# --- small insert helpers ----------------------------------------------------------------


def make_user(
    db: psycopg.Connection,
    role: str = "student",
    email: str | None = None,
    student_class: str | None = "XII",
) -> uuid.UUID:
    email = email or f"{role}-{uuid.uuid4().hex[:12]}@example.com"
    row = db.execute(
        "INSERT INTO users (email, password_hash, role, first_name, last_name, student_class) "
        "VALUES (%s, 'argon2-hash', %s, 'Test', 'User', %s) RETURNING user_id",
        (email, role, student_class if role == "student" else None),
    ).fetchone()
    return row["user_id"]


def map_parent(db: psycopg.Connection, parent_id: uuid.UUID, student_id: uuid.UUID) -> uuid.UUID:
    row = db.execute(
        "INSERT INTO parent_student_mappings (parent_user_id, student_user_id, relationship) "
        "VALUES (%s, %s, 'mother') RETURNING mapping_id",
        (parent_id, student_id),
    ).fetchone()
    return row["mapping_id"]


def plan_id(db: psycopg.Connection, plan_type: str = "premium") -> uuid.UUID:
    row = db.execute("SELECT plan_id FROM subscription_plans WHERE plan_type = %s", (plan_type,)).fetchone()
    return row["plan_id"]


def make_subscription(
    db: psycopg.Connection,
    student_id: uuid.UUID,
    start: str,
    end: str,
    status: str = "active",
    billing_day: int = 1,
) -> uuid.UUID:
    row = db.execute(
        "INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, "
        "end_date, billing_day_of_month, amount_paid_paise, payment_provider) "
        "VALUES (%s, %s, %s, 'monthly', %s, %s, %s, 99900, 'manual') RETURNING subscription_id",
        (student_id, plan_id(db), status, start, end, billing_day),
    ).fetchone()
    return row["subscription_id"]


def mcq_choices() -> Jsonb:
    return Jsonb([{"label": "A", "text": "1"}, {"label": "B", "text": "2"}, {"label": "C", "text": "3"}])


def make_question(db: psycopg.Connection, **overrides: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "class": "XII",
        "unit": "Matrices",
        "question_type": "MCQ",
        "marks": 1,
        "question_text": "What is the order of a 2 by 3 matrix?",
        "question_image_key": None,
        "mcq_choices": mcq_choices(),
        "mcq_correct_choices": ["A"],
        "status": "active",
        "version": 1,
    }
    values.update(overrides)
    row = db.execute(
        "INSERT INTO questions (class, unit, question_type, marks, question_text, question_image_key, "
        "mcq_choices, mcq_correct_choices, status, version) "
        "VALUES (%(class)s, %(unit)s, %(question_type)s, %(marks)s, %(question_text)s, "
        "%(question_image_key)s, %(mcq_choices)s, %(mcq_correct_choices)s, %(status)s, %(version)s) "
        "RETURNING question_id",
        values,
    ).fetchone()
    return row["question_id"]


def make_template(db: psycopg.Connection, exam_type: str = "board_exam") -> uuid.UUID:
    row = db.execute(
        "INSERT INTO exam_templates (template_name, class, exam_type, specific_unit, config, "
        "total_marks, duration_minutes) "
        "VALUES ('Test board exam', 'XII', %s, %s, %s, 80, 180) RETURNING template_id",
        (exam_type, "Matrices" if exam_type == "unit_practice" else None, Jsonb({"sections": []})),
    ).fetchone()
    return row["template_id"]


def make_exam(
    db: psycopg.Connection,
    student_id: uuid.UUID | None = None,
    template_id: uuid.UUID | None = None,
    total_marks: int = 80,
) -> uuid.UUID:
    student_id = student_id or make_user(db, "student")
    template_id = template_id or make_template(db)
    row = db.execute(
        "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, "
        "exam_snapshot, total_marks, duration_minutes, started_at, deadline_at) "
        "VALUES (%s, %s, 'board_exam', 'XII', 'in_progress', 42, %s, %s, 180, now(), "
        "now() + interval '185 minutes') RETURNING exam_instance_id",
        (
            student_id,
            template_id,
            Jsonb({"seed": 42, "questions": [{"question_number": 1}]}),
            total_marks,
        ),
    ).fetchone()
    return row["exam_instance_id"]


def make_evaluation(db: psycopg.Connection, exam_id: uuid.UUID, teacher_id: uuid.UUID | None = None) -> uuid.UUID:
    teacher_id = teacher_id or make_user(db, "teacher")
    row = db.execute(
        "INSERT INTO evaluations (exam_instance_id, teacher_user_id, sla_deadline) "
        "VALUES (%s, %s, now() + interval '48 hours') RETURNING evaluation_id",
        (exam_id, teacher_id),
    ).fetchone()
    return row["evaluation_id"]


def add_question_mark(
    db: psycopg.Connection,
    evaluation_id: uuid.UUID,
    awarded: Any,
    possible: Any = 3,
    comment: str | None = None,
    question_number: int = 21,
) -> None:
    question_id = make_question(db, question_type="SA", marks=3, mcq_choices=None, mcq_correct_choices=None)
    db.execute(
        "INSERT INTO question_marks (evaluation_id, question_number, question_id, marks_awarded, "
        "marks_possible, teacher_comment) VALUES (%s, %s, %s, %s, %s, %s)",
        (evaluation_id, question_number, question_id, awarded, possible, comment),
    )


def write_audit(db: psycopg.Connection) -> uuid.UUID:
    row = db.execute(
        "INSERT INTO audit_logs (event_type, actor_role, ip_address, resource_type, resource_id, details) "
        "VALUES ('user.login', 'student', '127.0.0.1', 'user', 'x', %s) RETURNING log_id",
        (Jsonb({"ok": True}),),
    ).fetchone()
    return row["log_id"]


# --- users -------------------------------------------------------------------------------


def test_student_without_class_is_refused(db):
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO users (email, password_hash, role, first_name, last_name) "
            "VALUES ('noclass@example.com', 'h', 'student', 'No', 'Class')"
        )
    # Other roles need no class.
    make_user(db, "parent")
    make_user(db, "teacher")


def test_email_unique_case_insensitively(db):
    tag = uuid.uuid4().hex[:8]
    make_user(db, "parent", email=f"Asha.Rao.{tag}@Example.com")
    with pytest.raises(errors.UniqueViolation), db.transaction():
        make_user(db, "student", email=f"asha.rao.{tag}@example.COM")
    make_user(db, "parent", email=f"asha.rao.{tag}.2@example.com")


def test_updated_at_is_maintained(db):
    user_id = make_user(db, "parent")
    db.execute(
        "UPDATE users SET updated_at = '2000-01-01T00:00:00Z', first_name = 'Renamed' WHERE user_id = %s",
        (user_id,),
    )
    row = db.execute("SELECT updated_at = now() AS fresh FROM users WHERE user_id = %s", (user_id,)).fetchone()
    assert row["fresh"] is True


# --- parent_student_mappings -------------------------------------------------------------


def test_valid_mapping_is_accepted(db):
    parent, student = make_user(db, "parent"), make_user(db, "student")
    assert map_parent(db, parent, student)


def test_self_mapping_is_refused(db):
    parent = make_user(db, "parent")
    with pytest.raises(errors.CheckViolation), db.transaction():
        map_parent(db, parent, parent)


@pytest.mark.parametrize(
    ("parent_role", "student_role"),
    [
        ("teacher", "student"),
        ("student", "student"),
        ("parent", "parent"),
        ("parent", "admin"),
        ("admin", "teacher"),
    ],
)
def test_role_mismatch_is_refused(db, parent_role, student_role):
    parent, student = make_user(db, parent_role), make_user(db, student_role)
    with pytest.raises(errors.CheckViolation) as info, db.transaction():
        map_parent(db, parent, student)
    assert info.value.diag.constraint_name == "parent_student_mappings_role_check"


def test_mapping_update_to_wrong_role_is_refused(db):
    parent, student, teacher = (
        make_user(db, "parent"),
        make_user(db, "student"),
        make_user(db, "teacher"),
    )
    mapping = map_parent(db, parent, student)
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(
            "UPDATE parent_student_mappings SET parent_user_id = %s WHERE mapping_id = %s",
            (teacher, mapping),
        )


def test_role_change_of_mapped_user_is_refused(db):
    parent, student = make_user(db, "parent"), make_user(db, "student")
    map_parent(db, parent, student)
    with pytest.raises(errors.CheckViolation) as info, db.transaction():
        db.execute("UPDATE users SET role = 'teacher' WHERE user_id = %s", (parent,))
    assert info.value.diag.constraint_name == "users_role_mapped"
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute("UPDATE users SET role = 'admin', student_class = NULL WHERE user_id = %s", (student,))
    # An unmapped user may change role.
    other_parent = make_user(db, "parent")
    db.execute("UPDATE users SET role = 'teacher' WHERE user_id = %s", (other_parent,))


def test_duplicate_mapping_is_refused(db):
    parent, student = make_user(db, "parent"), make_user(db, "student")
    map_parent(db, parent, student)
    with pytest.raises(errors.UniqueViolation), db.transaction():
        map_parent(db, parent, student)
    # A second parent for the same student is fine.
    map_parent(db, make_user(db, "parent"), student)


def test_mapping_to_missing_user_is_refused(db):
    parent = make_user(db, "parent")
    with pytest.raises(errors.ForeignKeyViolation), db.transaction():
        map_parent(db, parent, uuid.uuid4())


# --- subscriptions -----------------------------------------------------------------------


def test_overlapping_active_subscriptions_are_refused(db):
    student = make_user(db, "student")
    make_subscription(db, student, "2026-01-01", "2026-02-01")
    with pytest.raises(errors.ExclusionViolation) as info, db.transaction():
        make_subscription(db, student, "2026-01-15", "2026-02-15")
    assert info.value.diag.constraint_name == "subscriptions_no_overlapping_active"
    with pytest.raises(errors.ExclusionViolation), db.transaction():
        make_subscription(db, student, "2025-12-01", "2027-01-01")  # encloses it


def test_adjacent_active_subscriptions_are_accepted(db):
    student = make_user(db, "student")
    make_subscription(db, student, "2026-01-01", "2026-02-01")
    make_subscription(db, student, "2026-02-01", "2026-03-01")  # end is exclusive


def test_overlap_with_non_active_or_other_student_is_accepted(db):
    student = make_user(db, "student")
    make_subscription(db, student, "2026-01-01", "2026-02-01")
    for status in ("cancelled", "expired", "pending"):
        make_subscription(db, student, "2026-01-10", "2026-02-10", status=status)
    make_subscription(db, make_user(db, "student"), "2026-01-01", "2026-02-01")


def test_reactivating_into_an_overlap_is_refused(db):
    student = make_user(db, "student")
    make_subscription(db, student, "2026-01-01", "2026-02-01")
    cancelled = make_subscription(db, student, "2026-01-10", "2026-02-10", status="cancelled")
    with pytest.raises(errors.ExclusionViolation), db.transaction():
        db.execute("UPDATE subscriptions SET status = 'active' WHERE subscription_id = %s", (cancelled,))


@pytest.mark.parametrize("end", ["2026-01-01", "2025-12-31"])
def test_end_date_not_after_start_is_refused(db, end):
    student = make_user(db, "student")
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_subscription(db, student, "2026-01-01", end)


@pytest.mark.parametrize("day", [0, 29, 31])
def test_billing_day_outside_1_to_28_is_refused(db, day):
    student = make_user(db, "student")
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_subscription(db, student, "2026-01-01", "2026-02-01", billing_day=day)


def test_billing_day_28_is_accepted(db):
    make_subscription(db, make_user(db, "student"), "2026-01-28", "2026-02-28", billing_day=28)


def test_same_gateway_payment_cannot_make_two_subscriptions(db):
    student = make_user(db, "student")
    sql = (
        "INSERT INTO subscriptions (student_user_id, plan_id, status, start_date, end_date, "
        "billing_day_of_month, payment_provider, payment_reference) "
        "VALUES (%s, %s, 'pending', '2026-01-01', '2026-02-01', 1, 'razorpay', %s)"
    )
    reference = f"pay_{uuid.uuid4().hex[:14]}"
    db.execute(sql, (student, plan_id(db), reference))
    with pytest.raises(errors.UniqueViolation), db.transaction():
        db.execute(sql, (student, plan_id(db), reference))


# --- questions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_type", "marks"),
    [("MCQ", 1), ("VSA", 2), ("SA", 3), ("LA", 5), ("LA", 6), ("CASE", 4)],
)
def test_marks_matching_type_are_accepted(db, question_type, marks):
    mcq = question_type == "MCQ"
    make_question(
        db,
        question_type=question_type,
        marks=marks,
        mcq_choices=mcq_choices() if mcq else None,
        mcq_correct_choices=["B"] if mcq else None,
    )


@pytest.mark.parametrize(
    ("question_type", "marks"),
    [("MCQ", 2), ("VSA", 3), ("SA", 5), ("LA", 4), ("LA", 3), ("CASE", 5), ("VSA", Decimal("2.5"))],
)
def test_marks_not_matching_type_are_refused(db, question_type, marks):
    mcq = question_type == "MCQ"
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_question(
            db,
            question_type=question_type,
            marks=marks,
            mcq_choices=mcq_choices() if mcq else None,
            mcq_correct_choices=["A"] if mcq else None,
        )


@pytest.mark.parametrize("text", [None, "", "   "])
def test_question_without_text_or_image_is_refused(db, text):
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_question(db, question_text=text, question_image_key=None)


def test_question_with_image_only_is_accepted(db):
    make_question(db, question_text=None, question_image_key="question-images/q1.png")


@pytest.mark.parametrize(
    ("choices", "correct"),
    [
        (None, ["A"]),
        (Jsonb([]), ["A"]),
        (Jsonb([{"label": "A", "text": "1"}]), ["A"]),  # a single choice is no choice
        (Jsonb({"A": "1", "B": "2"}), ["A"]),  # not a list
        ("__choices__", None),
        ("__choices__", []),
        ("__choices__", ["D"]),  # not among the labels
        ("__choices__", ["A", "Z"]),
    ],
)
def test_mcq_without_valid_choices_is_refused(db, choices, correct):
    if choices == "__choices__":
        choices = mcq_choices()
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_question(db, mcq_choices=choices, mcq_correct_choices=correct)


def test_mcq_with_several_correct_choices_is_accepted(db):
    make_question(db, mcq_correct_choices=["A", "C"])


@pytest.mark.parametrize("version", [0, -1])
def test_question_version_must_be_positive(db, version):
    with pytest.raises(errors.CheckViolation), db.transaction():
        make_question(db, version=version)


def test_question_history_is_append_only(owner_db):
    db = owner_db
    question_id = make_question(db)
    db.execute(
        "INSERT INTO question_versions (question_id, version, content) VALUES (%s, 1, %s)",
        (question_id, Jsonb({"question_text": "v1"})),
    )
    with pytest.raises(errors.UniqueViolation), db.transaction():
        db.execute(
            "INSERT INTO question_versions (question_id, version, content) VALUES (%s, 1, %s)",
            (question_id, Jsonb({"question_text": "again"})),
        )
    with pytest.raises(errors.InsufficientPrivilege), db.transaction():
        db.execute("UPDATE question_versions SET content = '{}' WHERE question_id = %s", (question_id,))
    with pytest.raises(errors.InsufficientPrivilege), db.transaction():
        db.execute("DELETE FROM question_versions WHERE question_id = %s", (question_id,))


# --- exam templates and instances --------------------------------------------------------


def test_unit_practice_template_must_name_its_unit(db):
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO exam_templates (template_name, class, exam_type, config, total_marks, duration_minutes) "
            "VALUES ('Unit', 'XII', 'unit_practice', '{}', 29, 45)"
        )
    make_template(db, "unit_practice")


@pytest.mark.parametrize("minutes", [0, 301])
def test_template_duration_outside_1_to_300_is_refused(db, minutes):
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO exam_templates (template_name, class, exam_type, config, total_marks, duration_minutes) "
            "VALUES ('Board', 'XII', 'board_exam', '{}', 80, %s)",
            (minutes,),
        )


@pytest.mark.parametrize(
    "assignment",
    [
        "exam_snapshot = '{\"questions\": []}'::jsonb",
        "exam_snapshot = exam_snapshot || '{\"seed\": 43}'::jsonb",
        "seed = 43",
        "template_id = %(other_template)s",
        "student_user_id = %(other_student)s",
    ],
)
def test_exam_snapshot_cannot_change(db, assignment):
    exam_id = make_exam(db)
    params = {
        "exam": exam_id,
        "other_template": make_template(db),
        "other_student": make_user(db, "student"),
    }
    with pytest.raises(errors.RestrictViolation) as info, db.transaction():
        db.execute(f"UPDATE exam_instances SET {assignment} WHERE exam_instance_id = %(exam)s", params)
    assert info.value.diag.constraint_name == "exam_instances_snapshot_immutable"


def test_exam_status_and_scores_can_change(db):
    exam_id = make_exam(db)
    db.execute(
        "UPDATE exam_instances SET status = 'submitted_mcq', mcq_submitted_at = now(), mcq_score = 15, "
        "mcq_total = 20, mcq_percentage = 75 WHERE exam_instance_id = %s",
        (exam_id,),
    )
    # Writing the same snapshot back is not a change.
    db.execute(
        "UPDATE exam_instances SET exam_snapshot = exam_snapshot, status = 'evaluated', total_score = 80, "
        "percentage = 100 WHERE exam_instance_id = %s",
        (exam_id,),
    )
    row = db.execute("SELECT status FROM exam_instances WHERE exam_instance_id = %s", (exam_id,)).fetchone()
    assert row["status"] == "evaluated"


@pytest.mark.parametrize(
    "assignment",
    [
        "total_score = 81",
        "total_score = -1",
        "percentage = 101",
        "percentage = -0.01",
        "mcq_percentage = 100.01",
        "mcq_percentage = -1",
        "mcq_score = -1",
        "mcq_total = 20, mcq_score = 21",
        "manual_score = -0.5",
    ],
)
def test_exam_score_bounds(db, assignment):
    exam_id = make_exam(db, total_marks=80)
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(f"UPDATE exam_instances SET {assignment} WHERE exam_instance_id = %s", (exam_id,))


def test_exam_score_limits_are_inclusive(db):
    exam_id = make_exam(db, total_marks=80)
    db.execute(
        "UPDATE exam_instances SET total_score = 80, percentage = 100, mcq_percentage = 0 WHERE exam_instance_id = %s",
        (exam_id,),
    )
    db.execute(
        "UPDATE exam_instances SET total_score = 0, percentage = 0, mcq_percentage = 100 WHERE exam_instance_id = %s",
        (exam_id,),
    )


def test_answer_sheet_page_numbers(db):
    exam_id = make_exam(db)
    sql = (
        "INSERT INTO answer_sheet_uploads (exam_instance_id, page_number, s3_key, content_type, size_bytes) "
        "VALUES (%s, %s, 'answer-sheets/x', 'image/png', 100)"
    )
    db.execute(sql, (exam_id, 1))
    db.execute(sql, (exam_id, 40))
    with pytest.raises(errors.UniqueViolation), db.transaction():
        db.execute(sql, (exam_id, 1))
    for page in (0, 41):
        with pytest.raises(errors.CheckViolation), db.transaction():
            db.execute(sql, (exam_id, page))


# --- evaluations and question marks ------------------------------------------------------


def test_second_evaluation_for_one_exam_is_refused(db):
    exam_id = make_exam(db)
    make_evaluation(db, exam_id)
    with pytest.raises(errors.UniqueViolation), db.transaction():
        make_evaluation(db, exam_id)


@pytest.mark.parametrize("awarded", [0, Decimal("0.5"), Decimal("2.5"), 3])
def test_question_marks_in_half_steps_up_to_possible_are_accepted(db, awarded):
    evaluation_id = make_evaluation(db, make_exam(db))
    add_question_mark(db, evaluation_id, awarded, possible=3)


@pytest.mark.parametrize(
    "awarded",
    [
        Decimal("3.5"),
        4,
        Decimal("-0.5"),
        Decimal("0.25"),
        Decimal("1.75"),
        Decimal("1.45"),
        Decimal("0.51"),
    ],
)
def test_question_marks_out_of_bounds_or_off_step_are_refused(db, awarded):
    evaluation_id = make_evaluation(db, make_exam(db))
    with pytest.raises(errors.CheckViolation), db.transaction():
        add_question_mark(db, evaluation_id, awarded, possible=3)


def test_teacher_comment_is_at_most_500_characters(db):
    evaluation_id = make_evaluation(db, make_exam(db))
    add_question_mark(db, evaluation_id, 1, comment="x" * 500, question_number=21)
    with pytest.raises(errors.CheckViolation), db.transaction():
        add_question_mark(db, evaluation_id, 1, comment="x" * 501, question_number=22)


# --- audit logs --------------------------------------------------------------------------


def test_audit_rows_can_be_written(db):
    log_id = write_audit(db)
    row = db.execute("SELECT event_type, created_at FROM audit_logs WHERE log_id = %s", (log_id,)).fetchone()
    assert row["event_type"] == "user.login"
    assert row["created_at"] is not None


def test_audit_update_is_refused(owner_db):
    db = owner_db
    log_id = write_audit(db)
    with pytest.raises(errors.InsufficientPrivilege) as info, db.transaction():
        db.execute("UPDATE audit_logs SET event_type = 'tampered' WHERE log_id = %s", (log_id,))
    assert info.value.diag.constraint_name == "audit_logs_append_only"


def test_audit_delete_is_refused(owner_db):
    db = owner_db
    log_id = write_audit(db)
    with pytest.raises(errors.InsufficientPrivilege), db.transaction():
        db.execute("DELETE FROM audit_logs WHERE log_id = %s", (log_id,))
    assert db.execute("SELECT count(*) AS n FROM audit_logs WHERE log_id = %s", (log_id,)).fetchone()["n"] == 1


def test_audit_truncate_is_refused(owner_db):
    db = owner_db
    write_audit(db)
    with pytest.raises(errors.InsufficientPrivilege), db.transaction():
        db.execute("TRUNCATE audit_logs")
    assert db.execute("SELECT count(*) AS n FROM audit_logs").fetchone()["n"] >= 1


# --- holidays and configuration ----------------------------------------------------------


def test_exact_duplicate_holiday_is_refused_but_same_date_other_name_is_accepted(db):
    with pytest.raises(errors.UniqueViolation), db.transaction():
        db.execute("INSERT INTO holidays (holiday_date, holiday_name) VALUES ('2025-10-02', 'Gandhi Jayanti')")
    other_name = f"Local Festival {uuid.uuid4().hex[:8]}"
    db.execute("INSERT INTO holidays (holiday_date, holiday_name) VALUES ('2025-10-02', %s)", (other_name,))
    rows = db.execute("SELECT holiday_name FROM holidays WHERE holiday_date = %s", (date(2025, 10, 2),)).fetchall()
    assert {"Gandhi Jayanti", "Dussehra", other_name} <= {r["holiday_name"] for r in rows}


@pytest.mark.parametrize(
    ("value", "value_type"),
    [
        ('"ten"', "integer"),
        ("1.5", "integer"),
        ("true", "string"),
        ("[1]", "object"),
        ("1", "colour"),
    ],
)
def test_config_value_must_match_its_type(db, value, value_type):
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute(
            "INSERT INTO system_config (config_key, config_value, value_type) VALUES ('test_key', %s::jsonb, %s)",
            (value, value_type),
        )


def test_seeded_config_update_keeps_type(db):
    db.execute("UPDATE system_config SET config_value = '20' WHERE config_key = 'leaderboard_top_n'")
    with pytest.raises(errors.CheckViolation), db.transaction():
        db.execute("UPDATE system_config SET config_value = '\"20\"' WHERE config_key = 'leaderboard_top_n'")
