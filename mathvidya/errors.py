"""The error catalogue: every code the API answers with is a class here, with its HTTP
status and default message. One handler (mathvidya.error_handling) turns them into the
error body ``{"error": CODE, "message": text, "details": {...}}``.

Raise the class (``raise EmailTaken()``, ``raise UploadMissing(details={"page": 2})``);
never build a code inline. docs/errors.md lists the catalogue and a test keeps the list,
the OpenAPI document and this module in agreement.
"""

from __future__ import annotations

from datetime import date
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


class HeaderTooLarge(AppError):
    status, code, message = 431, "HEADER_TOO_LARGE", "A request header is too large."


class RateLimited(AppError):
    status, code, message = 429, "RATE_LIMITED", "Too many requests; try again later."


class ServiceUnavailable(AppError):
    status, code, message = 503, "SERVICE_UNAVAILABLE", "A dependency is unavailable."


class MethodNotAllowed(AppError):
    status, code, message = 405, "METHOD_NOT_ALLOWED", "This method is not allowed here."


class UnsupportedMediaType(AppError):
    status, code, message = 415, "UNSUPPORTED_MEDIA_TYPE", "The request body's type is not supported."


class InternalError(AppError):
    status, code, message = 500, "INTERNAL_ERROR", "Something went wrong on our side."


# --- accounts and sign-in ----------------------------------------------------------------


class InvalidCredentials(Unauthenticated):
    code, message = "INVALID_CREDENTIALS", "The e-mail or password is wrong."


class AccountLocked(RateLimited):
    code, message = "ACCOUNT_LOCKED", "Too many failed sign-ins; the account is locked for a while."


class AccountDeactivated(Forbidden):
    code, message = "ACCOUNT_DEACTIVATED", "This account is deactivated."


class TokenInvalid(BadRequest):
    code, message = "TOKEN_INVALID", "The link is invalid, used or expired."


class EmailTaken(Conflict):
    code, message = "EMAIL_TAKEN", "An account with this e-mail already exists."


class UserHasLinks(Conflict):
    code, message = "USER_HAS_LINKS", "Remove this user's parent–student links before changing the role."


class AlreadyLinked(Conflict):
    code, message = "ALREADY_LINKED", "This parent and student are already linked."


class ParentLinkRequired(Forbidden):
    code, message = "PARENT_LINK_REQUIRED", "Link a parent account before starting an exam."


class IdempotencyKeyReused(Conflict):
    code, message = "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used with a different request."


# --- billing: each refusal names its reason, so clients can tell "buy a plan" from "wait for
# the reset" from "upgrade" ----------------------------------------------------------------


class SubscriptionRequired(Forbidden):
    code, message = "SUBSCRIPTION_REQUIRED", "An active subscription is required."


class SubscriptionLimitExceeded(Forbidden):
    code, message = "SUBSCRIPTION_LIMIT_EXCEEDED", "This period's exam limit is used up."

    def __init__(self, used: int, limit: int, resets_on: date) -> None:
        super().__init__(
            f"All {limit} exams of this billing period are used; the count resets on {resets_on.isoformat()}.",
            details={"used": used, "limit": limit, "resets_on": resets_on.isoformat()},
        )


class ExamTypeNotInPlan(Forbidden):
    code, message = "EXAM_TYPE_NOT_IN_PLAN", "Your plan does not include this kind of exam."


class LeaderboardNotAvailable(Forbidden):
    code, message = "LEADERBOARD_NOT_AVAILABLE", "Your plan does not include the leaderboard."


class TeacherHoursExceeded(Forbidden):
    code, message = "TEACHER_HOURS_EXCEEDED", "This session would exceed the plan's teacher hours."

    def __init__(self, details: dict[str, Any], message: str | None = None) -> None:
        super().__init__(message, details=details)


class PaymentSignatureInvalid(AppError):
    status, code, message = 400, "PAYMENT_SIGNATURE_INVALID", "The payment signature does not match."


class SubscriptionOverlap(Conflict):
    code, message = "SUBSCRIPTION_OVERLAP", "The student already has an active subscription for these dates."


class OrderAlreadyPaid(Conflict):
    code, message = "ORDER_ALREADY_PAID", "This order was already paid with another payment."


class PaymentAlreadyUsed(Conflict):
    code, message = "PAYMENT_ALREADY_USED", "This payment was already used for a subscription."


class SubscriptionNotActive(Conflict):
    code, message = "SUBSCRIPTION_NOT_ACTIVE", "Only an active subscription can be cancelled."


# --- questions and exams ----------------------------------------------------------------


class InvalidQuestionState(Conflict):
    code, message = "INVALID_QUESTION_STATE", "The question's state does not allow this."


class InvalidExamState(Conflict):
    code, message = "INVALID_EXAM_STATE", "The exam's state does not allow this now."


class ExamTimeOver(Conflict):
    code, message = "EXAM_TIME_OVER", "The time for this exam is over; it is submitted automatically."


class InsufficientQuestions(Conflict):
    code, message = "INSUFFICIENT_QUESTIONS", "Not enough questions are available for this exam right now."


class UploadMissing(AppError):
    status, code, message = 422, "UPLOAD_MISSING", "A page was not uploaded."


class UploadTooLarge(AppError):
    status, code, message = 422, "UPLOAD_TOO_LARGE", "A page is larger than the upload limit."


class UploadTypeNotAllowed(AppError):
    status, code, message = 422, "UPLOAD_TYPE_NOT_ALLOWED", "A page is not a JPEG, PNG or PDF."


class UploadQuality(AppError):
    status, code, message = 422, "UPLOAD_QUALITY", "Some pages cannot be marked as they are; upload them again."


class ReuploadLimitReached(Conflict):
    code, message = "REUPLOAD_LIMIT_REACHED", "New pages were already requested twice for this exam."


# --- evaluation ---------------------------------------------------------------------------


class EvaluationAlreadySubmitted(Conflict):
    code, message = "EVALUATION_ALREADY_SUBMITTED", "This evaluation was already submitted."


class EvaluationIncomplete(AppError):
    status, code, message = 422, "EVALUATION_INCOMPLETE", "Every written question needs marks before submitting."


# Seconds a client should wait before retrying after a dependency outage (Retry-After).
OUTAGE_RETRY_AFTER_SECONDS = 5


def dependency_unavailable(dependency: str) -> ServiceUnavailable:
    """PostgreSQL or Redis did not answer: a 503 the client may retry, never a 500."""
    return ServiceUnavailable(
        "A service this request needs is unavailable; try again shortly.",
        details={"dependency": dependency},
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
    )


def catalogue() -> dict[str, int]:
    """Every error code the API answers with, and its HTTP status."""
    found: dict[str, int] = {}
    pending: list[type[AppError]] = list(AppError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found[cls.code] = cls.status
    return dict(sorted(found.items()))
