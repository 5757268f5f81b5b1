"""How long the marking of an exam takes, in working hours (pure: no I/O; "now" is a parameter).

Shown to the student and their parents (GET /exams/{id}, the exam list) and used in the
e-mails about an evaluation. Working hours come from the SLA clock (mathvidya/sla_clock.py)
over the business calendar, so nights, weekends and holidays do not count. Hours are
rounded half up to 2 decimals. Exam states this module does not know (a state added later)
are treated like any open evaluation: the figures that can be computed are, the rest are null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from mathvidya import sla_clock

HUNDREDTH = Decimal("0.01")
UNASSIGNED = "awaiting_teacher"
COMPLETED = "completed"


@dataclass(frozen=True)
class Marking:
    """What is known about an exam's marking: its submission, deadline and evaluation row."""

    submitted_at: datetime | None
    sla_deadline: datetime | None
    evaluation_status: str | None = None
    completed_at: datetime | None = None

    @property
    def confirmed(self) -> bool:
        """Pages confirmed for marking: a deadline was set, or a teacher already has it."""
        return self.submitted_at is not None and (self.sla_deadline is not None or self.evaluation_status is not None)

    @property
    def completed(self) -> bool:
        return self.evaluation_status == COMPLETED and self.completed_at is not None


def working_hours(minutes: int) -> float:
    """Working minutes as hours with at most 2 decimals."""
    return float((Decimal(minutes) / 60).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def on_time(marking: Marking) -> bool | None:
    """Null while the evaluation is open (or has no deadline); else whether it met it."""
    if not marking.completed or marking.sla_deadline is None:
        return None
    return marking.completed_at <= marking.sla_deadline


def working_hours_left(marking: Marking, now: datetime, calendar: sla_clock.WorkingCalendar) -> float | None:
    """Until the deadline (negative when overdue); null once marked or without a deadline."""
    if marking.completed or marking.sla_deadline is None:
        return None
    return working_hours(sla_clock.working_minutes_between(now, marking.sla_deadline, calendar))


def turnaround_working_hours(marking: Marking, calendar: sla_clock.WorkingCalendar) -> float | None:
    """From the confirmed submission to the teacher's submission of marks; null until then."""
    if not marking.completed or marking.submitted_at is None:
        return None
    return working_hours(sla_clock.working_minutes_between(marking.submitted_at, marking.completed_at, calendar))


def evaluation_summary(marking: Marking, now: datetime, calendar: sla_clock.WorkingCalendar) -> dict | None:
    """The ``evaluation`` block of the exam view; None before the pages are confirmed."""
    if not marking.confirmed:
        return None
    return {
        "status": marking.evaluation_status or UNASSIGNED,
        "sla_deadline": marking.sla_deadline,
        "working_hours_left": working_hours_left(marking, now, calendar),
        "teacher_assigned": marking.evaluation_status is not None,
        "on_time": on_time(marking),
    }


def calendar_days_needed(marking: Marking, now: datetime) -> tuple[datetime, datetime] | None:
    """The span of instants whose holidays the figures depend on (None: no calendar needed)."""
    if not marking.confirmed:
        return None
    instants = [moment for moment in (marking.submitted_at, marking.sla_deadline, marking.completed_at, now) if moment]
    return min(instants), max(instants)
