"""Billing refusals: each names its reason with a business code (API.md), so clients can
tell "buy a plan" from "wait for the reset" from "upgrade"."""

from __future__ import annotations

from datetime import date
from typing import Any

from mathvidya.errors import AppError, Conflict, Forbidden


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


class SubscriptionNotActive(Conflict):
    code, message = "SUBSCRIPTION_NOT_ACTIVE", "Only an active subscription can be cancelled."
