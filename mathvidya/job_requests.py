"""Work one domain asks of another, requested by job name through the queue.

A lower domain never imports a higher one: an exam whose upload is confirmed asks for a
teacher by naming the evaluation job, and an exam or evaluation that changes a class's
scores asks for a leaderboard refresh by naming the insights job. RQ imports the named
function in the worker, so the request needs nothing from the domain that does the work.

Leaderboard requests are coalesced: a request sets a per-class "refresh waiting" key in
Redis (SET NX, with a TTL so a lost job cannot block refreshes for long) and enqueues a job
only when it set the key. The job (mathvidya.insights.jobs) takes the class's refresh lock,
deletes the key, and only then reads the exams. So a request that finds the key set is
covered by the waiting job (that job reads after the request's data committed), and a
request arriving while a refresh is already reading sets the key again and queues exactly
one more. A burst of evaluations therefore gives one refresh, or two when it overlaps a
running one. Job ids are unique per request (result_ttl=0 keeps no finished job hashes
around); the key, not rq's job id, coalesces. Redis down: nothing is queued, and the
nightly refresh makes the ranking right.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from uuid import UUID

import psycopg
import redis

from mathvidya import business_time, db
from mathvidya.config import Settings, current_settings
from mathvidya.queue import ANALYTICS, DEFAULT, EVALUATION, enqueue_unique, get_queue
from mathvidya.redis_client import client_for

log = logging.getLogger(__name__)

ASSIGN_EVALUATION_JOB = "mathvidya.evaluations.jobs.assign_evaluation_job"
AUTO_SUBMIT_EXAM_JOB = "mathvidya.exams.jobs.auto_submit_exam_job"
REFRESH_LEADERBOARD_JOB = "mathvidya.insights.jobs.refresh_leaderboard_job"

WAITING_KEY = "mathvidya:leaderboard:waiting:{school_class}"
WAITING_TTL_SECONDS = 15 * 60  # longer than a refresh; a key whose job was lost expires
FAILURE_TTL_SECONDS = 24 * 3600


def request_assignment(settings: Settings, exam_id: UUID) -> None:
    """Ask the evaluation worker to assign a teacher now; the sweep covers a lost request."""
    enqueue_unique(get_queue(EVALUATION, settings.redis_url), ASSIGN_EVALUATION_JOB, f"assign-{exam_id}", str(exam_id))


def schedule_auto_submit(settings: Settings, exam_id: UUID, at: datetime) -> None:
    """A timer per exam; the auto-submit-exams sweep covers any timer lost with Redis."""
    try:
        get_queue(DEFAULT, settings.redis_url).enqueue_at(
            at, AUTO_SUBMIT_EXAM_JOB, str(exam_id), job_id=f"auto-submit-{exam_id}"
        )
    except Exception:
        log.warning("could not schedule auto-submit; the sweep will do it", extra={"exam_id": str(exam_id)})


def waiting_key(school_class: str) -> str:
    return WAITING_KEY.format(school_class=school_class)


def request_leaderboard_refresh(settings: Settings, school_class: str) -> bool:
    """Ask for a refresh of the class; True when this call queued a job, False when one was
    already waiting (it will read this change) or Redis is unreachable."""
    connection = client_for(settings.redis_url)
    key = waiting_key(school_class)
    try:
        if not connection.set(key, business_time.now().isoformat(), nx=True, ex=WAITING_TTL_SECONDS):
            return False
    except redis.exceptions.RedisError:
        log.warning("leaderboard refresh not requested: Redis unreachable", extra={"class": school_class})
        return False
    queued = enqueue_unique(
        get_queue(ANALYTICS, settings.redis_url),
        REFRESH_LEADERBOARD_JOB,
        f"leaderboard-{school_class}-{uuid.uuid4().hex}",
        school_class,
        result_ttl=0,
        failure_ttl=FAILURE_TTL_SECONDS,
    )
    if not queued:
        clear_waiting_refresh(settings, school_class)
    return queued


def clear_waiting_refresh(settings: Settings, school_class: str) -> None:
    try:
        client_for(settings.redis_url).delete(waiting_key(school_class))
    except redis.exceptions.RedisError:
        log.warning("could not clear the waiting leaderboard refresh", extra={"class": school_class})


def refresh_leaderboard_after_commit(
    conn: psycopg.Connection, school_class: str, settings: Settings | None = None
) -> None:
    """Request a refresh of the class once ``conn``'s transaction has committed."""
    settings = settings or current_settings()
    db.after_commit(conn, lambda: request_leaderboard_refresh(settings, school_class))
