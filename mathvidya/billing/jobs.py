"""Periodic billing jobs (registered in mathvidya/jobs/registry.py). Each takes
(conn, settings, as_of), finds its work in PostgreSQL, and returns the rows it touched;
all are safe to rerun."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import psycopg

from mathvidya import business_time
from mathvidya.audit.service import SYSTEM, record_event
from mathvidya.billing import repository
from mathvidya.config import Settings
from mathvidya.notifications.service import notify

EXPIRY_WARNING_DAYS = 7
EXPIRY_EVENT = "subscription.expiring"


def expire_subscriptions(conn: psycopg.Connection, _settings: Settings, as_of: datetime) -> int:
    """Active subscriptions whose cover ended (end_date on or before today) → expired.

    Use-time checks never rely on this: "current" always means covering today."""
    today = business_time.business_date(as_of)
    expired = repository.expire_subscriptions(conn, today)
    for row in expired:
        record_event(
            conn,
            "subscription.expired",
            SYSTEM,
            "subscription",
            row["subscription_id"],
            {"student_user_id": str(row["student_user_id"]), "end_date": row["end_date"].isoformat()},
        )
    return len(expired)


def warn_expiring_subscriptions(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """Tell the student and linked parents (in-app and e-mail) once, within 7 days of the
    end of a subscription that no renewal continues; the warning is recorded on the row."""
    today = business_time.business_date(as_of)
    due = repository.claim_expiring_subscriptions(conn, today, EXPIRY_WARNING_DAYS)
    for subscription in due:
        last_day = subscription["end_date"] - timedelta(days=1)
        for recipient in repository.expiry_recipients(conn, subscription["student_user_id"]):
            title, body = _expiry_message(subscription, recipient, last_day)
            # notify() renders the subscription.expiring e-mail and honours the opt-out.
            notify(
                conn,
                settings,
                user_id=recipient["user_id"],
                event_type=EXPIRY_EVENT,
                title=title,
                body=body,
                resource_type="subscription",
                resource_id=subscription["subscription_id"],
                email_context={
                    "plan_name": subscription["plan_name"],
                    "last_day": _display_date(last_day),
                    "link": f"{settings.app_base_url}/subscription",
                    "student_name": None if recipient["role"] == "student" else subscription["student_first_name"],
                },
            )
        repository.mark_expiry_warned(conn, subscription["subscription_id"], as_of)
        record_event(
            conn,
            "subscription.expiry_warned",
            SYSTEM,
            "subscription",
            subscription["subscription_id"],
            {"student_user_id": str(subscription["student_user_id"]), "end_date": subscription["end_date"].isoformat()},
        )
    return len(due)


def _display_date(day: date) -> str:
    return day.strftime("%d %b %Y")


def _expiry_message(subscription: dict, recipient: dict, last_day: date) -> tuple[str, str]:
    plan = subscription["plan_name"]
    when = _display_date(last_day)
    if recipient["role"] == "student":
        return (
            f"Your {plan} ends soon",
            f"Your {plan} covers you until {when}. Renew it to keep taking practice exams.",
        )
    child = subscription["student_first_name"]
    return (
        f"{child}'s {plan} ends soon",
        f"{child}'s {plan} covers them until {when}. Renew it to keep their practice going.",
    )


def reset_exam_periods(conn: psycopg.Connection, _settings: Settings, as_of: datetime) -> int:
    """Safety net: zero the exam counters of periods that have passed. The quota statement
    already rolls periods over itself, so nothing depends on this running."""
    return repository.reset_exam_periods(conn, business_time.business_date(as_of))
