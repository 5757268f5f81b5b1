"""Per-account login lockout in Redis: `max_login_attempts` failures within 15 minutes
lock the account for 15 minutes. Keys are per lower-cased e-mail (hashed), so the lock
applies whichever IP the attempts come from."""

from __future__ import annotations

import hashlib

import redis

FAILURE_WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60


def _account_key(kind: str, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"mathvidya:login:{kind}:{digest}"


def failures_key(email: str) -> str:
    return _account_key("failures", email)


def lock_key(email: str) -> str:
    return _account_key("locked", email)


def seconds_locked(client: redis.Redis, email: str) -> int:
    """Seconds until the account unlocks (0 when it is not locked)."""
    ttl = client.ttl(lock_key(email))
    return max(int(ttl), 0) if ttl is not None else 0


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


def clear_failures(client: redis.Redis, email: str) -> None:
    client.delete(failures_key(email))
