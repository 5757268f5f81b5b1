"""The single place that shapes every failure as the API's error body {error, message, details}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from mathvidya import db, errors
from mathvidya.db import POSTGRESQL_OUTAGES
from mathvidya.errors import AppError, dependency_unavailable
from mathvidya.redis_client import REDIS_OUTAGES

log = logging.getLogger("mathvidya.errors")

# The code answered for an HTTP error raised outside our code (routing, webargs, limits).
HTTP_CODES = {
    error.status: error.code
    for error in (
        errors.BadRequest,
        errors.Unauthenticated,
        errors.Forbidden,
        errors.NotFound,
        errors.MethodNotAllowed,
        errors.Conflict,
        errors.PayloadTooLarge,
        errors.UnsupportedMediaType,
        errors.ValidationFailed,
        errors.RateLimited,
        errors.ServiceUnavailable,
    )
}


class ErrorSchema(Schema):
    """The error body every endpoint answers with (documentation only)."""

    error = fields.String(metadata={"description": "Machine-readable code, e.g. NOT_FOUND"})
    message = fields.String(metadata={"description": "Text for people"})
    details = fields.Dict(metadata={"description": "Structured details, e.g. fields"})


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details or {}}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
):
    db.mark_request_failed()
    response = jsonify(error_body(code, message, details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _validation_fields(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location (json, query, files…); clients want field → messages."""
    flat: dict[str, Any] = {}
    for location, per_field in messages.items():
        if isinstance(per_field, dict):
            flat.update(per_field)
        else:
            flat[location] = per_field
    return flat


class MathvidyaApi(Api):
    """flask-smorest's Api answering in the API's error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        status = error.code or 500
        if status >= 500:
            return handle_unexpected(error)
        data = getattr(error, "data", None) or {}
        headers = data.get("headers") or {}
        if hasattr(error, "get_headers") and status in (405, 429):
            headers = {**dict(error.get_headers()), **headers}
            headers.pop("Content-Type", None)
        if status == 422 and ("messages" in data or "errors" in data):
            fields_ = _validation_fields(data.get("errors") or data.get("messages") or {})
            return error_response(
                422, "VALIDATION_ERROR", "The request has invalid fields.", {"fields": fields_}, headers
            )
        code = HTTP_CODES.get(status, "ERROR")
        message = data.get("message") or error.description or error.name
        return error_response(status, code, message, None, headers)


def handle_app_error(error: AppError):
    return error_response(error.status, error.code, error.message, error.details, error.headers)


def outage_dependency(error: BaseException) -> str | None:
    """Which dependency an exception says is unreachable, or None for any other error."""
    if isinstance(error, POSTGRESQL_OUTAGES):
        return "postgresql"
    if isinstance(error, REDIS_OUTAGES):
        return "redis"
    return None


def handle_dependency_outage(error: BaseException):
    """PostgreSQL or Redis unreachable (or restarting): 503 with Retry-After, never 500."""
    dependency = outage_dependency(error) or "unknown"
    log.warning("dependency unavailable: %s: %s", dependency, error, extra={"dependency": dependency})
    return handle_app_error(dependency_unavailable(dependency))


def handle_unexpected(error: BaseException):
    request_id = g.get("request_id", "")
    original = getattr(error, "original_exception", None) or error
    if outage_dependency(original):  # raised outside a view, e.g. by the commit after it
        return handle_dependency_outage(original)
    log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
    internal = errors.InternalError
    return error_response(internal.status, internal.code, internal.message, {"request_id": request_id})


def init_app(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    for outage in (*POSTGRESQL_OUTAGES, *REDIS_OUTAGES):
        app.register_error_handler(outage, handle_dependency_outage)
    app.register_error_handler(Exception, handle_unexpected)
