"""Per-IP rate limits (Flask-Limiter on Redis) for the endpoints that take passwords or
send mail. Breaches answer 429 RATE_LIMITED with Retry-After through the error handler.

Without Redis the limits neither fail the request (no 500, no 503) nor vanish: each
process counts in memory until Redis answers again (Flask-Limiter's in-memory fallback),
so an outage loosens a limit at most by the number of web processes."""

from __future__ import annotations

from collections.abc import Collection

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask, limited_blueprints: Collection[str]) -> Limiter:
    """Only requests to ``limited_blueprints`` are counted; every other request skips the
    limiter at once (it would otherwise resolve the route's limits, finding none)."""
    settings = app.config["SETTINGS"]
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url,
        headers_enabled=True,
        key_prefix="mathvidya-rl",
        storage_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        in_memory_fallback_enabled=True,  # Redis down: count per process meanwhile
        swallow_errors=True,  # any other limiter failure: serve rather than fail the request
    )
    limiter.request_filter(lambda: request.blueprint not in limited_blueprints)
    app.extensions["mathvidya_limiter"] = limiter
    return limiter
