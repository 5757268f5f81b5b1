"""Queues, the worker, the clock registration, and the e-mail outbox over real SMTP."""

from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from redis import Redis
from rq import Queue

from mathvidya.clock import build_scheduler
from mathvidya.jobs.registry import periodic_jobs, run_job, run_periodic_job
from mathvidya.notifications.emails import Email
from mathvidya.notifications.service import deliver_due_emails, queue_email
from tests.factories import process_env

ROOT = Path(__file__).resolve().parent.parent.parent


def _env(settings) -> dict[str, str]:
    return process_env(settings)


def test_job_enqueued_is_run_by_a_real_burst_worker(worker_settings, fresh_database_url, smtp_sink):
    """On a database and a Redis database of its own, the worker runs exactly the job queued
    here: the outbox sweep sends the one e-mail that is due."""
    own = replace(worker_settings, database_url=fresh_database_url)
    subject = f"burst {uuid.uuid4().hex}"
    outbox_id = _queue_test_email(own, subject)
    with Redis.from_url(own.redis_url) as worker_redis:
        queue = Queue("default", connection=worker_redis)
        job = queue.enqueue("mathvidya.jobs.registry.run_periodic_job", "deliver-outbox")
        result = subprocess.run(
            [sys.executable, "-m", "mathvidya.worker", "--burst"],
            cwd=ROOT,
            env=_env(own),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert job.get_status(refresh=True) == "finished", result.stderr
        assert job.return_value() == 1
    assert _outbox_row(own, outbox_id)["status"] == "sent"
    assert any(m["Subject"] == subject for m in smtp_sink.messages)


def test_clock_registers_every_periodic_job(redis):
    registered = build_scheduler(redis).get_jobs()
    # each job once, on its own queue and schedule, run through the one job runner
    got = sorted((j.name, j.queue_name, j.interval, j.cron, j.args, j.func_name) for j in registered)
    runner = f"{run_periodic_job.__module__}.{run_periodic_job.__name__}"
    want = sorted((j.name, j.queue, j.interval_seconds, j.cron, (j.name,), runner) for j in periodic_jobs())
    assert got == want
    assert all(bool(j.interval) != bool(j.cron) for j in registered)  # exactly one schedule each


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
            "--password-stdin",
            "--first-name",
            "Tina",
            "--last-name",
            "T",
        ],
        cwd=ROOT,
        env=_env(settings),
        input="a-long-password\n",
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
    assert "a-long-password" not in result.stdout + result.stderr


def test_a_job_already_waiting_is_not_queued_twice(worker_redis_url):
    from mathvidya.queue import enqueue_unique, get_queue

    queue = get_queue("default", worker_redis_url)
    job_id = f"unique-{uuid.uuid4().hex}"
    assert enqueue_unique(queue, "mathvidya.jobs.registry.run_periodic_job", job_id, "deliver-outbox") is True
    assert enqueue_unique(queue, "mathvidya.jobs.registry.run_periodic_job", job_id, "deliver-outbox") is False
    assert queue.job_ids == [job_id]
    with pytest.raises(ValueError, match="unknown queue"):
        get_queue("urgent", worker_redis_url)
