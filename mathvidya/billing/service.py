"""Billing rules: plans, subscriptions, purchases, admin grants, cancellation, teacher
hours, and the quota and entitlement checks the exams domain calls inside its own
start transaction.

Dates are Indian calendar dates (``business_time.business_date``). Subscriptions cover
``[start_date, end_date)``; the current one is the active subscription covering today.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg import errors as pg_errors

from mathvidya import business_time
from mathvidya.audit.service import record_event, record_event_now
from mathvidya.authz import Principal, ensure_student_in_scope, student_in_scope
from mathvidya.billing import entitlements, periods, repository
from mathvidya.billing.gateway import ManualProvider, RazorpayGateway
from mathvidya.config import Settings
from mathvidya.errors import (
    AppError,
    ExamTypeNotInPlan,
    LeaderboardNotAvailable,
    NotFound,
    OrderAlreadyPaid,
    PaymentAlreadyUsed,
    PaymentSignatureInvalid,
    SubscriptionLimitExceeded,
    SubscriptionNotActive,
    SubscriptionOverlap,
    SubscriptionRequired,
    TeacherHoursExceeded,
    ValidationFailed,
)

log = logging.getLogger(__name__)

OVERLAP_CONSTRAINT = "subscriptions_no_overlapping_active"
SUBSCRIPTION_TERMS = ("plan_type", "plan_name", "status", "start_date", "end_date", "billing_cycle")


def _hours(minutes: int | Decimal) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------------------------------
# Quota and entitlements: called by the exams domain inside its start transaction, so a
# start that fails later rolls the consumed unit back with everything else.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaResult:
    """One exam taken from the period's allowance, and the usage after it."""

    subscription_id: UUID
    exams_used: int
    exams_limit: int
    period_start: date
    resets_on: date

    @property
    def exams_remaining(self) -> int:
        return max(self.exams_limit - self.exams_used, 0)


def consume_exam_quota(conn: psycopg.Connection, student_user_id: UUID, today: date) -> QuotaResult | None:
    """Take one exam from the current period (rolling the period over first when it has
    passed) in a single SQL statement; None when there is no current subscription or the
    limit is reached. Concurrent calls can never exceed the limit."""
    row = repository.consume_exam_quota(conn, student_user_id, today)
    if row is None:
        return None
    return QuotaResult(
        subscription_id=row["subscription_id"],
        exams_used=row["exams_used"],
        exams_limit=row["exams_limit"],
        period_start=row["period_start"],
        resets_on=row["resets_on"],
    )


def exam_quota_refusal(conn: psycopg.Connection, student_user_id: UUID, today: date) -> AppError:
    """The error explaining why ``consume_exam_quota`` returned None."""
    current = repository.current_subscription(conn, student_user_id, today)
    if current is None:
        return SubscriptionRequired()
    return SubscriptionLimitExceeded(
        used=current["exams_used"],
        limit=current["exams_limit_per_month"],
        resets_on=periods.next_reset_date(current["billing_day_of_month"], today),
    )


def consume_exam_quota_or_refuse(conn: psycopg.Connection, student_user_id: UUID, today: date) -> QuotaResult:
    """``consume_exam_quota``, raising SUBSCRIPTION_REQUIRED or SUBSCRIPTION_LIMIT_EXCEEDED."""
    result = consume_exam_quota(conn, student_user_id, today)
    if result is None:
        raise exam_quota_refusal(conn, student_user_id, today)
    return result


def require_subscription(conn: psycopg.Connection, student_user_id: UUID, today: date | None = None) -> dict:
    """The current subscription with its plan row (limits, flags, sla_hours, priority);
    SUBSCRIPTION_REQUIRED (403) when there is none."""
    current = repository.current_subscription(conn, student_user_id, today or business_time.business_date())
    if current is None:
        raise SubscriptionRequired()
    return current


