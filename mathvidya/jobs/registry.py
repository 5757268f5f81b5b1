"""The one list of periodic jobs: name, schedule, queue and the function that does the work.

Each job function takes (conn, settings, as_of) and returns how many rows it touched.
It finds its pending work in PostgreSQL (the sweep pattern), so a job lost with Redis,
or a missed clock tick, is made good by the next run. `as_of` lets an operator replay a
missed run, and lets tests exercise time rules without waiting.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from mathvidya import business_time
from mathvidya.billing.jobs import expire_subscriptions, reset_exam_periods, warn_expiring_subscriptions
from mathvidya.config import Settings, load_settings
from mathvidya.db import job_connection
from mathvidya.evaluations.service import assign_waiting_exams
from mathvidya.evaluations.sla_jobs import flag_sla_breaches, warn_sla
from mathvidya.exams.service import auto_submit_overdue
from mathvidya.insights.item_analysis import refresh_item_analysis
from mathvidya.insights.jobs import refresh_leaderboards, refresh_unit_averages
from mathvidya.notifications.service import deliver_due_emails
from mathvidya.queue import ANALYTICS, DEFAULT, EVALUATION, NOTIFICATIONS
from mathvidya.redis_client import REDIS_OUTAGES, client_for

log = logging.getLogger(__name__)

# Hash of job name → JSON {finished_at, status, rows, seconds, error}: the last run of each
# periodic job, by the worker or by hand (`run-job --list` shows it).
LAST_RUN_KEY = "mathvidya:jobs:last-run"

log = logging.getLogger(__name__)
JobFunction = Callable[[psycopg.Connection, Settings, datetime], int]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    description: str
    function: JobFunction
    queue: str
    interval_seconds: int | None = None
    cron: str | None = None  # UTC, as RQ's cron scheduler reads it

    @property
    def schedule(self) -> str:
        return f"every {self.interval_seconds}s" if self.interval_seconds else f"cron {self.cron} (UTC)"


def _deliver_outbox(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    total = 0
    while True:
        sent_before = total
        total += deliver_due_emails(conn, settings, as_of)
        conn.commit()
        if total == sent_before:
            return total


def _auto_submit_exams(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    return auto_submit_overdue(conn, settings, as_of)


def _assign_evaluations(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    return assign_waiting_exams(conn, settings, as_of)


def periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(
            "deliver-outbox",
            "Send pending e-mails from the outbox (retries with backoff)",
            _deliver_outbox,
            NOTIFICATIONS,
            interval_seconds=60,
        ),
        PeriodicJob(
            "expire-subscriptions",
            "Mark active subscriptions whose end date has come expired (nightly, 00:05 IST)",
            expire_subscriptions,
            DEFAULT,
            cron="35 18 * * *",
        ),
        PeriodicJob(
            "warn-expiring-subscriptions",
            "Tell students and parents once, 7 days before a subscription ends (09:00 IST)",
            warn_expiring_subscriptions,
            NOTIFICATIONS,
            cron="30 3 * * *",
        ),
        PeriodicJob(
            "reset-exam-periods",
            "Zero the exam counters of passed billing periods (safety net, 00:10 IST)",
            reset_exam_periods,
            DEFAULT,
            cron="40 18 * * *",
        ),
        PeriodicJob(
            "assign-evaluations",
            "Give every confirmed exam still without an evaluation to the least busy teacher",
            _assign_evaluations,
            EVALUATION,
            interval_seconds=60,
        ),
        PeriodicJob(
            "auto-submit-exams",
            "Submit in-progress exams whose time (duration + grace) ran out, with their saved answers",
            _auto_submit_exams,
            DEFAULT,
            interval_seconds=60,
        ),
        PeriodicJob(
            "flag-sla-breaches",
            "Flag open evaluations past their SLA deadline once (audit sla.breached); tell every admin",
            flag_sla_breaches,
            EVALUATION,
            interval_seconds=900,
        ),
        PeriodicJob(
            "warn-sla",
            "Warn the teacher once when less than 2 working hours remain before an evaluation's deadline",
            warn_sla,
            EVALUATION,
            interval_seconds=900,
        ),
        PeriodicJob(
            "refresh-leaderboards",
            "Rank every class again and record the refresh; prune old rankings (nightly, 02:00 IST)",
            refresh_leaderboards,
            ANALYTICS,
            cron="30 20 * * *",
        ),
        PeriodicJob(
            "refresh-unit-averages",
            "Recompute the class average of every unit that recommendations compare with (02:10 IST)",
            refresh_unit_averages,
            ANALYTICS,
            cron="40 20 * * *",
        ),
        PeriodicJob(
            "refresh-item-analysis",
            "Measure every question version over evaluated exams; flag and tell admins (nightly, 02:30 IST)",
            refresh_item_analysis,
            ANALYTICS,
            cron="0 21 * * *",
        ),
    ]


def find_job(name: str) -> PeriodicJob:
    for job in periodic_jobs():
        if job.name == name:
            return job
    raise KeyError(name)


def run_job(name: str, as_of: datetime | None = None, settings: Settings | None = None) -> int:
    """Run one periodic job in this process, in its own transaction; returns rows touched.

    The outcome (ok with rows, or failed with the error) is recorded as the job's last run.
    """
    job = find_job(name)
    settings = settings or load_settings()
    started = time.monotonic()
    try:
        with job_connection(settings.database_url) as conn:
            touched = job.function(conn, settings, as_of or business_time.now())
    except Exception as exc:
        _record_last_run(settings, name, started, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"})
        raise
    _record_last_run(settings, name, started, {"status": "ok", "rows": touched})
    return touched


def _record_last_run(settings: Settings, name: str, started: float, outcome: dict[str, Any]) -> None:
    """Best effort: a job's work never fails because its bookkeeping could not be written."""
    record = {
        "finished_at": business_time.now().isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - started, 3),
        **outcome,
    }
    try:
        client_for(settings.redis_url).hset(LAST_RUN_KEY, name, json.dumps(record))
    except REDIS_OUTAGES:
        log.warning("could not record the last run of %s (Redis unavailable)", name)


def last_runs(settings: Settings) -> dict[str, dict[str, Any]] | None:
    """Each job's last recorded run (None when Redis does not answer)."""
    try:
        raw = client_for(settings.redis_url).hgetall(LAST_RUN_KEY)
    except REDIS_OUTAGES:
        return None
    return {key.decode(): json.loads(value) for key, value in raw.items()}


def describe_last_run(record: dict[str, Any] | None) -> str:
    if record is None:
        return "never"
    if record["status"] == "ok":
        return f"{record['finished_at']} ok, {record['rows']} rows"
    return f"{record['finished_at']} FAILED"


def run_periodic_job(name: str) -> int:
    """The RQ entry point the clock enqueues (RQ needs an importable function and plain args).
    A run that found nothing to do is routine: DEBUG; one that did something: INFO."""
    started = time.perf_counter()
    touched = run_job(name)
    log.log(
        logging.INFO if touched else logging.DEBUG,
        "periodic job done",
        extra={"job": name, "rows_touched": touched, "duration_ms": round((time.perf_counter() - started) * 1000)},
    )
    return touched
