"""The exam quota statement, entitlement refusals and teacher-hour locking against a real
PostgreSQL: period rollover, the SQL/Python period functions agreeing, and concurrent
consumers never exceeding a limit."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya import business_time
from mathvidya.authz import Principal
from mathvidya.billing import periods, service
from mathvidya.errors import (
    ExamTypeNotInPlan,
    LeaderboardNotAvailable,
    SubscriptionLimitExceeded,
    SubscriptionRequired,
    TeacherHoursExceeded,
)
from tests.concurrency import run_at_once

D = date.fromisoformat


def make_student(conn) -> uuid.UUID:
    return conn.execute(
        "INSERT INTO users (email, password_hash, role, first_name, last_name, student_class) "
        "VALUES (%s, 'x', 'student', 'Quota', 'Student', 'XII') RETURNING user_id",
        (f"quota-{uuid.uuid4().hex[:12]}@example.com",),
    ).fetchone()["user_id"]


def make_subscription(
    conn,
    student,
    plan_type="basic",
    start="2026-01-28",
    end="2027-01-28",
    billing_day=None,
    used=0,
    last_reset=None,
    status="active",
):
    plan_id = conn.execute("SELECT plan_id FROM subscription_plans WHERE plan_type = %s", (plan_type,)).fetchone()[
        "plan_id"
    ]
    return conn.execute(
        "INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, end_date, "
        "billing_day_of_month, exams_used_this_period, last_counter_reset_date, payment_provider) "
        "VALUES (%s, %s, %s, 'annual', %s, %s, %s, %s, %s, 'manual') RETURNING subscription_id",
        (
            student,
            plan_id,
            status,
            start,
            end,
            billing_day or periods.billing_day_for(D(start)),
            used,
            last_reset,
        ),
    ).fetchone()["subscription_id"]


def counter(conn, subscription_id):
    return conn.execute(
        "SELECT exams_used_this_period, last_counter_reset_date FROM subscriptions WHERE subscription_id = %s",
        (subscription_id,),
    ).fetchone()


# --- the SQL period function mirrors periods.py ---------------------------------------


def test_sql_billing_period_start_agrees_with_python_for_every_day_and_billing_day(db):
    rows = db.execute(
        "SELECT d::date AS on_date, b AS billing_day, billing_period_start(b, d::date) AS start "
        "FROM generate_series(date '2024-01-01', date '2029-12-31', interval '1 day') AS d, "
        "generate_series(1, 28) AS b"
    ).fetchall()
    assert len(rows) == 2192 * 28
    mismatches = [r for r in rows if periods.period_start(r["billing_day"], r["on_date"]) != r["start"]]
    assert mismatches == []


# --- rollover -------------------------------------------------------------------------


def test_consume_counts_up_to_the_limit_then_refuses(db):
    student = make_student(db)
    sub = make_subscription(db, student, start="2026-01-10", billing_day=10)
    today = D("2026-01-20")
    results = [service.consume_exam_quota(db, student, today) for _ in range(6)]
    assert [r.exams_used for r in results[:5]] == [1, 2, 3, 4, 5]
    assert results[5] is None
    assert results[4].exams_limit == 5 and results[4].exams_remaining == 0
    assert results[0].period_start == D("2026-01-10") and results[0].resets_on == D("2026-02-10")
    assert counter(db, sub) == {"exams_used_this_period": 5, "last_counter_reset_date": D("2026-01-10")}


@pytest.mark.parametrize(
    ("billing_day", "last_reset", "same_period_day", "next_period_day", "new_start", "new_reset"),
    [
        # billing day 28 across January → February → March (February has no 29th-31st)
        (28, "2026-01-28", "2026-02-27", "2026-02-28", "2026-02-28", "2026-03-28"),
        (28, "2026-02-28", "2026-03-27", "2026-03-28", "2026-03-28", "2026-04-28"),
        # billing day 1 at month ends
        (1, "2026-01-01", "2026-01-31", "2026-02-01", "2026-02-01", "2026-03-01"),
        (1, "2026-02-01", "2026-02-28", "2026-03-01", "2026-03-01", "2026-04-01"),
        (1, "2026-12-01", "2026-12-31", "2027-01-01", "2027-01-01", "2027-02-01"),
        # a leap February
        (28, "2028-01-28", "2028-02-27", "2028-02-29", "2028-02-28", "2028-03-28"),
    ],
)
def test_period_rolls_over_on_the_billing_day(
    db, billing_day, last_reset, same_period_day, next_period_day, new_start, new_reset
):
    student = make_student(db)
    start = D(last_reset) - timedelta(days=40)
    sub = make_subscription(
        db,
        student,
        start=start.isoformat(),
        end=(start + timedelta(days=800)).isoformat(),
        billing_day=billing_day,
        used=5,
        last_reset=last_reset,
    )
    # still the old period: the limit (5) is used up
    assert service.consume_exam_quota(db, student, D(same_period_day)) is None
    assert counter(db, sub)["exams_used_this_period"] == 5
    # the first day of the next period: the statement itself resets, then counts this exam
    result = service.consume_exam_quota(db, student, D(next_period_day))
    assert result is not None
    assert (result.exams_used, result.period_start, result.resets_on) == (1, D(new_start), D(new_reset))
    assert counter(db, sub) == {"exams_used_this_period": 1, "last_counter_reset_date": D(new_start)}


def test_rollover_after_skipped_months_without_any_job(db):
    student = make_student(db)
    sub = make_subscription(db, student, start="2026-01-05", billing_day=5, used=5, last_reset="2026-01-05")
    result = service.consume_exam_quota(db, student, D("2026-06-30"))
    assert (result.exams_used, result.period_start) == (1, D("2026-06-05"))
    assert counter(db, sub)["last_counter_reset_date"] == D("2026-06-05")


def test_nothing_is_consumed_outside_the_subscription_dates_or_when_not_active(db):
    student = make_student(db)
    make_subscription(db, student, start="2026-01-01", end="2026-02-01")
    assert service.consume_exam_quota(db, student, D("2025-12-31")) is None
    assert service.consume_exam_quota(db, student, D("2026-02-01")) is None  # end_date is not covered
    assert service.consume_exam_quota(db, student, D("2026-01-31")).exams_used == 1
    other = make_student(db)
    make_subscription(db, other, start="2026-01-01", end="2026-02-01", status="cancelled")
    assert service.consume_exam_quota(db, other, D("2026-01-15")) is None


def test_lowered_plan_limit_applies_at_once(db):
    student = make_student(db)
    make_subscription(db, student, plan_type="premium", start="2026-01-01", used=3, last_reset="2026-01-01")
    db.execute("UPDATE subscription_plans SET exams_limit_per_month = 3 WHERE plan_type = 'premium'")
    assert service.consume_exam_quota(db, student, D("2026-01-20")) is None  # rolled back with the test


# --- refusals -------------------------------------------------------------------------


def test_refusal_without_a_subscription_is_subscription_required(db):
    student = make_student(db)
    with pytest.raises(SubscriptionRequired) as info:
        service.consume_exam_quota_or_refuse(db, student, D("2026-01-15"))
    assert (info.value.status, info.value.code) == (403, "SUBSCRIPTION_REQUIRED")
    with pytest.raises(SubscriptionRequired):
        service.check_exam_entitlement(db, student, "board_exam", True, D("2026-01-15"))
    with pytest.raises(SubscriptionRequired):
        service.require_subscription(db, student, D("2026-01-15"))


def test_refusal_at_the_limit_names_used_limit_and_reset_date(db):
    student = make_student(db)
    make_subscription(db, student, start="2026-01-28", used=5, last_reset="2026-01-28")
    with pytest.raises(SubscriptionLimitExceeded) as info:
        service.consume_exam_quota_or_refuse(db, student, D("2026-02-10"))
    error = info.value
    assert (error.status, error.code) == (403, "SUBSCRIPTION_LIMIT_EXCEEDED")
    assert error.details == {"used": 5, "limit": 5, "resets_on": "2026-02-28"}


def test_exam_type_refusals_read_the_plan_row(db):
    student = make_student(db)
    make_subscription(db, student, plan_type="premium_mcq", start="2026-01-01")
    today = D("2026-01-15")
    assert service.check_exam_entitlement(db, student, "section_mcq", False, today)["plan_type"] == "premium_mcq"
    with pytest.raises(ExamTypeNotInPlan) as info:
        service.check_exam_entitlement(db, student, "board_exam", True, today)
    assert (info.value.status, info.value.code) == (403, "EXAM_TYPE_NOT_IN_PLAN")
    assert info.value.details["reason"] == "manual_evaluation_not_included"
    with pytest.raises(ExamTypeNotInPlan) as info:
        service.check_exam_entitlement(db, student, "unit_practice", False, today)
    assert info.value.details["reason"] == "exam_type_not_allowed"


def test_leaderboard_follows_the_plan(db):
    basic_student, premium_student, nobody = make_student(db), make_student(db), make_student(db)
    make_subscription(db, basic_student, plan_type="basic", start="2026-01-01")
    make_subscription(db, premium_student, plan_type="premium", start="2026-01-01")
    today = D("2026-01-15")
    assert service.leaderboard_allowed(db, premium_student, today)
    assert not service.leaderboard_allowed(db, basic_student, today)
    assert not service.leaderboard_allowed(db, nobody, today)
    with pytest.raises(LeaderboardNotAvailable) as info:
        service.ensure_leaderboard_allowed(db, basic_student, today)
    assert (info.value.status, info.value.code) == (403, "LEADERBOARD_NOT_AVAILABLE")
    service.ensure_leaderboard_allowed(db, premium_student, today)


# --- concurrency (real connections, each committing) ----------------------------------


@pytest.fixture
def committed_student(database_url):
    """A committed student with a committed basic subscription covering today."""
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        student = make_student(conn)
        today = business_time.business_date()
        limit = conn.execute(
            "SELECT exams_limit_per_month FROM subscription_plans WHERE plan_type = 'basic'"
        ).fetchone()["exams_limit_per_month"]
        sub = make_subscription(
            conn, student, start=(today - timedelta(days=3)).isoformat(), end=(today + timedelta(days=27)).isoformat()
        )
    return {"student": student, "subscription": sub, "today": today, "limit": limit}


def _run_at_once(count: int, attempt) -> tuple[list, float]:
    started = time.perf_counter()
    results = run_at_once(count, attempt)
    return results, time.perf_counter() - started


def test_30_concurrent_starts_with_a_limit_of_5_consume_exactly_5(database_url, committed_student):
    student, today = committed_student["student"], committed_student["today"]
    assert committed_student["limit"] == 5  # the seeded Basic plan

    def attempt():
        with psycopg.connect(database_url, row_factory=dict_row) as conn:
            result = service.consume_exam_quota(conn, student, today)
            conn.commit()
            return result

    results, elapsed = _run_at_once(30, attempt)
    granted = [r for r in results if r is not None]
    assert len(granted) == 5
    assert sorted(r.exams_used for r in granted) == [1, 2, 3, 4, 5]
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        assert counter(conn, committed_student["subscription"])["exams_used_this_period"] == 5
    print(f"\n30 concurrent consumers, limit 5: {len(granted)} granted, {30 - len(granted)} refused, {elapsed:.3f}s")


def test_concurrent_teacher_sessions_never_exceed_the_plan_hours(database_url, committed_student):
    student, today = committed_student["student"], committed_student["today"]
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        teacher = conn.execute(
            "INSERT INTO users (email, password_hash, role, first_name, last_name) "
            "VALUES (%s, 'x', 'teacher', 'T', 'Teacher') RETURNING user_id",
            (f"teacher-{uuid.uuid4().hex[:12]}@example.com",),
        ).fetchone()["user_id"]
    actor = Principal(user_id=teacher, role="teacher", family_id=None, ip_address=None)

    def attempt():
        with psycopg.connect(database_url, row_factory=dict_row) as conn:
            try:
                service.record_teacher_session(
                    conn, actor, student_user_id=student, minutes=10, notes=None, today=today
                )
            except TeacherHoursExceeded:
                conn.rollback()
                return False
            conn.commit()
            return True

    results, _ = _run_at_once(10, attempt)
    assert results.count(True) == 6  # Basic: 1 hour = 6 × 10 minutes
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        total = conn.execute(
            "SELECT sum(minutes) AS total FROM teacher_sessions WHERE subscription_id = %s",
            (committed_student["subscription"],),
        ).fetchone()["total"]
    assert total == 60
