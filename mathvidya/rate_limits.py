"""Per-IP rate limits (Flask-Limiter on Redis) for the endpoints that take passwords or
send mail. Breaches answer 429 RATE_LIMITED with Retry-After through the error handler.

Without Redis the limits neither fail the request (no 500, no 503) nor vanish: each
process counts in memory until Redis answers again (Flask-Limiter's in-memory fallback),
so an outage loosens a limit at most by the number of web processes."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask, limited_blueprints: Collection[str]) -> Limiter:
    """Only requests to ``limited_blueprints`` meet the limiter: its request hooks run for
    those blueprints alone (on every other request they would resolve the route's limits,
    find none, and still cost a fifth of a small read's time)."""
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
    _confine_hooks(app, limiter, limited_blueprints)
    app.extensions["mathvidya_limiter"] = limiter
    return limiter


def _confine_hooks(app: Flask, limiter: Limiter, blueprints: Collection[str]) -> None:
    """Move the limiter's app-wide before/after/teardown hooks to ``blueprints`` only."""
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        app_wide = hooks.get(None, [])
        owned = [hook for hook in app_wide if _belongs_to(hook, limiter)]
        hooks[None] = [hook for hook in app_wide if not _belongs_to(hook, limiter)]
        for name in blueprints:
            hooks.setdefault(name, []).extend(owned)


def _belongs_to(hook, limiter: Limiter) -> bool:
    """A bound method of ``limiter``, or a partial of a Limiter function bound to it."""
    if getattr(hook, "__self__", None) is limiter:
        return True
    return isinstance(hook, partial) and bool(hook.args) and hook.args[0] is limiter
