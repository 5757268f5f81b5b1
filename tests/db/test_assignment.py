"""Assignment on a database of its own: balance, races and the no-teacher path."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from mathvidya.evaluations.service import assign_exam, assign_waiting_exams
from tests.concurrency import run_at_once


@pytest.fixture
def private_settings(settings, fresh_database_url):
    return replace(settings, database_url=fresh_database_url)


def _conn(url):
    return psycopg.connect(url, row_factory=dict_row, autocommit=True)


def _user(conn, role, **extra):
    return conn.execute(
        "INSERT INTO users (email, password_hash, role, first_name, last_name, student_class) "
        "VALUES (%s, 'x', %s, 'T', %s, %s) RETURNING user_id",
        (f"{role}-{uuid.uuid4().hex[:10]}@example.com", role, role, "XII" if role == "student" else None),
    ).fetchone()["user_id"]


def _pending_exams(conn, count):
    student = _user(conn, "student")
    template = conn.execute(
        "INSERT INTO exam_templates (template_name, class, exam_type, config, total_marks, duration_minutes) "
        "VALUES ('t', 'XII', 'board_exam', '{}', 10, 30) RETURNING template_id"
    ).fetchone()["template_id"]
    now = datetime.now(UTC)
    return [
        conn.execute(
            "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, exam_snapshot, "
            "total_marks, duration_minutes, submitted_at, sla_deadline) VALUES (%s, %s, 'board_exam', 'XII', "
            "'pending_evaluation', 1, %s, 10, 30, %s, %s) RETURNING exam_instance_id",
            (student, template, Jsonb({"questions": []}), now, now + timedelta(hours=48 + i)),
        ).fetchone()["exam_instance_id"]
        for i in range(count)
    ]


def test_thirty_exams_are_spread_evenly_over_three_teachers(private_settings):
    url = private_settings.database_url
    with _conn(url) as conn:
        teachers = [_user(conn, "teacher") for _ in range(3)]
        _pending_exams(conn, 30)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        assert assign_waiting_exams(conn, private_settings, datetime.now(UTC)) == 30
        conn.commit()
    with _conn(url) as conn:
        per_teacher = Counter(r["teacher_user_id"] for r in conn.execute("SELECT teacher_user_id FROM evaluations"))
        audited = conn.execute(
            "SELECT count(*) AS n FROM audit_logs WHERE event_type = 'evaluation.assigned'"
        ).fetchone()["n"]
        told = conn.execute(
            "SELECT count(*) AS n FROM notifications WHERE event_type = 'evaluation.assigned'"
        ).fetchone()["n"]
    assert sorted(per_teacher.values()) == [10, 10, 10] and set(per_teacher) == set(teachers)
    assert audited == 30 and told == 30


def test_fewest_open_first_then_least_recently_assigned(private_settings):
    url = private_settings.database_url
    with _conn(url) as conn:
        busy, idle = _user(conn, "teacher"), _user(conn, "teacher")
        first, second, third = _pending_exams(conn, 3)
    now = datetime.now(UTC)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        assign_exam(conn, private_settings, first, now)
        conn.commit()
        assign_exam(conn, private_settings, second, now + timedelta(seconds=1))
        conn.commit()
        assign_exam(conn, private_settings, third, now + timedelta(seconds=2))
        conn.commit()
    with _conn(url) as conn:
        rows = conn.execute("SELECT exam_instance_id, teacher_user_id FROM evaluations ORDER BY assigned_at").fetchall()
    owners = [r["teacher_user_id"] for r in rows]
    assert owners[0] != owners[1]  # the second goes to the teacher with nothing open
    assert owners[2] == owners[0]  # tie on open work → least recently assigned
    assert {busy, idle} == set(owners)


def test_two_workers_racing_on_one_exam_create_one_evaluation(private_settings):
    url = private_settings.database_url
    with _conn(url) as conn:
        _user(conn, "teacher")
        _user(conn, "teacher")
        (exam_id,) = _pending_exams(conn, 1)

    def attempt():
        with psycopg.connect(url, row_factory=dict_row) as conn:
            result = assign_exam(conn, private_settings, exam_id, datetime.now(UTC))
            conn.commit()
            return result

    results = run_at_once(4, attempt)
    assert sum(r is not None for r in results) == 1
    with _conn(url) as conn:
        assert conn.execute("SELECT count(*) AS n FROM evaluations").fetchone()["n"] == 1


def test_no_teacher_keeps_the_exam_queued_tells_admins_once_then_the_sweep_recovers(private_settings):
    url = private_settings.database_url
    with _conn(url) as conn:
        admin = _user(conn, "admin")
        (exam_id,) = _pending_exams(conn, 1)
    for _ in range(2):
        with psycopg.connect(url, row_factory=dict_row) as conn:
            assert assign_waiting_exams(conn, private_settings, datetime.now(UTC)) == 0
            conn.commit()
    with _conn(url) as conn:
        alerts = conn.execute(
            "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND event_type = 'evaluation.unassigned'",
            (admin,),
        ).fetchone()["n"]
        assert alerts == 1
        teacher = _user(conn, "teacher")
    with psycopg.connect(url, row_factory=dict_row) as conn:
        assert assign_waiting_exams(conn, private_settings, datetime.now(UTC)) == 1
        conn.commit()
    with _conn(url) as conn:
        row = conn.execute("SELECT teacher_user_id FROM evaluations WHERE exam_instance_id = %s", (exam_id,)).fetchone()
    assert row["teacher_user_id"] == teacher


def test_inactive_teachers_are_never_chosen(private_settings):
    url = private_settings.database_url
    with _conn(url) as conn:
        inactive = _user(conn, "teacher")
        conn.execute("UPDATE users SET is_active = false WHERE user_id = %s", (inactive,))
        active = _user(conn, "teacher")
        _pending_exams(conn, 3)
    with psycopg.connect(url, row_factory=dict_row) as conn:
        assign_waiting_exams(conn, private_settings, datetime.now(UTC))
        conn.commit()
    with _conn(url) as conn:
        owners = {r["teacher_user_id"] for r in conn.execute("SELECT teacher_user_id FROM evaluations")}
    assert owners == {active}
