"""RQ queues. Jobs are idempotent and their state lives in PostgreSQL, so a job lost with
Redis is redone by a periodic sweep (see mathvidya.jobs)."""

from __future__ import annotations

from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from mathvidya.redis_client import client_for

EVALUATION = "evaluation"
NOTIFICATIONS = "notifications"
ANALYTICS = "analytics"
DEFAULT = "default"
QUEUE_NAMES = (EVALUATION, NOTIFICATIONS, ANALYTICS, DEFAULT)


def get_queue(name: str, redis_url: str, is_async: bool = True) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=client_for(redis_url), is_async=is_async)


def enqueue_unique(queue: Queue, func: Any, job_id: str, *args: Any, **kwargs: Any) -> bool:
    """Enqueue unless a job with this id is already waiting; never fails the caller.

    The caller's work is already durable in PostgreSQL, so an unreachable Redis only means
    the sweep will pick it up later.
    """
    try:
        queue.enqueue(func, *args, job_id=job_id, unique=True, retry=Retry(max=3, interval=[10, 30, 60]), **kwargs)
        return True
    except (redis.exceptions.RedisError, DuplicateJobError):
        return False
