"""The SLA sweeps (docs/evaluation-reports.md), registered in mathvidya/jobs/registry.py, every 15 minutes:

- flag-sla-breaches: an open evaluation past its deadline is flagged once (sla_breached,
  breach_flagged_at), audited as ``sla.breached`` and every active admin is told.
- warn-sla: the assigned teacher is told once (sla_warned_at) when less than two working
  hours remain before the deadline.

Each takes (conn, settings, as_of), finds its work in PostgreSQL and returns the rows it
touched; the guarded updates make reruns and concurrent runs harmless.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import psycopg

from mathvidya import sla_clock
from mathvidya.audit.service import SYSTEM, record_event
from mathvidya.config import Settings
from mathvidya.evaluations import repository
from mathvidya.evaluations.service import candidate_label
from mathvidya.notifications.service import notify
from mathvidya.settings_store import get_setting
from mathvidya.sla_calendar import working_calendar

BREACH_EVENT = "sla.breached"
WARNING_EVENT = "sla.warning"
WARNING_WORKING_MINUTES = 120
# The warning scan never looks further ahead than this, whatever the calendar says; a
# deadline further away is found by a later run.
WARNING_HORIZON_DAYS = 7
BATCH = 200
MAX_BATCHES = 50


def display_deadline(deadline: datetime, zone: ZoneInfo) -> str:
    """How messages show a deadline: in the SLA calendar's zone (IST)."""
    return deadline.astimezone(zone).strftime("%d %b %Y, %H:%M %Z")


def flag_sla_breaches(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """Flag open evaluations whose deadline passed before ``as_of``; each only once."""
    admins: list | None = None
    zone = ZoneInfo("UTC")
    flagged = 0
    for _ in range(MAX_BATCHES):
        rows = list(repository.flag_breaches(conn, as_of=as_of, batch=BATCH))
        if not rows:
            break
        if admins is None:
            admins = [row["user_id"] for row in repository.active_admin_ids(conn)]
            zone = ZoneInfo(get_setting(conn, "sla_working_hours")["timezone"])
        for row in rows:
            _report_breach(conn, settings, row, admins, display_deadline(row["sla_deadline"], zone))
        flagged += len(rows)
        if len(rows) < BATCH:
            break
    return flagged


def _report_breach(conn: psycopg.Connection, settings: Settings, row: dict, admins: list, deadline: str) -> None:
    record_event(
        conn,
        BREACH_EVENT,
        SYSTEM,
        "evaluation",
        row["evaluation_id"],
        {
            "exam_instance_id": str(row["exam_instance_id"]),
            "teacher_user_id": str(row["teacher_user_id"]),
            "sla_deadline": row["sla_deadline"].isoformat(),
        },
    )
    title = f"SLA breached: {row['student_name']} ({row['candidate_code']}), {row['exam_name']}"
    body = (
        f"The evaluation of {row['student_name']}'s {row['exam_name']} passed its deadline of {deadline} "
        f"without being completed. Assigned teacher: {row['teacher_name']}."
    )
    for admin_id in admins:
        notify(
            conn,
            settings,
            user_id=admin_id,
            event_type=BREACH_EVENT,
            title=title,
            body=body,
            resource_type="evaluation",
            resource_id=row["evaluation_id"],
            email_context={
                "student_name": row["student_name"],
                "exam_name": row["exam_name"],
                "teacher_name": row["teacher_name"],
                "deadline": deadline,
                "link": f"{settings.app_base_url}/admin/evaluations",
            },
        )


def warning_due(remaining_working_minutes: int) -> bool:
    """Less than two working hours left."""
    return remaining_working_minutes < WARNING_WORKING_MINUTES


def warn_sla(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """Warn each teacher once about an open evaluation with under two working hours left."""
    calendar = working_calendar(
        conn, as_of.date() - timedelta(days=1), as_of.date() + timedelta(days=WARNING_HORIZON_DAYS + 1)
    )
    horizon = as_of + timedelta(days=WARNING_HORIZON_DAYS)
    # The instant two working hours from now bounds the scan tightly (a calendar without
    # working days ahead raises ValueError: the day bound stays).
    with contextlib.suppress(ValueError):
        horizon = min(horizon, sla_clock.sla_deadline(as_of, WARNING_WORKING_MINUTES // 60, calendar))
    warned = 0
    for _ in range(MAX_BATCHES):
        candidates = list(repository.warning_candidates(conn, as_of=as_of, horizon=horizon, batch=BATCH))
        remaining = {
            row["evaluation_id"]: sla_clock.working_minutes_between(as_of, row["sla_deadline"], calendar)
            for row in candidates
        }
        due = [evaluation_id for evaluation_id, minutes in remaining.items() if warning_due(minutes)]
        if due:
            for row in list(repository.mark_warned(conn, as_of=as_of, evaluation_ids=due)):
                _warn_teacher(conn, settings, row, remaining[row["evaluation_id"]], calendar)
                warned += 1
        # Remaining time grows with the deadline: once one candidate is not due, none after it is.
        if len(candidates) < BATCH or len(due) < len(candidates):
            break
    return warned


def _hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _warn_teacher(
    conn: psycopg.Connection, settings: Settings, row: dict, minutes: int, calendar: sla_clock.WorkingCalendar
) -> None:
    deadline = display_deadline(row["sla_deadline"], calendar.zone)
    hours_left = _hours(minutes)
    candidate = candidate_label(conn, row)
    notify(
        conn,
        settings,
        user_id=row["teacher_user_id"],
        event_type=WARNING_EVENT,
        title=f"Evaluation due soon: {row['exam_name']}",
        body=(
            f"The evaluation of {row['exam_name']} by {candidate} is due by {deadline} "
            f"({hours_left} working hours left)."
        ),
        resource_type="evaluation",
        resource_id=row["evaluation_id"],
        email_context={
            "candidate": candidate,
            "exam_name": row["exam_name"],
            "deadline": deadline,
            "hours_left": hours_left,
            "link": f"{settings.app_base_url}/teacher/evaluations/{row['evaluation_id']}",
        },
    )
