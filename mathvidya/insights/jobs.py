"""Leaderboard refresh jobs (queue: analytics): coalesced requests after evaluations, and
the nightly refresh of every class.

Coalescing: a request sets a per-class "refresh waiting" key in Redis (SET NX, with a TTL
so a lost job cannot block refreshes for long) and enqueues a job only when it set the
key. The job takes the class's refresh lock, deletes the key, and only then reads the
exams. So a request that finds the key set is covered by the waiting job (that job reads
after the request's data committed), and a request arriving while a refresh is already
reading sets the key again and queues exactly one more. A burst of evaluations therefore
gives one refresh, or two when it overlaps a running one. Job ids are unique per request
(result_ttl=0 keeps no finished job hashes around); the key, not rq's job id, coalesces.
Redis down: nothing is queued, and the nightly refresh makes the ranking right.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import psycopg
import redis

from mathvidya import db
from mathvidya.config import Settings, load_settings
from mathvidya.insights import service
from mathvidya.queue import ANALYTICS, enqueue_unique, get_queue
from mathvidya.redis_client import client_for

log = logging.getLogger(__name__)

WAITING_KEY = "mathvidya:leaderboard:waiting:{school_class}"
WAITING_TTL_SECONDS = 15 * 60  # longer than a refresh; a key whose job was lost expires
FAILURE_TTL_SECONDS = 24 * 3600


def waiting_key(school_class: str) -> str:
    return WAITING_KEY.format(school_class=school_class)


def request_leaderboard_refresh(settings: Settings, school_class: str) -> bool:
    """Ask for a refresh of the class; True when this call queued a job, False when one was
    already waiting (it will read this change) or Redis is unreachable."""
    connection = client_for(settings.redis_url)
    key = waiting_key(school_class)
    try:
        if not connection.set(key, datetime.now(UTC).isoformat(), nx=True, ex=WAITING_TTL_SECONDS):
            return False
    except redis.exceptions.RedisError:
        log.warning("leaderboard refresh not requested: Redis unreachable", extra={"class": school_class})
        return False
    queued = enqueue_unique(
        get_queue(ANALYTICS, settings.redis_url),
        refresh_leaderboard_job,
        f"leaderboard-{school_class}-{uuid.uuid4().hex}",
        school_class,
        result_ttl=0,
        failure_ttl=FAILURE_TTL_SECONDS,
    )
    if not queued:
        _clear_waiting(settings, school_class)
    return queued


def _clear_waiting(settings: Settings, school_class: str) -> None:
    try:
        client_for(settings.redis_url).delete(waiting_key(school_class))
    except redis.exceptions.RedisError:
        log.warning("could not clear the waiting leaderboard refresh", extra={"class": school_class})


def _process_settings() -> Settings:
    """The running process's settings: the Flask app's in a request, else the environment's."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config["SETTINGS"]
    return load_settings()


def refresh_after_commit(conn: psycopg.Connection, school_class: str, settings: Settings | None = None) -> None:
    """Request a refresh of the class once ``conn``'s transaction has committed."""
    settings = settings or _process_settings()
    db.after_commit(conn, lambda: request_leaderboard_refresh(settings, school_class))


def run_requested_refresh(conn: psycopg.Connection, settings: Settings, school_class: str) -> service.RefreshResult:
    """Lock the class, clear its waiting key, then refresh: requests from here on queue anew."""
    service.lock_class_refresh(conn, school_class)
    _clear_waiting(settings, school_class)
    return service.refresh_class_leaderboard(conn, school_class, datetime.now(UTC), reason="evaluation")


def refresh_leaderboard_job(school_class: str) -> str:
    """RQ entry point (queue analytics): one coalesced refresh of a class."""
    settings = load_settings()
    with db.job_connection(settings.database_url) as conn:
        result = run_requested_refresh(conn, settings, school_class)
    return str(result.refresh_id)


def refresh_leaderboards(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """The nightly job (`run-job refresh-leaderboards`): every class as of ``as_of``, then
    old rankings pruned; returns rows touched."""
    return service.refresh_all_leaderboards(conn, as_of, reason="nightly")
