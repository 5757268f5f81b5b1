"""Typed application errors; one handler (mathvidya.error_handling) turns them into the
API.md shape ``{"error": CODE, "message": text, "details": {...}}``."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base class: a refusal the client can act on, with its HTTP status and code."""

    status: int = 400
    code: str = "BAD_REQUEST"
    message: str = "The request cannot be served."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status, code, message = 400, "BAD_REQUEST", "The request is malformed."


class ValidationFailed(AppError):
    status, code, message = 422, "VALIDATION_ERROR", "The request has invalid fields."

    def __init__(self, fields: dict[str, list[str]], message: str | None = None, **kw: Any) -> None:
        details = {"fields": fields, **kw.pop("details", {})}
        super().__init__(message, details=details, **kw)


class Unauthenticated(AppError):
    status, code, message = 401, "UNAUTHENTICATED", "Sign in to continue."


class Forbidden(AppError):
    status, code, message = 403, "FORBIDDEN", "You may not do this."


class NotFound(AppError):
    status, code, message = 404, "NOT_FOUND", "Not found."


class Conflict(AppError):
    status, code, message = 409, "CONFLICT", "The request conflicts with the current state."


class PayloadTooLarge(AppError):
    status, code, message = 413, "PAYLOAD_TOO_LARGE", "The request body is too large."


class RateLimited(AppError):
    status, code, message = 429, "RATE_LIMITED", "Too many requests; try again later."


class ServiceUnavailable(AppError):
    status, code, message = 503, "SERVICE_UNAVAILABLE", "A dependency is unavailable."


# Seconds a client should wait before retrying after a dependency outage (Retry-After).
OUTAGE_RETRY_AFTER_SECONDS = 5


class DependencyUnavailable(ServiceUnavailable):
    """PostgreSQL or Redis did not answer: a 503 the client may retry, never a 500."""

    def __init__(self, dependency: str) -> None:
        super().__init__(
            "A service this request needs is unavailable; try again shortly.",
            details={"dependency": dependency},
            headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
        )


def field_error(field: str, message: str) -> ValidationFailed:
    """Shorthand for the common single-field 422."""
    return ValidationFailed({field: [message]})
