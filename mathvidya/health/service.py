"""Dependency checks for /readyz: each answers "ok" or a short failure reason; and the
worker's and clock's heartbeats, reported as detail (web serves without them)."""

from __future__ import annotations

import logging
from typing import Any

from rq import Worker

from mathvidya import db, heartbeats
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


def background_processes() -> dict[str, dict[str, Any]]:
    """Worker and clock heartbeats (status ok / stale / missing, seconds since the last beat)
    and how many RQ workers are registered; "unknown" for each when Redis does not answer."""
    try:
        connection = redis_conn()
        report = heartbeats.report(connection)
        report["worker"]["registered_workers"] = Worker.count(connection=connection)
        return report
    except Exception as exc:
        log.warning("heartbeats unreadable: %s", exc)
        return {kind.name: {"status": "unknown"} for kind in heartbeats.KINDS}
