"""Separate processes: a config change made through the API is seen by worker processes
at once (the Redis version key), and every periodic job runs by hand with --as-of.

The job functions below are imported by the worker subprocesses (cwd = repository root).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from redis import Redis
from rq import Queue

from mathvidya import settings_store
from mathvidya.config import load_settings
from mathvidya.db import job_connection
from mathvidya.jobs.registry import periodic_jobs
from mathvidya.notifications.emails import Email
from mathvidya.notifications.service import queue_email
from tests.factories import process_env

ROOT = Path(__file__).resolve().parent.parent.parent
# Nothing reads this key yet (the analytics issue will), so changing it disturbs no test.
KEY = "analytics_retention_days"


def read_setting_job(key: str) -> object:
    """Run by the worker: read one setting the way any job does (no Redis client passed)."""
    with job_connection(load_settings().database_url) as conn:
        return settings_store.get_setting(conn, key)


def _env(settings) -> dict[str, str]:
    return process_env(settings)


@pytest.fixture
def restore_key(settings, redis):
    """The key's value before the test, put back afterwards (and announced)."""
    with psycopg.connect(settings.database_url) as conn:
        original = conn.execute("SELECT config_value FROM system_config WHERE config_key = %s", (KEY,)).fetchone()[0]
    yield original
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("UPDATE system_config SET config_value = %s WHERE config_key = %s", (Jsonb(original), KEY))
    settings_store.announce_change(redis)


def _put(client, admin, value):
    response = client.put(f"/api/v1/admin/config/{KEY}", json={"value": value}, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()


def test_a_change_through_the_api_is_seen_by_a_real_burst_worker(client, make_user, worker_settings, restore_key):
    admin = make_user("admin")
    new_value = restore_key + 1
    _put(client, admin, new_value)
    with Redis.from_url(worker_settings.redis_url) as worker_redis:
        job = Queue("default", connection=worker_redis).enqueue(f"{__name__}.read_setting_job", KEY)
        result = subprocess.run(
            [sys.executable, "-m", "mathvidya.worker", "--burst"],
            cwd=ROOT,
            env=_env(worker_settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert job.get_status(refresh=True) == "finished", result.stderr
        assert job.return_value() == new_value


# A long-lived worker that never forks keeps one config cache for its whole life, like a
# gunicorn thread: the case where a stale value could outlive a change.
LONG_LIVED_WORKER = """
import sys
from redis import Redis
from rq import SimpleWorker
from mathvidya import settings_store
settings_store.FALLBACK_TTL = 3600  # prove the version key, not the time-out, brings the change
SimpleWorker([sys.argv[1]], connection=Redis.from_url(sys.argv[2])).work(burst=False)
"""


def _run_on(queue: Queue, timeout: float = 30.0) -> object:
    job = queue.enqueue(f"{__name__}.read_setting_job", KEY)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status == "finished":
            return job.return_value()
        if status == "failed":
            raise AssertionError(job.latest_result().exc_string)
        time.sleep(0.05)
    raise AssertionError("the long-lived worker did not run the job")


def test_a_long_lived_worker_process_sees_the_change_at_once(client, make_user, settings, redis, restore_key):
    admin = make_user("admin")
    queue = Queue(f"config-test-{uuid.uuid4().hex[:8]}", connection=redis)
    worker = subprocess.Popen(
        [sys.executable, "-c", LONG_LIVED_WORKER, queue.name, settings.redis_url],
        cwd=ROOT,
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _run_on(queue) == restore_key  # the worker's cache is now warm

        # A change that bypasses the API announces nothing: the warm cache still answers.
        with psycopg.connect(settings.database_url) as conn:
            conn.execute("UPDATE system_config SET config_value = '999' WHERE config_key = %s", (KEY,))
        assert _run_on(queue) == restore_key

        # Through the API: committed, audited, announced — the very next read has it.
        _put(client, admin, 1000)
        assert _run_on(queue) == 1000
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


# --- jobs by hand -------------------------------------------------------------------------------


def test_run_job_list_names_every_registered_job_with_its_schedule(settings):
    listing = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run-job", "--list"],
        cwd=ROOT,
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    for job in periodic_jobs():
        (line,) = [line for line in lines if line.split()[0] == job.name]
        assert job.schedule in line


def _run_job(app, *args: str):
    """The run-job command in this process (as `flask --app wsgi run-job` runs it: in an app context)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["run-job", *args])


@pytest.mark.parametrize("name", [job.name for job in periodic_jobs()])
def test_each_job_runs_by_hand_with_as_of(app, name):
    result = _run_job(app, name, "--as-of", "2026-01-05T10:00:00+05:30")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: ") and "rows touched" in result.output


def test_unknown_jobs_and_naive_times_are_refused(app):
    assert _run_job(app, "no-such-job").exit_code != 0
    naive = _run_job(app, "deliver-outbox", "--as-of", "2026-01-05T10:00:00")
    assert naive.exit_code != 0 and "offset" in naive.output


def test_as_of_reaches_the_time_rule_of_the_job(app, settings):
    """deliver-outbox run "an hour ago" finds a just-queued e-mail not yet due; run "now" sends it."""
    subject = f"as-of {uuid.uuid4().hex}"
    with job_connection(settings.database_url) as conn:
        outbox_id = queue_email(conn, settings, Email(f"{uuid.uuid4().hex}@example.com", subject, "Hi"), "test.as_of")
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert _run_job(app, "deliver-outbox", "--as-of", past).exit_code == 0
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        row = conn.execute("SELECT status FROM email_outbox WHERE outbox_id = %s", (outbox_id,)).fetchone()
    assert row["status"] == "pending"
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert _run_job(app, "deliver-outbox", "--as-of", later).exit_code == 0
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        row = conn.execute("SELECT status, sent_at FROM email_outbox WHERE outbox_id = %s", (outbox_id,)).fetchone()
    assert row["status"] == "sent" and row["sent_at"] == datetime.fromisoformat(later)


class CountingRedis(Redis):
    """The real Redis, counting the GETs sent through it."""

    gets = 0

    def get(self, name):
        self.gets += 1
        return super().get(name)


def test_a_request_asks_redis_for_the_config_version_once_and_the_next_sees_a_change(app, settings, restore_key):
    counting = CountingRedis.from_url(settings.redis_url)
    with psycopg.connect(settings.database_url, autocommit=True, row_factory=dict_row) as conn:
        with app.test_request_context("/"):
            values = [settings_store.get_setting(conn, KEY, counting) for _ in range(3)]
            assert counting.gets == 1 and values == [restore_key] * 3

        conn.execute("UPDATE system_config SET config_value = %s WHERE config_key = %s", (Jsonb(restore_key + 1), KEY))
        counting.incr(settings_store.VERSION_KEY)  # as another process announces its change
        with app.test_request_context("/"):
            assert settings_store.get_setting(conn, KEY, counting) == restore_key + 1
            assert settings_store.get_setting(conn, KEY, counting) == restore_key + 1
            assert counting.gets == 2
