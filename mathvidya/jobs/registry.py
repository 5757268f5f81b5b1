"""The one list of periodic jobs: name, schedule, queue and the function that does the work.

Each job function takes (conn, settings, as_of) and returns how many rows it touched.
It finds its pending work in PostgreSQL (the sweep pattern), so a job lost with Redis,
or a missed clock tick, is made good by the next run. `as_of` lets an operator replay a
missed run, and lets tests exercise time rules without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from mathvidya.config import Settings, load_settings
from mathvidya.db import job_connection
from mathvidya.queue import NOTIFICATIONS

JobFunction = Callable[[psycopg.Connection, Settings, datetime], int]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    description: str
    function: JobFunction
    queue: str
    interval_seconds: int | None = None
    cron: str | None = None  # UTC, as rq cron reads it

    @property
    def schedule(self) -> str:
        return f"every {self.interval_seconds}s" if self.interval_seconds else f"cron {self.cron} (UTC)"


def _deliver_outbox(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    from mathvidya.notifications.service import deliver_due_emails

    total = 0
    while True:
        sent_before = total
        total += deliver_due_emails(conn, settings, as_of)
        conn.commit()
        if total == sent_before:
            return total


def periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(
            "deliver-outbox",
            "Send pending e-mails from the outbox (retries with backoff)",
            _deliver_outbox,
            NOTIFICATIONS,
            interval_seconds=60,
        ),
    ]


def find_job(name: str) -> PeriodicJob:
    for job in periodic_jobs():
        if job.name == name:
            return job
    raise KeyError(name)


def run_job(name: str, as_of: datetime | None = None, settings: Settings | None = None) -> int:
    """Run one periodic job in this process, in its own transaction; returns rows touched."""
    job = find_job(name)
    settings = settings or load_settings()
    with job_connection(settings.database_url) as conn:
        return job.function(conn, settings, as_of or datetime.now(UTC))


def run_periodic_job(name: str) -> int:
    """The RQ entry point the clock enqueues (RQ needs an importable function and plain args)."""
    return run_job(name)
