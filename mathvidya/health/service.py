"""Dependency checks for /readyz: each answers "ok" or a short failure reason."""

from __future__ import annotations

import logging

from mathvidya import db
from mathvidya.health import repository
from mathvidya.redis_client import redis_conn

log = logging.getLogger(__name__)


def check_dependencies() -> dict[str, str]:
    return {"postgresql": _check_postgresql(), "redis": _check_redis()}


def _check_postgresql() -> str:
    try:
        with db.pool().connection(timeout=2) as conn:
            repository.ping(conn)
        return "ok"
    except Exception as exc:  # any failure means "not ready"; say which
        log.warning("postgresql not ready: %s", exc)
        return "unavailable"


def _check_redis() -> str:
    try:
        redis_conn().ping()
        return "ok"
    except Exception as exc:
        log.warning("redis not ready: %s", exc)
        return "unavailable"
