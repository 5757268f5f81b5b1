"""Leaderboard refresh jobs (queue: analytics): coalesced requests after evaluations, and
the nightly refresh of every class. Requests are made by job name through
mathvidya/job_requests.py, which explains the coalescing.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from mathvidya import business_time, db
from mathvidya.config import Settings, load_settings
from mathvidya.insights import service
from mathvidya.job_requests import clear_waiting_refresh


def run_requested_refresh(conn: psycopg.Connection, settings: Settings, school_class: str) -> service.RefreshResult:
    """Lock the class, clear its waiting key, then refresh: requests from here on queue anew."""
    service.lock_class_refresh(conn, school_class)
    clear_waiting_refresh(settings, school_class)
    return service.refresh_class_leaderboard(conn, school_class, business_time.now(), reason="evaluation")


def refresh_leaderboard_job(school_class: str) -> str:
    """RQ entry point (queue analytics): one coalesced refresh of a class."""
    settings = load_settings()
    with db.job_connection(settings.database_url) as conn:
        result = run_requested_refresh(conn, settings, school_class)
    return str(result.refresh_id)


def refresh_leaderboards(conn: psycopg.Connection, _settings: Settings, as_of: datetime) -> int:
    """The nightly job (`run-job refresh-leaderboards`): every class as of ``as_of``, then
    old rankings pruned; returns rows touched."""
    return service.refresh_all_leaderboards(conn, as_of, reason="nightly")


def refresh_unit_averages(conn: psycopg.Connection, _settings: Settings, as_of: datetime) -> int:
    """The nightly job (`run-job refresh-unit-averages`): the class average of every unit,
    which recommendations compare each student with; returns rows touched."""
    return service.refresh_unit_class_averages(conn, as_of)
