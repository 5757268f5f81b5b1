"""The cached system_config accessor: business settings every process sees at once.

Each process keeps the whole table in memory together with the config version it read.
An update bumps a version counter in Redis (mathvidya:config:version); every access
compares one small GET with the cached version and reloads on change; a request asks
Redis once and reads that version throughout. If Redis cannot be
reached, the cache is trusted for at most FALLBACK_TTL seconds, then reloaded from
PostgreSQL. Callers need not pass a Redis client: inside a request or CLI command the
app's client is used, inside an RQ job the worker's connection.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg
import redis
from flask import g, has_app_context, has_request_context
from rq import get_current_job

from mathvidya.config_rules import RULES, validate_config_value
from mathvidya.queries import queries
from mathvidya.redis_client import redis_conn

VERSION_KEY = "mathvidya:config:version"
REQUEST_VERSION = "config_version"  # on flask.g: the version this request read
FALLBACK_TTL = 5.0
log = logging.getLogger(__name__)


class UnknownSetting(KeyError):
    pass


class InvalidSetting(ValueError):
    pass


class ConfigCache:
    def __init__(self) -> None:
        self.values: dict[str, Any] | None = None
        self.version: bytes | None = None
        self.loaded_at = 0.0
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.values = None


_cache = ConfigCache()


def _default_redis() -> redis.Redis | None:
    """The process's Redis: the Flask app's (web, CLI) or the running RQ job's (worker)."""
    if has_app_context():
        return redis_conn()
    job = get_current_job()
    return job.connection if job is not None else None


def _current_version(redis_client: redis.Redis | None) -> bytes | None:
    """The config version in Redis, asked once per request (a request reads one version)."""
    in_request = has_request_context()
    if in_request and REQUEST_VERSION in g:
        return g.get(REQUEST_VERSION)
    version = _version_from_redis(redis_client)
    if in_request:
        setattr(g, REQUEST_VERSION, version)
    return version


def _version_from_redis(redis_client: redis.Redis | None) -> bytes | None:
    if redis_client is None:
        redis_client = _default_redis()
    if redis_client is None:
        return None
    try:
        return redis_client.get(VERSION_KEY) or b"0"
    except redis.exceptions.RedisError:
        return None


def _is_stale(version: bytes | None) -> bool:
    if _cache.values is None:
        return True
    if version is None:
        return time.monotonic() - _cache.loaded_at > FALLBACK_TTL
    return version != _cache.version


def all_settings(conn: psycopg.Connection, redis_client: redis.Redis | None = None) -> dict[str, Any]:
    version = _current_version(redis_client)
    if _is_stale(version):
        rows = queries("settings").all_config(conn)
        values = {row["config_key"]: row["config_value"] for row in rows}
        with _cache.lock:
            _cache.values, _cache.version, _cache.loaded_at = values, version, time.monotonic()
    return dict(_cache.values or {})


def get_setting(conn: psycopg.Connection, key: str, redis_client: redis.Redis | None = None) -> Any:
    """One business setting, validated by its key's rule."""
    values = all_settings(conn, redis_client)
    if key not in values:
        raise UnknownSetting(key)
    problem = validate_config_value(key, values[key]) if key in _known_keys() else None
    if problem:
        raise InvalidSetting(f"system_config {key} {problem}")
    return values[key]


def _known_keys() -> set[str]:
    return set(RULES)


def announce_change(redis_client: redis.Redis | None) -> None:
    """Tell every process to reload (call after the updating transaction commits)."""
    _cache.clear()
    if has_request_context():
        g.pop(REQUEST_VERSION, None)
    if redis_client is not None:
        try:
            redis_client.incr(VERSION_KEY)
        except redis.exceptions.RedisError:
            log.warning("could not bump the config version; processes reload within %ss", FALLBACK_TTL)
