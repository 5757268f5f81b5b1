"""Typed access to the named queries of sql/queries/billing.sql."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg

from mathvidya.queries import queries


def _q():
    return queries("billing")


# --- plans ----------------------------------------------------------------------------


def active_plans(conn: psycopg.Connection) -> list[dict]:
    return list(_q().active_plans(conn))


def get_plan_by_type(conn: psycopg.Connection, plan_type: str) -> dict | None:
    return _q().get_plan_by_type(conn, plan_type=plan_type)


# --- subscriptions --------------------------------------------------------------------


def current_subscription(conn: psycopg.Connection, student_user_id: UUID, today: date) -> dict | None:
    return _q().current_subscription(conn, student_user_id=student_user_id, today=today)


def current_subscription_usage(conn: psycopg.Connection, student_user_id: UUID, today: date) -> dict | None:
    """current_subscription with ``teacher_minutes_used`` this period, in one statement."""
    return _q().current_subscription_usage(conn, student_user_id=student_user_id, today=today)


def lock_current_subscription(conn: psycopg.Connection, student_user_id: UUID, today: date) -> dict | None:
    return _q().lock_current_subscription(conn, student_user_id=student_user_id, today=today)


def next_subscription(conn: psycopg.Connection, student_user_id: UUID, today: date) -> dict | None:
    return _q().next_subscription(conn, student_user_id=student_user_id, today=today)


def lock_student_subscriptions(conn: psycopg.Connection, student_user_id: UUID) -> None:
    _q().lock_student_subscriptions(conn, student_user_id=student_user_id)


def last_active_end_date(conn: psycopg.Connection, student_user_id: UUID, today: date) -> date | None:
    return _q().last_active_end_date(conn, student_user_id=student_user_id, today=today)


def insert_subscription(conn: psycopg.Connection, **values: Any) -> UUID:
    return _q().insert_subscription(conn, **values)["subscription_id"]


def get_subscription(conn: psycopg.Connection, subscription_id: UUID) -> dict | None:
    return _q().get_subscription(conn, subscription_id=subscription_id)


def lock_subscription(conn: psycopg.Connection, subscription_id: UUID) -> dict | None:
    return _q().lock_subscription(conn, subscription_id=subscription_id)


def cancel_subscription(conn: psycopg.Connection, subscription_id: UUID, cancelled_at: datetime) -> int:
    return _q().cancel_subscription(conn, subscription_id=subscription_id, cancelled_at=cancelled_at)


def list_subscriptions(conn: psycopg.Connection, **filters: Any) -> list[dict]:
    return list(_q().list_subscriptions(conn, **filters))


def count_subscriptions(conn: psycopg.Connection, **filters: Any) -> int:
    return _q().count_subscriptions(conn, **filters)


def is_student(conn: psycopg.Connection, user_id: UUID) -> bool:
    return bool(_q().is_student(conn, user_id=user_id))


# --- quota ----------------------------------------------------------------------------


def consume_exam_quota(conn: psycopg.Connection, student_user_id: UUID, today: date) -> dict | None:
    return _q().consume_exam_quota(conn, student_user_id=student_user_id, today=today)


def reset_exam_periods(conn: psycopg.Connection, today: date) -> int:
    return _q().reset_exam_periods(conn, today=today)


# --- teacher sessions -----------------------------------------------------------------


def teacher_minutes_used(conn: psycopg.Connection, subscription_id: UUID, period_start: date) -> int:
    return int(_q().teacher_minutes_used(conn, subscription_id=subscription_id, period_start=period_start))


def insert_teacher_session(conn: psycopg.Connection, **values: Any) -> dict:
    return _q().insert_teacher_session(conn, **values)


# --- payment orders -------------------------------------------------------------------


def insert_payment_order(conn: psycopg.Connection, **values: Any) -> dict:
    return _q().insert_payment_order(conn, **values)


def lock_payment_order(conn: psycopg.Connection, gateway: str, gateway_order_id: str) -> dict | None:
    return _q().lock_payment_order(conn, gateway=gateway, gateway_order_id=gateway_order_id)


def mark_order_paid(conn: psycopg.Connection, **values: Any) -> int:
    return _q().mark_order_paid(conn, **values)


# --- jobs -----------------------------------------------------------------------------


def expire_subscriptions(conn: psycopg.Connection, today: date) -> list[dict]:
    return list(_q().expire_subscriptions(conn, today=today))


def claim_expiring_subscriptions(conn: psycopg.Connection, today: date, days: int) -> list[dict]:
    return list(_q().claim_expiring_subscriptions(conn, today=today, days=days))


def mark_expiry_warned(conn: psycopg.Connection, subscription_id: UUID, warned_at: datetime) -> int:
    return _q().mark_expiry_warned(conn, subscription_id=subscription_id, warned_at=warned_at)


def expiry_recipients(conn: psycopg.Connection, student_user_id: UUID) -> list[dict]:
    return list(_q().expiry_recipients(conn, student_user_id=student_user_id))
