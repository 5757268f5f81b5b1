"""Per-IP rate limits (Flask-Limiter on Redis) for the endpoints that take passwords or
send mail. Breaches answer 429 RATE_LIMITED with Retry-After through the error handler."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask) -> Limiter:
    settings = app.config["SETTINGS"]
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url,
        headers_enabled=True,
        key_prefix="mathvidya-rl",
        swallow_errors=True,  # Redis down: serve rather than fail every auth request
    )
    app.extensions["mathvidya_limiter"] = limiter
    return limiter
