"""Per-account login lockout in Redis: `max_login_attempts` failures within 15 minutes
lock the account for 15 minutes. Keys are per lower-cased e-mail (hashed), so the lock
applies whichever IP the attempts come from.

Without Redis the lockout cannot be enforced, so sign-in fails closed: every function here
raises a ServiceUnavailable (503 with Retry-After) rather than let passwords be guessed
without a limit, or answer 500."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import redis

from mathvidya.errors import dependency_unavailable
from mathvidya.redis_client import REDIS_OUTAGES

P = ParamSpec("P")
R = TypeVar("R")

FAILURE_WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60


def _account_key(kind: str, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"mathvidya:login:{kind}:{digest}"


def failures_key(email: str) -> str:
    return _account_key("failures", email)


def lock_key(email: str) -> str:
    return _account_key("locked", email)


def _fails_closed(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except REDIS_OUTAGES as exc:
            raise dependency_unavailable("redis") from exc

    return guarded


@_fails_closed
def seconds_locked(client: redis.Redis, email: str) -> int:
    """Seconds until the account unlocks (0 when it is not locked)."""
    ttl = client.ttl(lock_key(email))
    return max(int(ttl), 0) if ttl is not None else 0


@_fails_closed
def record_failure(client: redis.Redis, email: str, max_attempts: int) -> bool:
    """Count a failed login; returns True when this failure locks the account."""
    key = failures_key(email)
    with client.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, FAILURE_WINDOW_SECONDS, nx=True)
        count, _ = pipe.execute()
    if int(count) >= max_attempts:
        with client.pipeline() as pipe:
            pipe.set(lock_key(email), "1", ex=LOCK_SECONDS)
            pipe.delete(key)
            pipe.execute()
        return True
    return False


@_fails_closed
def clear_failures(client: redis.Redis, email: str) -> None:
    client.delete(failures_key(email))
