"""The migrated schema has every table, enum, index and trigger, and the reference data of
the reference data (plans, holidays, system_config, CBSE units).

Uses the `db` fixture: a psycopg connection (dict rows) to a database migrated to head,
inside a transaction rolled back after each test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

CORE_TABLES = {
    "users",
    "parent_student_mappings",
    "subscription_plans",
    "subscriptions",
    "questions",
    "exam_templates",
    "exam_instances",
    "student_mcq_answers",
    "answer_sheet_uploads",
    "unanswered_questions",
    "evaluations",
    "question_marks",
    "audit_logs",
    "holidays",
    "system_config",
}
EXTRA_TABLES = {"question_versions", "evaluation_annotations", "notifications", "email_outbox"}

ENUMS = {
    "user_role": ["student", "parent", "teacher", "admin"],
    "relationship_type": ["father", "mother", "guardian", "other"],
    "plan_type": ["basic", "premium_mcq", "premium", "centum"],
    "subscription_status": ["active", "expired", "cancelled", "pending"],
    "billing_cycle": ["monthly", "annual"],
    "student_class": ["X", "XII"],
    "question_type": ["MCQ", "VSA", "SA", "LA", "CASE"],
    "question_difficulty": ["easy", "medium", "hard"],
    "question_status": ["draft", "active", "archived"],
    "exam_type": ["board_exam", "section_mcq", "section_vsa", "section_sa", "unit_practice", "adaptive_practice"],
    "exam_status": [
        "created",
        "in_progress",
        "submitted_mcq",
        "pending_upload",
        "uploaded",
        "pending_evaluation",
        "reupload_requested",
        "evaluated",
    ],
    "evaluation_status": ["assigned", "in_progress", "completed"],
}

CLASS_XII_UNITS = [
    "Relations and Functions",
    "Inverse Trigonometric Functions",
    "Matrices",
    "Determinants",
    "Continuity and Differentiability",
    "Application of Derivatives",
    "Integrals",
    "Application of Integrals",
    "Differential Equations",
    "Vector Algebra",
    "Three Dimensional Geometry",
    "Linear Programming",
    "Probability",
]
CLASS_X_UNITS = [
    "Real Numbers",
    "Polynomials",
    "Pair of Linear Equations in Two Variables",
    "Quadratic Equations",
    "Arithmetic Progressions",
    "Triangles",
    "Coordinate Geometry",
    "Introduction to Trigonometry",
    "Some Applications of Trigonometry",
    "Circles",
    "Areas Related to Circles",
    "Surface Areas and Volumes",
    "Statistics",
    "Probability",
]

HOLIDAYS = [
    ("2025-01-26", "Republic Day"),
    ("2025-03-14", "Holi"),
    ("2025-04-10", "Id-ul-Fitr"),
    ("2025-04-14", "Ambedkar Jayanti"),
    ("2025-04-18", "Good Friday"),
    ("2025-05-01", "May Day"),
    ("2025-08-15", "Independence Day"),
    ("2025-08-27", "Janmashtami"),
    ("2025-10-02", "Gandhi Jayanti"),
    ("2025-10-02", "Dussehra"),
    ("2025-10-21", "Diwali"),
    ("2025-11-05", "Guru Nanak Jayanti"),
    ("2025-12-25", "Christmas"),
    ("2026-01-26", "Republic Day"),
    ("2026-03-06", "Holi"),
    ("2026-03-31", "Id-ul-Fitr"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-14", "Ambedkar Jayanti"),
    ("2026-05-01", "May Day"),
    ("2026-08-15", "Independence Day"),
    ("2026-08-16", "Janmashtami"),
    ("2026-10-02", "Gandhi Jayanti"),
    ("2026-10-12", "Dussehra"),
    ("2026-11-01", "Diwali"),
    ("2026-11-25", "Guru Nanak Jayanti"),
    ("2026-12-25", "Christmas"),
]

SECTION_9_CONFIG = {
    "sla_working_hours": {"start": "09:00", "end": "18:00", "timezone": "Asia/Kolkata"},
    "leaderboard_top_n": 10,
    "max_upload_size_mb": 5,
    "allowed_upload_mimetypes": ["image/jpeg", "image/jpg", "image/png", "application/pdf"],
    "evaluation_ui_stamps": ["tick", "cross", "half", "circle", "star"],
    "analytics_refresh_hour": 2,
    "analytics_retention_days": 730,
    "exam_auto_submit_enabled": True,
    "exam_grace_period_minutes": 5,
    "notifications_enabled": True,
    "notification_email_from": "Mathvidya <noreply@mathvidya.com>",
    "question_approval_required": True,
    "session_timeout_minutes": 60,
    "max_login_attempts": 5,
    "aws_s3_region": "ap-south-1",
    "s3_signed_url_expiry_minutes": 15,
    "cbse_units_class_xii": CLASS_XII_UNITS,
    "cbse_units_class_x": CLASS_X_UNITS,
}


# --- structure ---------------------------------------------------------------------------


def test_every_table_exists(db):
    rows = db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    ).fetchall()
    names = {r["table_name"] for r in rows}
    assert names >= CORE_TABLES
    assert names >= EXTRA_TABLES


@pytest.mark.parametrize("enum_name", sorted(ENUMS))
def test_enum_has_exact_labels_in_order(db, enum_name):
    rows = db.execute(
        "SELECT e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
        "WHERE t.typname = %s ORDER BY e.enumsortorder",
        (enum_name,),
    ).fetchall()
    assert [r["enumlabel"] for r in rows] == ENUMS[enum_name]


def test_primary_keys_of_entity_tables_are_uuid(db):
    rows = db.execute(
        """
        SELECT c.table_name, c.column_name, c.data_type
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage k
          ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
        JOIN information_schema.columns c
          ON c.table_schema = k.table_schema AND c.table_name = k.table_name
         AND c.column_name = k.column_name
        WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'
        """
    ).fetchall()
    by_table: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        by_table.setdefault(r["table_name"], []).append((r["column_name"], r["data_type"]))
    single_uuid_pk = {
        "users": "user_id",
        "parent_student_mappings": "mapping_id",
        "subscription_plans": "plan_id",
        "subscriptions": "subscription_id",
        "questions": "question_id",
        "exam_templates": "template_id",
        "exam_instances": "exam_instance_id",
        "answer_sheet_uploads": "upload_id",
        "evaluations": "evaluation_id",
        "audit_logs": "log_id",
        "holidays": "holiday_id",
        "notifications": "notification_id",
        "email_outbox": "outbox_id",
    }
    for table, column in single_uuid_pk.items():
        assert by_table[table] == [(column, "uuid")], table
    assert by_table["system_config"] == [("config_key", "text")]


def test_no_timestamp_without_time_zone(db):
    rows = db.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
    ).fetchall()
    assert rows == []


def test_indexes_needed_by_the_api_exist(db):
    rows = db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall()
    defs = {r["indexname"]: r["indexdef"] for r in rows}
    assert "USING gin (tags)" in defs["questions_tags_idx"]
    assert "USING gin (search_vector)" in defs["questions_search_idx"]
    assert "(class, question_type, unit, status)" in defs["questions_filter_idx"]
    assert "WHERE (status = 'active'" in defs["questions_active_sampling_idx"]
    assert "questions_active_pick_idx" not in defs  # it duplicated the sampling index
    assert "(teacher_user_id, sla_deadline)" in defs["evaluations_teacher_open_idx"]
    assert "(email_key)" in defs["users_email_key_key"]
    assert "UNIQUE" in defs["users_email_key_key"]
    assert "(student_user_id, created_at DESC)" in defs["exam_instances_student_created_idx"]
    assert "'in_progress'" in defs["exam_instances_in_progress_deadline_idx"]
    assert "'pending_evaluation'" in defs["exam_instances_pending_evaluation_idx"]
    assert "(teacher_user_id, status, sla_deadline)" in defs["evaluations_teacher_queue_idx"]
    assert "'completed'" in defs["evaluations_open_deadline_idx"]
    assert "(created_at DESC)" in defs["audit_logs_created_idx"]
    assert "(event_type, created_at DESC)" in defs["audit_logs_event_created_idx"]
    assert "(actor_user_id, created_at DESC)" in defs["audit_logs_actor_created_idx"]
    assert "(resource_type, resource_id, created_at DESC)" in defs["audit_logs_resource_created_idx"]
    assert "WHERE (status = 'pending'" in defs["email_outbox_pending_idx"]


def test_subscription_overlap_is_an_exclusion_constraint(db):
    row = db.execute(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE conname = 'subscriptions_no_overlapping_active'"
    ).fetchone()
    assert row is not None
    assert row["def"].startswith("EXCLUDE USING gist")
    assert "WHERE ((status = 'active'" in row["def"]


def test_guard_triggers_exist(db):
    rows = db.execute("SELECT tgrelid::regclass::text AS tbl, tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
    triggers = {(r["tbl"], r["tgname"]) for r in rows}
    assert {
        ("audit_logs", "audit_logs_append_only"),
        ("audit_logs", "audit_logs_no_truncate"),
        ("exam_instances", "exam_instances_snapshot_immutable"),
        ("parent_student_mappings", "parent_student_mappings_role_check"),
        ("users", "users_role_mapped"),
        ("question_versions", "question_versions_append_only"),
    } <= triggers


def test_full_text_search_on_questions(db):
    db.execute(
        "INSERT INTO questions (class, unit, topic, question_type, marks, question_text) "
        "VALUES ('XII', 'Integrals', 'Integration by parts', 'VSA', 2, "
        "'Evaluate the integral of x times e to the x.')"
    )
    rows = db.execute(
        "SELECT unit FROM questions WHERE search_vector @@ plainto_tsquery('english', 'integrating parts')"
    ).fetchall()
    assert [r["unit"] for r in rows] == ["Integrals"]


# --- reference data ----------------------------------------------------------------------


def test_four_plans_with_product_values(db):
    rows = db.execute(
        "SELECT plan_type::text, plan_name, exams_limit_per_month, teacher_hours_per_month, "
        "allows_board_exam, allows_section_exam, allows_unit_practice, "
        "manual_evaluation_included, leaderboard_access, sla_hours, "
        "monthly_price_paise, annual_price_paise, priority, is_active "
        "FROM subscription_plans ORDER BY plan_type"
    ).fetchall()
    plans = {r["plan_type"]: r for r in rows}
    assert set(plans) == {"basic", "premium_mcq", "premium", "centum"}
    expected = {
        "basic": (
            "Basic Plan",
            5,
            Decimal("1.0"),
            True,
            True,
            False,
            True,
            False,
            48,
            29900,
            299900,
        ),
        "premium_mcq": (
            "Premium MCQ",
            15,
            Decimal(0),
            True,
            True,
            False,
            False,
            False,
            48,
            49900,
            499900,
        ),
        "premium": (
            "Premium Plan",
            50,
            Decimal("1.0"),
            True,
            True,
            True,
            True,
            True,
            48,
            99900,
            999900,
        ),
        "centum": ("Plan Centum", 50, None, True, True, True, True, True, 24, 149900, 1499900),
    }
    for plan_type, values in expected.items():
        r = plans[plan_type]
        got = (
            r["plan_name"],
            r["exams_limit_per_month"],
            r["teacher_hours_per_month"],
            r["allows_board_exam"],
            r["allows_section_exam"],
            r["allows_unit_practice"],
            r["manual_evaluation_included"],
            r["leaderboard_access"],
            r["sla_hours"],
            r["monthly_price_paise"],
            r["annual_price_paise"],
        )
        assert got == values, plan_type
        assert r["is_active"] is True
    # Centum is served first, then premium.
    assert plans["centum"]["priority"] > plans["premium"]["priority"] > plans["basic"]["priority"]


def test_all_26_holidays_including_both_on_gandhi_jayanti(db):
    # Only the seeded rows are compared: other tests may add holidays of their own.
    rows = db.execute(
        "SELECT holiday_id, holiday_date, holiday_name, is_working_day FROM holidays "
        "WHERE holiday_date BETWEEN '2025-01-01' AND '2026-12-31'"
    ).fetchall()
    seeded = [r for r in rows if (r["holiday_date"].isoformat(), r["holiday_name"]) in set(HOLIDAYS)]
    assert len(seeded) == 26
    assert {(r["holiday_date"].isoformat(), r["holiday_name"]) for r in seeded} == set(HOLIDAYS)
    assert all(r["is_working_day"] is False for r in seeded)
    gandhi_jayanti_day = [r for r in seeded if r["holiday_date"] == date(2025, 10, 2)]
    assert sorted(r["holiday_name"] for r in gandhi_jayanti_day) == ["Dussehra", "Gandhi Jayanti"]
    assert len({r["holiday_id"] for r in gandhi_jayanti_day}) == 2
    per_year = {year: sum(1 for r in seeded if r["holiday_date"].year == year) for year in (2025, 2026)}
    assert per_year == {2025: 13, 2026: 13}


def test_system_config_has_the_18_keys_plus_sla_working_days(db):
    rows = db.execute("SELECT config_key, config_value, value_type, description FROM system_config").fetchall()
    config = {r["config_key"]: r for r in rows}
    assert len(config) >= 19
    assert set(SECTION_9_CONFIG) <= set(config)
    for key, value in SECTION_9_CONFIG.items():
        assert config[key]["config_value"] == value, key
    assert config["sla_working_days"]["config_value"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    for key, row in config.items():
        assert row["value_type"], key
        assert row["description"], key


def test_cbse_unit_lists_in_syllabus_order(db):
    rows = db.execute(
        "SELECT config_key, config_value FROM system_config "
        "WHERE config_key IN ('cbse_units_class_xii', 'cbse_units_class_x')"
    ).fetchall()
    units = {r["config_key"]: r["config_value"] for r in rows}
    assert units["cbse_units_class_xii"] == CLASS_XII_UNITS
    assert len(units["cbse_units_class_xii"]) == 13
    assert units["cbse_units_class_x"] == CLASS_X_UNITS
    assert len(units["cbse_units_class_x"]) == 14
