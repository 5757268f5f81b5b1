"""The SLA compliance report (admins) and a teacher's own workload and turnaround.

Outcomes are read from timestamps, not from the breach job's flag, so a report is right
even for a period the job never swept: on time = completed by the deadline; breached =
completed after it, or still open with the deadline already past (as of the request).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import psycopg

from mathvidya import business_time, sla_clock
from mathvidya.errors import ValidationFailed
from mathvidya.evaluations import repository
from mathvidya.sla_calendar import working_calendar

MAX_PERIOD_DAYS = 366
RECENT_DAYS = 30
TURNAROUND_DAYS = 90
TWO_PLACES = Decimal("0.01")


# --- pure rules ------------------------------------------------------------------------------


def period_bounds(start_date: date, end_date: date) -> tuple[datetime, datetime]:
    """[first instant, instant after the last day) of the period in Asia/Kolkata; 422 when
    the dates are reversed or span more than MAX_PERIOD_DAYS days (both days included)."""
    if end_date < start_date:
        raise ValidationFailed({"end_date": ["must not be before start_date"]})
    if (end_date - start_date).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed({"end_date": [f"the period may span at most {MAX_PERIOD_DAYS} days"]})
    start = datetime.combine(start_date, time(0), tzinfo=business_time.BUSINESS_TZ)
    end = datetime.combine(end_date + timedelta(days=1), time(0), tzinfo=business_time.BUSINESS_TZ)
    return start, end


def percentage(part: int, whole: int) -> Decimal | None:
    """part / whole × 100, rounded half up to 2 decimals; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def compliance_rate(on_time: int, breached: int) -> Decimal | None:
    """on_time / (on_time + breached) × 100; null when both are 0."""
    return percentage(on_time, on_time + breached)


def average_hours(minutes: list[int]) -> Decimal | None:
    """The mean of working minutes, in hours rounded half up to 2 decimals."""
    if not minutes:
        return None
    return (Decimal(sum(minutes)) / len(minutes) / 60).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _figures(row: dict) -> dict[str, Any]:
    return {
        "total_evaluations": row["total_evaluations"],
        "on_time": row["on_time"],
        "breached": row["breached"],
        "compliance_rate": compliance_rate(row["on_time"], row["breached"]),
    }


# --- the SLA compliance report ---------------------------------------------------------------


def sla_compliance(conn: psycopg.Connection, start_date: date, end_date: date, now: datetime) -> dict[str, Any]:
    period_start, period_end = period_bounds(start_date, end_date)
    rows = list(repository.sla_compliance_groups(conn, period_start=period_start, period_end=period_end, now=now))
    summary = {"total_evaluations": 0, "on_time": 0, "breached": 0, "compliance_rate": None}
    by_plan, by_teacher = [], []
    for row in rows:
        if row["is_plan_row"]:
            by_plan.append({"plan_type": row["plan_type"], **_figures(row)})
        elif row["is_teacher_row"]:
            by_teacher.append(
                {"teacher_user_id": row["teacher_user_id"], "teacher_name": row["teacher_name"], **_figures(row)}
            )
        else:
            summary = _figures(row)
    return {
        "period": {"start_date": start_date, "end_date": end_date},
        "summary": summary,
        "by_plan": by_plan,
        "by_teacher": by_teacher,
    }


# --- a teacher's own figures -----------------------------------------------------------------


def teacher_analytics(conn: psycopg.Connection, teacher_user_id: UUID, now: datetime) -> dict[str, Any]:
    """Workload now, completions, working-hours turnaround and the late share over the last
    TURNAROUND_DAYS days (breach_rate counts late completions and open evaluations already
    past their deadline, out of the completions plus those open ones)."""
    workload = repository.teacher_workload(
        conn, teacher_user_id=teacher_user_id, recent_since=now - timedelta(days=RECENT_DAYS), now=now
    )
    completions = [
        row
        for row in repository.teacher_completions_since(
            conn, teacher_user_id=teacher_user_id, since=now - timedelta(days=TURNAROUND_DAYS)
        )
        if row["submitted_at"] is not None
    ]
    turnaround: list[int] = []
    if completions:
        first_day = min(row["submitted_at"] for row in completions).date() - timedelta(days=1)
        calendar = working_calendar(conn, first_day, now.date() + timedelta(days=1))
        turnaround = [
            sla_clock.working_minutes_between(row["submitted_at"], row["completed_at"], calendar) for row in completions
        ]
    late = sum(1 for row in completions if row["completed_at"] > row["sla_deadline"])
    breached = late + workload["open_past_deadline"]
    return {
        "open_evaluations": workload["open_evaluations"],
        "in_progress": workload["in_progress"],
        "completed": workload["completed"],
        "completed_last_30_days": workload["completed_recently"],
        "average_turnaround_working_hours": average_hours(turnaround),
        "breach_rate": percentage(breached, len(completions) + workload["open_past_deadline"]),
        "next_deadline": workload["next_deadline"],
    }