def check_exam_entitlement(
    conn: psycopg.Connection,
    student_user_id: UUID,
    exam_type: str,
    has_written_questions: bool,
    today: date | None = None,
) -> dict:
    """Refuse an exam the plan row does not allow (SUBSCRIPTION_REQUIRED,
    EXAM_TYPE_NOT_IN_PLAN); returns the current subscription with its plan."""
    current = require_subscription(conn, student_user_id, today)
    reason = entitlements.exam_refusal_reason(current, exam_type, has_written_questions)
    if reason == "exam_type_not_allowed":
        raise ExamTypeNotInPlan(
            f"The {current['plan_name']} does not include {exam_type} exams.",
            details={"exam_type": exam_type, "plan_type": current["plan_type"], "reason": reason},
        )
    if reason == "manual_evaluation_not_included":
        raise ExamTypeNotInPlan(
            f"The {current['plan_name']} covers MCQ-only exams; this one has written questions.",
            details={"exam_type": exam_type, "plan_type": current["plan_type"], "reason": reason},
        )
    return current


def leaderboard_allowed(conn: psycopg.Connection, student_user_id: UUID, today: date | None = None) -> bool:
    """Whether the student's current plan includes the leaderboard."""
    return entitlements.leaderboard_eligible(
        repository.current_subscription(conn, student_user_id, today or business_time.business_date())
    )


def ensure_leaderboard_allowed(conn: psycopg.Connection, student_user_id: UUID, today: date | None = None) -> None:
    """LEADERBOARD_NOT_AVAILABLE (403) unless the current plan includes the leaderboard."""
    if not leaderboard_allowed(conn, student_user_id, today):
        raise LeaderboardNotAvailable()


# ---------------------------------------------------------------------------------------
# Plans and the student's subscription view
# ---------------------------------------------------------------------------------------


