"""The SLA sweeps, run as operators run them (run_job with --as-of).

Deadlines are in mid-2019 so the sweeps, which scan the whole shared database, meet only
this file's evaluations at those instants; each test deletes what it made, so no later
sweep meets them either. The default calendar: Mon–Sat, 09:00–18:00 Asia/Kolkata."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from psycopg.types.json import Jsonb

from mathvidya.jobs.registry import find_job, periodic_jobs, run_job
from tests.exam_fixtures import connect, make_template, private_unit, section

IST = ZoneInfo("Asia/Kolkata")


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


@pytest.fixture
def make_evaluation(app):
    """make_evaluation(student, teacher, deadline, status=…) → an evaluation row made by SQL."""
    template = make_template(app, [section("B", "VSA", 1, {private_unit("sla"): 1.0})])
    made = []

    def make(student, teacher, deadline: datetime, status: str = "assigned") -> dict:
        completed_at = deadline if status == "completed" else None
        with connect(app) as conn, conn.transaction():
            exam = conn.execute(
                "INSERT INTO exam_instances (student_user_id, template_id, exam_type, class, status, seed, "
                "exam_snapshot, total_marks, duration_minutes, submitted_at, sla_deadline) VALUES "
                "(%s, %s, 'board_exam', 'XII', %s, 1, %s, 2, 30, %s, %s) RETURNING exam_instance_id",
                (
                    student["user_id"],
                    template,
                    "evaluated" if status == "completed" else "pending_evaluation",
                    Jsonb({"template": {"template_name": "Board practice 7"}, "questions": []}),
                    ist("2019-06-20T10:00"),
                    deadline,
                ),
            ).fetchone()["exam_instance_id"]
            row = conn.execute(
                "INSERT INTO evaluations (exam_instance_id, teacher_user_id, status, assigned_at, started_at, "
                "completed_at, sla_deadline) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
                (
                    exam,
                    teacher["user_id"],
                    status,
                    ist("2019-06-20T10:05"),
                    ist("2019-06-20T11:00") if status != "assigned" else None,
                    completed_at,
                    deadline,
                ),
            ).fetchone()
        made.append(exam)
        return row

    yield make
    with connect(app) as conn:
        conn.execute("DELETE FROM exam_instances WHERE exam_instance_id = ANY(%s)", (made,))


def evaluation(app, evaluation_id) -> dict:
    with connect(app) as conn:
        return conn.execute("SELECT * FROM evaluations WHERE evaluation_id = %s", (evaluation_id,)).fetchone()


def notifications(app, user, event_type, evaluation_id) -> list[dict]:
    with connect(app) as conn:
        return conn.execute(
            "SELECT * FROM notifications WHERE user_id = %s AND event_type = %s AND resource_id = %s",
            (user["user_id"], event_type, str(evaluation_id)),
        ).fetchall()


def outbox(app, user, subject_start) -> list[dict]:
    with connect(app) as conn:
        return conn.execute(
            "SELECT * FROM email_outbox WHERE to_address = %s AND subject LIKE %s",
            (user["email"], subject_start + "%"),
        ).fetchall()


@pytest.fixture
def people(make_user):
    return {
        "student": make_user("student", first_name="Meera", last_name="Nair", signed_in=False),
        "teacher": make_user("teacher", first_name="Ravi", last_name="Kumar", signed_in=False),
    }


def test_both_sweeps_are_registered_every_15_minutes_on_the_evaluation_queue():
    names = {job.name for job in periodic_jobs()}
    assert {"flag-sla-breaches", "warn-sla"} <= names
    for name in ("flag-sla-breaches", "warn-sla"):
        job = find_job(name)
        assert job.interval_seconds == 900 and job.queue == "evaluation"


def test_a_breach_is_flagged_once_audited_once_and_every_admin_is_told(
    app, settings, make_user, make_evaluation, people
):
    admin = make_user("admin", signed_in=False)
    inactive_admin = make_user("admin", signed_in=False)
    with connect(app) as conn:
        conn.execute("UPDATE users SET is_active = false WHERE user_id = %s", (inactive_admin["user_id"],))
    student, teacher = people["student"], people["teacher"]
    late = make_evaluation(student, teacher, ist("2019-08-01T09:30"))
    late_in_progress = make_evaluation(student, teacher, ist("2019-08-01T09:59"), status="in_progress")
    not_yet = make_evaluation(student, teacher, ist("2019-08-01T10:30"))
    done = make_evaluation(student, teacher, ist("2019-08-01T09:00"), status="completed")
    as_of = ist("2019-08-01T10:00")

    assert run_job("flag-sla-breaches", as_of, settings) >= 2
    for row in (late, late_in_progress):
        flagged = evaluation(app, row["evaluation_id"])
        assert flagged["sla_breached"] is True and flagged["breach_flagged_at"] == as_of
    assert evaluation(app, not_yet["evaluation_id"])["breach_flagged_at"] is None
    assert evaluation(app, done["evaluation_id"])["breach_flagged_at"] is None

    # a second run (same instant, or later) changes nothing for them
    assert run_job("flag-sla-breaches", as_of, settings) == 0
    run_job("flag-sla-breaches", ist("2019-08-01T10:15"), settings)
    assert evaluation(app, late["evaluation_id"])["breach_flagged_at"] == as_of
    with connect(app) as conn:
        audits = conn.execute(
            "SELECT actor_user_id, actor_role, details FROM audit_logs WHERE event_type = 'sla.breached' "
            "AND resource_type = 'evaluation' AND resource_id = %s",
            (str(late["evaluation_id"]),),
        ).fetchall()
    assert len(audits) == 1
    assert audits[0]["actor_user_id"] is None and audits[0]["actor_role"] is None
    assert audits[0]["details"]["teacher_user_id"] == str(teacher["user_id"])

    told = notifications(app, admin, "sla.breached", late["evaluation_id"])
    assert len(told) == 1 and "Meera Nair" in told[0]["title"] and "Ravi Kumar" in told[0]["body"]
    assert "01 Aug 2019, 09:30 IST" in told[0]["body"]
    mails = [m for m in outbox(app, admin, "SLA breached: Meera Nair") if "Ravi Kumar" in m["body_text"]]
    assert len(mails) == 2  # one per breached evaluation, rendered from the sla.breached template
    assert notifications(app, inactive_admin, "sla.breached", late["evaluation_id"]) == []
    assert notifications(app, teacher, "sla.breached", late["evaluation_id"]) == []
    # the later deadline breaches on a later run
    run_job("flag-sla-breaches", ist("2019-08-01T10:31"), settings)
    assert evaluation(app, not_yet["evaluation_id"])["sla_breached"] is True


def test_the_teacher_is_warned_once_when_under_two_working_hours_remain(app, settings, make_evaluation, people):
    student, teacher = people["student"], people["teacher"]
    as_of = ist("2019-07-01T10:00")  # a Monday
    soon = make_evaluation(student, teacher, ist("2019-07-01T11:30"))  # 90 working minutes
    exactly_two_hours = make_evaluation(student, teacher, ist("2019-07-01T12:00"))  # 120: not under two hours
    later = make_evaluation(student, teacher, ist("2019-07-01T15:00"))
    past = make_evaluation(student, teacher, ist("2019-07-01T09:30"))
    done = make_evaluation(student, teacher, ist("2019-07-01T11:00"), status="completed")

    assert run_job("warn-sla", as_of, settings) == 1
    assert evaluation(app, soon["evaluation_id"])["sla_warned_at"] == as_of
    for row in (exactly_two_hours, later, past, done):
        assert evaluation(app, row["evaluation_id"])["sla_warned_at"] is None
    told = notifications(app, teacher, "sla.warning", soon["evaluation_id"])
    assert len(told) == 1 and "1.5 working hours" in told[0]["body"]
    assert len(outbox(app, teacher, "Evaluation due soon: Board practice 7")) == 1

    assert run_job("warn-sla", as_of, settings) == 0
    assert len(notifications(app, teacher, "sla.warning", soon["evaluation_id"])) == 1

    assert run_job("warn-sla", ist("2019-07-01T10:15"), settings) == 1  # now 105 minutes before 12:00
    assert evaluation(app, exactly_two_hours["evaluation_id"])["sla_warned_at"] == ist("2019-07-01T10:15")
    assert evaluation(app, later["evaluation_id"])["sla_warned_at"] is None
    assert evaluation(app, soon["evaluation_id"])["sla_warned_at"] == as_of


def test_remaining_time_is_counted_in_working_hours_across_the_weekend(app, settings, make_evaluation, people):
    """Saturday 17:00 → Monday 09:50 is 40 hours away but only 110 working minutes."""
    student, teacher = people["student"], people["teacher"]
    as_of = ist("2019-07-06T17:00")  # a Saturday
    monday_early = make_evaluation(student, teacher, ist("2019-07-08T09:50"))
    monday_later = make_evaluation(student, teacher, ist("2019-07-08T10:00"))  # exactly 120 working minutes
    assert run_job("warn-sla", as_of, settings) == 1
    assert evaluation(app, monday_early["evaluation_id"])["sla_warned_at"] == as_of
    assert evaluation(app, monday_later["evaluation_id"])["sla_warned_at"] is None
    # a minute of working time later the other one is under two working hours away
    assert run_job("warn-sla", ist("2019-07-06T17:01"), settings) == 1
    assert evaluation(app, monday_later["evaluation_id"])["sla_warned_at"] == ist("2019-07-06T17:01")


def test_saturday_is_off_when_the_working_days_are_monday_to_friday(app, settings, make_evaluation, people):
    """With working days Mon–Fri, Saturday does not count: 40 calendar hours, 60 working minutes."""
    student, teacher = people["student"], people["teacher"]
    with connect(app) as conn:
        original = conn.execute(
            "SELECT config_value FROM system_config WHERE config_key = 'sla_working_days'"
        ).fetchone()["config_value"]
    _set_working_days(app, ["Mon", "Tue", "Wed", "Thu", "Fri"])
    try:
        friday_evening = ist("2019-07-05T17:00")
        monday = make_evaluation(student, teacher, ist("2019-07-08T10:30"))  # 60 + 90 = 150 minutes away
        assert run_job("warn-sla", friday_evening, settings) == 0
        monday_soon = make_evaluation(student, teacher, ist("2019-07-08T09:30"))  # 60 + 30 = 90 minutes
        assert run_job("warn-sla", friday_evening, settings) == 1
        assert evaluation(app, monday_soon["evaluation_id"])["sla_warned_at"] == friday_evening
        assert evaluation(app, monday["evaluation_id"])["sla_warned_at"] is None
    finally:
        _set_working_days(app, original)


def _set_working_days(app, days) -> None:
    from mathvidya.settings_store import announce_change

    with connect(app) as conn:
        conn.execute("UPDATE system_config SET config_value = %s WHERE config_key = 'sla_working_days'", (Jsonb(days),))
    import redis as redis_lib

    announce_change(redis_lib.Redis.from_url(app.config["SETTINGS"].redis_url))
