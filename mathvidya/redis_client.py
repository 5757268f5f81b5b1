"""One Redis client per process (queues, rate limits, revocation, caches)."""

from __future__ import annotations

import redis
from flask import Flask, current_app

_clients: dict[str, redis.Redis] = {}

# Errors that mean "Redis is unreachable right now" (a 503, a retry), not a bug.
REDIS_OUTAGES: tuple[type[Exception], ...] = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def client_for(url: str) -> redis.Redis:
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]


def redis_conn() -> redis.Redis:
    return client_for(current_app.config["SETTINGS"].redis_url)


def init_app(app: Flask) -> None:
    client_for(app.config["SETTINGS"].redis_url)
