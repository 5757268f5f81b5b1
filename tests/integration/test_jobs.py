"""Queues, the worker, the clock registration, and the e-mail outbox over real SMTP."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from rq import Queue

from mathvidya.jobs.registry import periodic_jobs, run_job
from mathvidya.notifications.service import Email, deliver_due_emails, queue_email
from tests.factories import process_env

ROOT = Path(__file__).resolve().parent.parent.parent


def _env(settings) -> dict[str, str]:
    return process_env(settings)


def test_job_enqueued_is_run_by_a_real_burst_worker(settings, redis):
    queue = Queue("default", connection=redis)
    job = queue.enqueue("mathvidya.jobs.registry.run_periodic_job", "deliver-outbox")
    result = subprocess.run(
        [sys.executable, "-m", "mathvidya.worker", "--burst"],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    job.refresh()
    assert job.get_status() == "finished"
    assert isinstance(job.return_value(), int)


def test_clock_registers_every_periodic_job(redis):
    from mathvidya.clock import build_scheduler

    registered = build_scheduler(redis).get_jobs()
    assert {job.name for job in registered} == {job.name for job in periodic_jobs()}
    assert all(job.interval or job.cron for job in registered)
    assert all(job.func_name == "mathvidya.jobs.registry.run_periodic_job" for job in registered)


def test_procfile_runs_the_outage_proof_clock_and_worker():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ": " in line)
    assert procfile["clock"] == "python -m mathvidya.clock"
    assert procfile["worker"] == "python -m mathvidya.worker"


def _queue_test_email(settings, subject: str) -> str:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        outbox_id = queue_email(
            conn, settings, Email(f"{uuid.uuid4().hex}@example.com", subject, "Hello"), "test.email"
        )
        conn.commit()
    return outbox_id


def _outbox_row(settings, outbox_id):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute("SELECT * FROM email_outbox WHERE outbox_id = %s", (outbox_id,)).fetchone()


def test_outbox_email_is_delivered_to_the_smtp_sink(settings, smtp_sink):
    subject = f"welcome {uuid.uuid4().hex}"
    outbox_id = _queue_test_email(settings, subject)
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        assert deliver_due_emails(conn, settings, datetime.now(UTC), outbox_id=outbox_id) == 1
        conn.commit()
    assert any(m["Subject"] == subject for m in smtp_sink.messages)
    assert _outbox_row(settings, outbox_id)["status"] == "sent"


def test_failed_delivery_is_retried_with_backoff_by_the_sweep(settings, smtp_sink):
    subject = f"retry {uuid.uuid4().hex}"
    outbox_id = _queue_test_email(settings, subject)
    now = datetime.now(UTC)
    smtp_sink.refuse_mail(True)
    try:
        with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
            assert deliver_due_emails(conn, settings, now, outbox_id=outbox_id) == 0
            conn.commit()
    finally:
        smtp_sink.refuse_mail(False)
    failed = _outbox_row(settings, outbox_id)
    assert failed["status"] == "pending" and failed["attempts"] == 1
    assert failed["next_attempt_at"] > now and failed["last_error"]

    # Not yet due: the sweep leaves it alone; once due, the sweep sends it.
    run_job("deliver-outbox", now, settings)
    assert _outbox_row(settings, outbox_id)["status"] == "pending"
    run_job("deliver-outbox", now + timedelta(minutes=2), settings)
    assert _outbox_row(settings, outbox_id)["status"] == "sent"
    assert any(m["Subject"] == subject for m in smtp_sink.messages)


def test_email_is_not_queued_when_notifications_are_disabled(settings, committing_db):
    committing_db.execute("UPDATE system_config SET config_value = 'false' WHERE config_key = 'notifications_enabled'")
    from mathvidya.settings_store import announce_change

    announce_change(None)
    try:
        with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
            assert queue_email(conn, settings, Email("x@example.com", "s", "b"), "test.email") is None
    finally:
        committing_db.execute(
            "UPDATE system_config SET config_value = 'true' WHERE config_key = 'notifications_enabled'"
        )
        announce_change(None)


@pytest.mark.parametrize("as_of", ["2026-01-05T10:00:00+05:30"])
def test_run_job_cli_lists_and_runs_with_as_of(settings, as_of):
    env = _env(settings)
    listing = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run-job", "--list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert "deliver-outbox" in listing.stdout
    ran = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run-job", "deliver-outbox", "--as-of", as_of],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert "rows touched" in ran.stdout


def test_create_user_cli_prints_the_new_id(settings):
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "create-user",
            "--role",
            "teacher",
            "--email",
            email,
            "--password",
            "a-long-password",
            "--first-name",
            "Tina",
            "--last-name",
            "T",
        ],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    user_id = uuid.UUID(result.stdout.strip().splitlines()[-1])
    with psycopg.connect(settings.database_url) as conn:
        role = conn.execute("SELECT role FROM users WHERE user_id = %s", (user_id,)).fetchone()[0]
        audited = conn.execute(
            "SELECT count(*) FROM audit_logs WHERE event_type = 'user.created' AND resource_id = %s", (str(user_id),)
        ).fetchone()[0]
    assert role == "teacher" and audited == 1


def test_seed_demo_is_idempotent_and_prints_passwords(settings):
    runs = [
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
            cwd=ROOT,
            env=_env(settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr

    def user_lines(output: str) -> list[str]:
        return [line for line in output.splitlines() if "password:" in line]

    assert user_lines(runs[0].stdout) == user_lines(runs[1].stdout)
    assert "admin@demo.mathvidya.in" in runs[0].stdout
    assert "questions: 0 added" in runs[1].stdout
