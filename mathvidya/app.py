"""The application factory."""

from __future__ import annotations

import importlib

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from mathvidya import (
    api_docs,
    cli,
    db,
    error_handling,
    errors,
    jwt_setup,
    logging_setup,
    rate_limits,
    redis_client,
    request_limits,
    security_headers,
)
from mathvidya.config import Settings, current_settings, load_settings
from mathvidya.error_handling import MathvidyaApi
from mathvidya.identity import passwords
from mathvidya.json_provider import OrjsonProvider


def _api_description() -> str:
    codes = "\n".join(f"- `{code}` ({status})" for code, status in errors.catalogue().items())
    return (
        "Exam practice for CBSE mathematics. Errors always answer {error, message, details}; "
        f"`error` is one of these codes (HTTP status):\n\n{codes}"
    )


def _flask_config(settings: Settings) -> dict:
    return {
        "SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.env == "test",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "API_TITLE": "Mathvidya API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "api/v1/openapi.json",
        "API_SPEC_OPTIONS": {
            "security": [{"bearerAuth": []}],
            "info": {"description": _api_description()},
        },
        "JSON_SORT_KEYS": False,
    }


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    logging_setup.configure_logging(settings.log_level, settings.log_format)
    passwords.limit_concurrent_hashes(settings.password_hash_concurrency)
    app = Flask("mathvidya")
    app.json = OrjsonProvider(app)
    app.config.update(_flask_config(settings))
    if settings.trusted_proxy_count:
        count = settings.trusted_proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    if settings.cors_origins:
        CORS(app, origins=settings.cors_origins, expose_headers=["X-Request-ID", "Retry-After"])

    logging_setup.init_app(app)
    request_limits.init_app(app)
    security_headers.init_app(app)
    db.init_app(app)
    api = MathvidyaApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    error_handling.init_app(app)
    jwt_setup.init_app(app)
    _register_extensions(app)
    limiter = rate_limits.init_app(app, RATE_LIMITED_BLUEPRINTS)
    _register_blueprints(api, limiter)
    api_docs.init_app(app)  # /docs: Swagger UI from a pinned package, no outside host
    _register_cli(app)
    return app


def _register_extensions(app: Flask) -> None:
    redis_client.init_app(app)


# Per-IP limits on the endpoints that take passwords or send mail.
RATE_LIMITED_BLUEPRINTS = {"auth"}

# Each domain's routes module exposes `blp`; adding a domain is one line here.
BLUEPRINT_MODULES = (
    "mathvidya.health.routes",
    "mathvidya.questions.routes",
    "mathvidya.questions.template_routes",
    "mathvidya.billing.routes",
    "mathvidya.exams.routes",
    "mathvidya.evaluations.routes",
    "mathvidya.evaluations.annotation_routes",
    "mathvidya.evaluations.report_routes",
    "mathvidya.identity.auth_routes",
    "mathvidya.identity.routes",
    "mathvidya.identity.admin_routes",
    "mathvidya.admin.routes",
    "mathvidya.notifications.routes",
    "mathvidya.insights.routes",
    "mathvidya.insights.item_analysis_routes",
)


def _register_blueprints(api: MathvidyaApi, limiter) -> None:
    for module_name in BLUEPRINT_MODULES:
        blueprint = importlib.import_module(module_name).blp
        if blueprint.name in RATE_LIMITED_BLUEPRINTS:
            limiter.limit(lambda: current_settings().auth_rate_limit)(blueprint)
        api.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    cli.init_app(app)