class PlanCatalogue:
    """One process's copy of the plans on sale, read again once it is older than its
    maximum age. Plans change only by migration (a deploy restarts every process) or by an
    operator's SQL, which shows within the maximum age; buying always reads the plan's row
    itself, so a stale copy can never set a price charged."""

    def __init__(self, max_age_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self._copy: tuple[tuple[dict, ...], float] | None = None

    def plans(self, connect: Callable[[], psycopg.Connection]) -> tuple[dict, ...]:
        """The active plans, cheapest first; ``connect`` is called only when the copy is stale."""
        copy = self._copy
        now = self.clock()
        if copy is None or now - copy[1] >= self.max_age_seconds:
            copy = (tuple(_plan_view(plan) for plan in repository.active_plans(connect())), now)
            self._copy = copy  # one assignment: threads see the old copy or the new, whole
        return copy[0]


def _plan_view(plan: dict) -> dict:
    return {**plan, "teacher_hours_per_month": _number(plan["teacher_hours_per_month"])}


def list_plans(catalogue: PlanCatalogue, connect: Callable[[], psycopg.Connection], limit: int, offset: int) -> dict:
    """A page of the plans on sale; no statement while the process's copy is fresh."""
    plans = catalogue.plans(connect)
    return {"items": list(plans[offset : offset + limit]), "total": len(plans), "limit": limit, "offset": offset}


def subscription_overview(
    conn: psycopg.Connection, student_user_id: UUID, today: date, *, with_next: bool = True
) -> dict:
    """GET /subscriptions/me: the current subscription and this period's usage. Without a
    current subscription the subscription fields are null and the allowances zero.
    ``with_next=False`` skips reading the queued renewal (next_subscription is then None).
    ``plan`` is the current subscription's row with its plan's flags (None without one), for
    callers that apply the plan's rules; the API shows only the fields its schema names."""
    current = repository.current_subscription_usage(conn, student_user_id, today)
    upcoming = repository.next_subscription(conn, student_user_id, today) if with_next else None
    view: dict[str, Any] = {
        "student_user_id": student_user_id,
        "has_subscription": current is not None,
        "next_subscription": upcoming,
        "plan": current,
    }
    if current is None:
        return {
            **view,
            **dict.fromkeys(
                ("subscription_id", "plan_type", "plan_name", "status", "start_date", "end_date", "billing_cycle"),
            ),
            "exams_used_this_month": 0,
            "exams_limit_per_month": 0,
            "exams_remaining": 0,
            "teacher_hours_used": 0.0,
            "teacher_hours_limit": 0.0,
            "teacher_hours_unlimited": False,
            "leaderboard_eligible": False,
            "sla_hours": None,
            "period_start": None,
            "period_resets_on": None,
        }
    minutes = current["teacher_minutes_used"]
    limit = current["exams_limit_per_month"]
    return {
        **view,
        **{
            key: current[key]
            for key in (
                "subscription_id",
                *SUBSCRIPTION_TERMS,
                "sla_hours",
                "period_start",
            )
        },
        "exams_used_this_month": current["exams_used"],
        "exams_limit_per_month": limit,
        "exams_remaining": max(limit - current["exams_used"], 0),
        "teacher_hours_used": _hours(minutes),
        "teacher_hours_limit": _number(current["teacher_hours_per_month"]),
        "teacher_hours_unlimited": current["teacher_hours_per_month"] is None,
        "leaderboard_eligible": entitlements.leaderboard_eligible(current),
        "period_resets_on": periods.next_reset_date(current["billing_day_of_month"], today),
    }


def subscription_view(row: dict) -> dict:
    return {
        key: row[key]
        for key in (
            "subscription_id",
            "student_user_id",
            *SUBSCRIPTION_TERMS,
            "billing_day_of_month",
            "amount_paid_paise",
            "payment_provider",
            "cancelled_at",
            "created_at",
        )
    }


# ---------------------------------------------------------------------------------------
# Creating subscriptions: purchases and admin grants
# ---------------------------------------------------------------------------------------


def _active_plan(conn: psycopg.Connection, plan_type: str, *, purchasable: bool) -> dict:
    plan = repository.get_plan_by_type(conn, plan_type)
    if plan is None or (purchasable and not plan["is_active"]):
        raise ValidationFailed({"plan_type": ["this plan is not available"]})
    return plan


def _price(plan: dict, billing_cycle: str) -> int:
    return plan["annual_price_paise"] if billing_cycle == "annual" else plan["monthly_price_paise"]


def _create_subscription(
    conn: psycopg.Connection,
    *,
    student_user_id: UUID,
    plan_id: UUID,
    billing_cycle: str,
    start_date: date,
    amount_paid_paise: int,
    payment_provider: str,
    payment_reference: str | None,
    created_by: UUID | None,
) -> UUID:
    """Insert an active subscription; the exclusion constraint refuses an overlap (409)."""
    try:
        with conn.transaction():
            return repository.insert_subscription(
                conn,
                student_user_id=student_user_id,
                plan_id=plan_id,
                billing_cycle=billing_cycle,
                start_date=start_date,
                end_date=periods.subscription_end_date(start_date, billing_cycle),
                billing_day_of_month=periods.billing_day_for(start_date),
                amount_paid_paise=amount_paid_paise,
                payment_provider=payment_provider,
                payment_reference=payment_reference,
                created_by=created_by,
            )
    except pg_errors.ExclusionViolation as exc:
        if exc.diag.constraint_name == OVERLAP_CONSTRAINT:
            raise SubscriptionOverlap() from None
        raise
    except pg_errors.UniqueViolation:
        raise PaymentAlreadyUsed() from None


def create_order(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    *,
    student_user_id: UUID,
    plan_type: str,
    billing_cycle: str,
) -> dict:
    """A pending gateway order for a plan, priced from the plan row (paise)."""
    ensure_student_in_scope(principal, student_user_id)
    plan = _active_plan(conn, plan_type, purchasable=True)
    gateway = RazorpayGateway.from_settings(settings)
    order = gateway.create_order(_price(plan, billing_cycle))
    row = repository.insert_payment_order(
        conn,
        gateway=gateway.name,
        gateway_order_id=order.order_id,
        student_user_id=student_user_id,
        created_by=principal.user_id,
        plan_id=plan["plan_id"],
        plan_type=plan_type,
        billing_cycle=billing_cycle,
        amount_paise=order.amount_paise,
        currency=order.currency,
    )
    record_event(
        conn,
        "payment.order_created",
        principal.actor,
        "payment_order",
        row["payment_order_id"],
        {
            "order_id": order.order_id,
            "student_user_id": str(student_user_id),
            "plan_type": plan_type,
            "billing_cycle": billing_cycle,
            "amount_paise": order.amount_paise,
        },
    )
    return {
        "order_id": order.order_id,
        "amount": order.amount_paise,
        "currency": order.currency,
        "key_id": gateway.key_id,
        "student_user_id": str(student_user_id),
        "plan_type": plan_type,
        "billing_cycle": billing_cycle,
        "status": row["status"],
    }


def verify_payment(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    *,
    order_id: str,
    payment_id: str,
    signature: str,
    today: date,
) -> dict:
    """Check the gateway signature and activate the subscription, all in this transaction.

    Idempotent: the order row is locked, and a replay of a paid order's payment answers
    the subscription it created. A new purchase while a subscription runs starts the day
    the running cover ends."""
    gateway = RazorpayGateway.from_settings(settings)
    order = repository.lock_payment_order(conn, gateway.name, order_id)
    if order is None or not student_in_scope(principal, order["student_user_id"]):
        raise NotFound("No such order.")
    if not gateway.verify_payment_signature(order_id, payment_id, signature):
        log.warning("payment signature mismatch", extra={"order_id": order_id})
        # The request rolls back (nothing changes); the attempt is kept in its own transaction.
        record_event_now(
            "payment.signature_invalid",
            principal.actor,
            "payment_order",
            order["payment_order_id"],
            {"order_id": order_id, "payment_id": payment_id},
        )
        raise PaymentSignatureInvalid()
    if order["status"] == "paid":
        if order["gateway_payment_id"] != payment_id:
            raise OrderAlreadyPaid()
        return subscription_view(repository.get_subscription(conn, order["subscription_id"]))

    student_user_id = order["student_user_id"]
    repository.lock_student_subscriptions(conn, student_user_id)
    running_until = repository.last_active_end_date(conn, student_user_id, today)
    start_date = max(today, running_until or today)
    subscription_id = _create_subscription(
        conn,
        student_user_id=student_user_id,
        plan_id=order["plan_id"],
        billing_cycle=order["billing_cycle"],
        start_date=start_date,
        amount_paid_paise=order["amount_paise"],
        payment_provider=gateway.name,
        payment_reference=payment_id,
        created_by=order["created_by"],
    )
    repository.mark_order_paid(
        conn,
        payment_order_id=order["payment_order_id"],
        gateway_payment_id=payment_id,
        subscription_id=subscription_id,
        paid_at=business_time.now(),
    )
    subscription = repository.get_subscription(conn, subscription_id)
    record_event(
        conn,
        "subscription.activated",
        principal.actor,
        "subscription",
        subscription_id,
        {
            "source": "payment",
            "order_id": order_id,
            "payment_id": payment_id,
            "student_user_id": str(student_user_id),
            "plan_type": order["plan_type"],
            "billing_cycle": order["billing_cycle"],
            "amount_paise": order["amount_paise"],
            "start_date": subscription["start_date"].isoformat(),
            "end_date": subscription["end_date"].isoformat(),
        },
    )
    return subscription_view(subscription)


def grant_subscription(
    conn: psycopg.Connection,
    principal: Principal,
    *,
    student_user_id: UUID,
    plan_type: str,
    billing_cycle: str,
    start_date: date | None,
    today: date,
) -> dict:
    """An admin grant (offline payment or goodwill), active at once from start_date
    (default today); an overlap with an active subscription is refused (409)."""
    if not repository.is_student(conn, student_user_id):
        raise NotFound("No such student.")
    plan = _active_plan(conn, plan_type, purchasable=False)
    start = start_date or today
    if periods.subscription_end_date(start, billing_cycle) <= today:
        raise ValidationFailed({"start_date": ["a subscription starting then would already have ended"]})
    repository.lock_student_subscriptions(conn, student_user_id)
    subscription_id = _create_subscription(
        conn,
        student_user_id=student_user_id,
        plan_id=plan["plan_id"],
        billing_cycle=billing_cycle,
        start_date=start,
        amount_paid_paise=0,
        payment_provider=ManualProvider.name,
        payment_reference=None,
        created_by=principal.user_id,
    )
    subscription = repository.get_subscription(conn, subscription_id)
    record_event(
        conn,
        "subscription.created",
        principal.actor,
        "subscription",
        subscription_id,
        {
            "source": "admin_grant",
            "student_user_id": str(student_user_id),
            "plan_type": plan_type,
            "billing_cycle": billing_cycle,
            "start_date": subscription["start_date"].isoformat(),
            "end_date": subscription["end_date"].isoformat(),
        },
    )
    return subscription_view(subscription)


def list_subscriptions(
    conn: psycopg.Connection,
    *,
    status: str | None,
    plan_type: str | None,
    student_user_id: UUID | None,
    limit: int,
    offset: int,
) -> dict:
    filters = {"status": status, "plan_type": plan_type, "student_user_id": student_user_id}
    items = repository.list_subscriptions(conn, **filters, limit=limit, offset=offset)
    return {
        "items": [
            {**subscription_view(row), "student_email": row["student_email"], "student_name": row["student_name"]}
            for row in items
        ],
        "total": repository.count_subscriptions(conn, **filters),
        "limit": limit,
        "offset": offset,
    }


def cancel_subscription(conn: psycopg.Connection, principal: Principal, subscription_id: UUID) -> dict:
    """Cancel at once (no refund is computed here). Cancelling a cancelled subscription
    answers it unchanged; an expired one cannot be cancelled (409)."""
    locked = repository.lock_subscription(conn, subscription_id)
    if locked is None or not student_in_scope(principal, locked["student_user_id"]):
        raise NotFound("No such subscription.")
    if locked["status"] == "cancelled":
        return subscription_view(repository.get_subscription(conn, subscription_id))
    if locked["status"] not in ("active", "pending"):
        raise SubscriptionNotActive(details={"status": locked["status"]})
    repository.cancel_subscription(conn, subscription_id, business_time.now())
    subscription = repository.get_subscription(conn, subscription_id)
    record_event(
        conn,
        "subscription.cancelled",
        principal.actor,
        "subscription",
        subscription_id,
        {
            "student_user_id": str(locked["student_user_id"]),
            "previous_status": locked["status"],
            "plan_type": subscription["plan_type"],
        },
    )
    return subscription_view(subscription)


# ---------------------------------------------------------------------------------------
# Teacher hours
# ---------------------------------------------------------------------------------------


def record_teacher_session(
    conn: psycopg.Connection,
    principal: Principal,
    *,
    student_user_id: UUID,
    minutes: int,
    notes: str | None,
    today: date,
) -> dict:
    """Record a one-to-one session against the plan's teacher hours for this period.

    The current subscription row is locked FOR UPDATE before the period's minutes are
    summed, so two concurrent recordings cannot both fit in the last free minutes."""
    if not repository.is_student(conn, student_user_id):
        raise NotFound("No such student.")
    current = repository.lock_current_subscription(conn, student_user_id, today)
    if current is None:
        raise SubscriptionRequired("The student has no active subscription to count teacher hours against.")
    used = repository.teacher_minutes_used(conn, current["subscription_id"], current["period_start"])
    limit_hours = current["teacher_hours_per_month"]
    if limit_hours is not None:
        limit_minutes = int(Decimal(limit_hours) * 60)
        if used + minutes > limit_minutes:
            raise TeacherHoursExceeded(
                {
                    "used": _hours(used),
                    "limit": float(limit_hours),
                    "requested": _hours(minutes),
                    "used_minutes": used,
                    "limit_minutes": limit_minutes,
                    "requested_minutes": minutes,
                    "resets_on": periods.next_reset_date(current["billing_day_of_month"], today).isoformat(),
                },
                message=(
                    "The plan includes no teacher hours."
                    if limit_minutes == 0
                    else f"This session would take the student past the plan's {float(limit_hours):g} teacher "
                    f"hours this period ({_hours(used):g} used)."
                ),
            )
    session = repository.insert_teacher_session(
        conn,
        subscription_id=current["subscription_id"],
        student_user_id=student_user_id,
        teacher_user_id=principal.user_id,
        period_start=current["period_start"],
        minutes=minutes,
        notes=notes,
    )
    record_event(
        conn,
        "teacher_session.recorded",
        principal.actor,
        "teacher_session",
        session["session_id"],
        {
            "student_user_id": str(student_user_id),
            "minutes": minutes,
            "subscription_id": str(session["subscription_id"]),
        },
    )
    return {
        **session,
        "teacher_hours_used": _hours(used + minutes),
        "teacher_hours_limit": _number(limit_hours),
    }
