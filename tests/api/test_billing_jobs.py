"""The periodic billing jobs, run as operators run them (run_job / `flask run-job --as-of`).

Dates are in 2025 so that the jobs, which sweep the whole shared database, only touch
subscriptions that really are past (or near) their end on those dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya.billing import periods, service
from mathvidya.jobs.registry import periodic_jobs, run_job

IST = timezone(timedelta(hours=5, minutes=30))
D = date.fromisoformat


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=IST)


@pytest.fixture
def conn(settings):
    with psycopg.connect(settings.database_url, row_factory=dict_row, autocommit=True) as connection:
        yield connection


def subscribe(conn, student, start, end, plan_type="basic", used=0, last_reset=None):
    return conn.execute(
        "INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, end_date, "
        "billing_day_of_month, exams_used_this_period, last_counter_reset_date, payment_provider) "
        "SELECT %s, plan_id, 'active', 'monthly', %s, %s, %s, %s, %s, 'manual' FROM subscription_plans "
        "WHERE plan_type = %s RETURNING subscription_id",
        (student["user_id"], start, end, periods.billing_day_for(D(start)), used, last_reset, plan_type),
    ).fetchone()["subscription_id"]


def subscription(conn, subscription_id):
    return conn.execute("SELECT * FROM subscriptions WHERE subscription_id = %s", (subscription_id,)).fetchone()


def count(conn, sql, *params) -> int:
    return conn.execute(f"SELECT count(*) AS n FROM ({sql}) AS q", params).fetchone()["n"]


def test_the_jobs_are_registered_under_their_names():
    names = {job.name for job in periodic_jobs()}
    assert {"expire-subscriptions", "warn-expiring-subscriptions", "reset-exam-periods"} <= names


def test_expiry_job_expires_ended_subscriptions_once_and_audits(conn, make_user, settings):
    ended_student, running_student = make_user("student", signed_in=False), make_user("student", signed_in=False)
    ended = subscribe(conn, ended_student, "2025-01-01", "2025-02-01")
    running = subscribe(conn, running_student, "2025-01-02", "2025-02-02")
    # at use time an ended subscription is already not current, job or no job
    assert service.consume_exam_quota(conn, ended_student["user_id"], D("2025-02-01")) is None

    assert run_job("expire-subscriptions", at("2025-02-01"), settings) >= 1
    assert subscription(conn, ended)["status"] == "expired"
    assert subscription(conn, running)["status"] == "active"
    audit = "SELECT 1 FROM audit_logs WHERE event_type = 'subscription.expired' AND resource_id = %s"
    assert count(conn, audit, str(ended)) == 1

    run_job("expire-subscriptions", at("2025-02-01"), settings)  # rerun: nothing new for this one
    assert count(conn, audit, str(ended)) == 1
    run_job("expire-subscriptions", at("2025-02-02"), settings)
    assert subscription(conn, running)["status"] == "expired"


def test_expiry_warning_goes_once_to_student_and_parents_7_days_ahead(conn, make_user, link_parent, settings):
    student = make_user("student", signed_in=False)
    mother, father = make_user("parent", signed_in=False), make_user("parent", signed_in=False)
    link_parent(mother, student)
    link_parent(father, student, relationship="father")
    conn.execute(
        "UPDATE users SET email_opt_out = '{\"subscription.expiring\": true}' WHERE user_id = %s", (father["user_id"],)
    )
    sub = subscribe(conn, student, "2025-02-10", "2025-03-10")
    people = (student["user_id"], mother["user_id"], father["user_id"])
    notes = "SELECT user_id FROM notifications WHERE event_type = 'subscription.expiring' AND user_id = ANY(%s)"
    mails = "SELECT 1 FROM email_outbox WHERE event_type = 'subscription.expiring' AND to_address = ANY(%s)"
    emails = [student["email"], mother["email"], father["email"]]

    run_job("warn-expiring-subscriptions", at("2025-03-01", 9), settings)  # 9 days ahead: too early
    assert count(conn, notes, list(people)) == 0 and subscription(conn, sub)["expiry_warned_at"] is None

    assert run_job("warn-expiring-subscriptions", at("2025-03-03", 9), settings) >= 1  # 7 days ahead
    assert {r["user_id"] for r in conn.execute(notes, (list(people),)).fetchall()} == set(people)
    assert count(conn, mails, emails) == 2  # the father opted out of these e-mails
    assert subscription(conn, sub)["expiry_warned_at"] is not None
    body = conn.execute(
        "SELECT title, body FROM notifications WHERE event_type = 'subscription.expiring' AND user_id = %s",
        (mother["user_id"],),
    ).fetchone()
    assert "Basic Plan" in body["title"] and "09 Mar 2025" in body["body"]
    mail = conn.execute(
        "SELECT subject, body_text FROM email_outbox WHERE event_type = 'subscription.expiring' AND to_address = %s",
        (mother["email"],),
    ).fetchone()
    assert mail["subject"] == "Test's Basic Plan ends soon" and "09 Mar 2025" in mail["body_text"]

    run_job("warn-expiring-subscriptions", at("2025-03-05", 9), settings)  # rerun: never repeated
    assert count(conn, notes, list(people)) == 3 and count(conn, mails, emails) == 2


def test_no_expiry_warning_when_a_renewal_continues_the_cover(conn, make_user, settings):
    student = make_user("student", signed_in=False)
    ending = subscribe(conn, student, "2025-04-10", "2025-05-10")
    subscribe(conn, student, "2025-05-10", "2025-06-10", plan_type="premium")
    run_job("warn-expiring-subscriptions", at("2025-05-05", 9), settings)
    assert subscription(conn, ending)["expiry_warned_at"] is None
    assert count(conn, "SELECT 1 FROM notifications WHERE user_id = %s", student["user_id"]) == 0


def test_reset_job_zeroes_passed_periods_only(conn, make_user, settings):
    passed, current = make_user("student", signed_in=False), make_user("student", signed_in=False)
    stale = subscribe(conn, passed, "2025-04-05", "2025-07-05", used=5, last_reset="2025-04-05")
    fresh = subscribe(conn, current, "2025-04-05", "2025-07-05", used=3, last_reset="2025-05-05")
    assert run_job("reset-exam-periods", at("2025-05-06"), settings) >= 1
    row = subscription(conn, stale)
    assert (row["exams_used_this_period"], row["last_counter_reset_date"]) == (0, D("2025-05-05"))
    assert subscription(conn, fresh)["exams_used_this_period"] == 3


def test_run_job_cli_honours_as_of(app, conn, make_user):
    student = make_user("student", signed_in=False)
    sub = subscribe(conn, student, "2025-05-20", "2025-06-20")
    runner = app.test_cli_runner()
    with app.app_context():  # as `flask --app wsgi` provides for every command
        listing = runner.invoke(args=["run-job", "--list"])
        for name in ("expire-subscriptions", "warn-expiring-subscriptions", "reset-exam-periods"):
            assert name in listing.output
        early = runner.invoke(args=["run-job", "expire-subscriptions", "--as-of", "2025-06-19T23:00:00+05:30"])
        assert early.exit_code == 0, early.output
        assert subscription(conn, sub)["status"] == "active"
        result = runner.invoke(args=["run-job", "expire-subscriptions", "--as-of", "2025-06-20T00:30:00+05:30"])
    assert result.exit_code == 0, result.output
    assert "expire-subscriptions:" in result.output and "rows touched" in result.output
    assert subscription(conn, sub)["status"] == "expired"
