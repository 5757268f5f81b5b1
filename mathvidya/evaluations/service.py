"""Evaluation: assignment to the least busy teacher, the teacher's queue and work view,
marking, completion (scores, audit, notifications, leaderboard refresh) and reassignment."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import psycopg

from mathvidya import business_time, db, job_requests, sla_clock
from mathvidya.audit.service import SYSTEM, AuditEvent, record_event, record_events
from mathvidya.authz import Principal
from mathvidya.config import Settings
from mathvidya.errors import (
    Conflict,
    EvaluationAlreadySubmitted,
    EvaluationIncomplete,
    ReuploadLimitReached,
    ValidationFailed,
)
from mathvidya.evaluations import marking, repository
from mathvidya.evaluations.access import evaluation_in_scope
from mathvidya.exams import scoring, states, turnaround
from mathvidya.exams.service import student_hidden_from
from mathvidya.identity.parents import linked_parents
from mathvidya.notifications.service import notify
from mathvidya.settings_store import get_setting
from mathvidya.sla_calendar import working_calendar
from mathvidya.storage import url_signer

log = logging.getLogger(__name__)

ASSIGNMENT_BATCH = 200
OPEN_STATUSES = ("assigned", "in_progress")
HALF = Decimal("0.5")


def app_link(settings: Settings, path: str) -> str:
    """A link into the web client for e-mails."""
    return settings.app_base_url.rstrip("/") + path


# --- assignment ------------------------------------------------------------------------------------


def assign_exam(conn: psycopg.Connection, settings: Settings, exam_id: UUID, now: datetime) -> UUID | None:
    """Give one confirmed exam to the least busy active teacher; None when it is already
    assigned, being assigned elsewhere, or no teacher is available (admins told once)."""
    repository.serialise_assignment(conn)
    exam = repository.lock_unassigned_exam(conn, exam_id)
    if exam is None:
        return None
    teacher_id = repository.least_busy_teacher(conn)
    if teacher_id is None:
        _alert_admins_once(conn, settings, exam_id, now)
        return None
    created = repository.insert_evaluation(
        conn, exam_instance_id=exam_id, teacher_user_id=teacher_id, assigned_at=now, sla_deadline=exam["sla_deadline"]
    )
    if created is None:
        return None
    record_event(
        conn,
        "evaluation.assigned",
        SYSTEM,
        "evaluation",
        created["evaluation_id"],
        {"exam_instance_id": str(exam_id), "teacher_user_id": str(teacher_id)},
    )
    candidate = candidate_label(conn, exam)
    notify(
        conn,
        settings,
        user_id=teacher_id,
        event_type="evaluation.assigned",
        title="New answer sheet to mark",
        body=f"{exam['exam_name']} by {candidate}, due by {exam['sla_deadline'].isoformat()}.",
        resource_type="evaluation",
        resource_id=created["evaluation_id"],
        email_context={
            "candidate": candidate,
            "exam_name": exam["exam_name"],
            "deadline": exam["sla_deadline"].isoformat(),
            "link": app_link(settings, f"/evaluations/{created['evaluation_id']}"),
        },
    )
    _confirm_submission(conn, settings, exam)
    return created["evaluation_id"]


def _shown(deadline: datetime) -> str:
    return deadline.astimezone(business_time.BUSINESS_TZ).strftime("%d %b %Y, %H:%M %Z")


def _confirm_submission(conn: psycopg.Connection, settings: Settings, exam: dict) -> None:
    """The student's confirmation, once a teacher has the answer sheet: when the marks are due."""
    notify(
        conn,
        settings,
        user_id=exam["student_user_id"],
        event_type="exam.submitted",
        title=f"Your answer sheet for {exam['exam_name']} is with a teacher",
        body=f"Marks expected by {_shown(exam['sla_deadline'])}.",
        resource_type="exam",
        resource_id=exam["exam_instance_id"],
        email_context={"link": app_link(settings, f"/exams/{exam['exam_instance_id']}")},
    )


def turnaround_sentence(conn: psycopg.Connection, ev: dict, completed_at: datetime) -> str:
    """ "Marked in N working hours, on time." for the e-mails about an evaluated exam."""
    marking = turnaround.Marking(ev["submitted_at"], ev["exam_sla_deadline"], "completed", completed_at)
    calendar = _calendar(conn, completed_at)
    hours = turnaround.turnaround_working_hours(marking, calendar)
    timing = {True: "on time", False: "after the deadline", None: ""}[turnaround.on_time(marking)]
    return f"Marked in {hours:g} working hours" + (f", {timing}." if timing else ".")


def candidate_label(conn: psycopg.Connection, row: dict) -> str:
    """How messages to a teacher name the writer of an answer sheet: by candidate code while
    anonymous marking is on, else by name."""
    if get_setting(conn, "anonymous_marking"):
        return f"candidate {row['candidate_code']}"
    return row["student_name"]


def _name_for(hide: bool, row: dict) -> str:
    return row["candidate_code"] if hide else row["student_name"]


def _alert_admins_once(conn: psycopg.Connection, settings: Settings, exam_id: UUID, now: datetime) -> None:
    if not repository.mark_assignment_alerted(conn, exam_id, now):
        return
    log.warning("no active teacher for an exam awaiting evaluation", extra={"exam_id": str(exam_id)})
    for admin in repository.active_admins(conn):
        notify(
            conn,
            settings,
            user_id=admin["user_id"],
            event_type="evaluation.unassigned",
            title="An exam is waiting for a teacher",
            body="No active teacher could take a confirmed answer sheet; it will be assigned when one is.",
            resource_type="exam",
            resource_id=exam_id,
        )


def assign_waiting_exams(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """The sweep: every confirmed exam without an evaluation, each in its own transaction."""
    assigned = 0
    for exam_id in repository.unassigned_exams(conn, ASSIGNMENT_BATCH):
        conn.commit()
        if assign_exam(conn, settings, exam_id, as_of) is not None:
            assigned += 1
        conn.commit()
    return assigned


# --- the teacher's view ------------------------------------------------------------------------------


def _calendar(conn: psycopg.Connection, around: datetime) -> sla_clock.WorkingCalendar:
    return working_calendar(conn, around.date() - timedelta(days=400), around.date() + timedelta(days=400))


def working_hours_until(
    conn: psycopg.Connection,
    deadline: datetime | None,
    now: datetime,
    calendar: sla_clock.WorkingCalendar | None = None,
) -> float | None:
    """None while the deadline is cleared (new pages were asked for)."""
    if deadline is None:
        return None
    calendar = calendar or _calendar(conn, now)
    return round(sla_clock.working_minutes_between(now, deadline, calendar) / 60, 2)


def _written_questions(snapshot: dict) -> list[dict]:
    return [q for q in snapshot["questions"] if q["question_type"] != "MCQ"]


def queue(
    conn: psycopg.Connection,
    principal: Principal,
    teacher_user_id: UUID | None,
    status: str | None,
    breached: bool | None,
    limit: int,
    offset: int,
    now: datetime,
) -> dict:
    """Evaluations by deadline then plan priority: one teacher's, or everyone's when None."""
    filters = {
        "teacher_user_id": teacher_user_id,
        "statuses": [status] if status else list(OPEN_STATUSES),
        "breached": breached,
    }
    rows = repository.queue(conn, limit=limit, offset=offset, **filters)
    calendar = _calendar(conn, now)
    hide = student_hidden_from(conn, principal)
    items = [
        {
            "evaluation_id": r["evaluation_id"],
            "exam_instance_id": r["exam_instance_id"],
            "teacher_user_id": r["teacher_user_id"],
            "student_name": _name_for(hide, r),
            "candidate_code": r["candidate_code"],
            "student_class": r["student_class"],
            "plan_type": r["plan_type"],
            "assigned_at": r["assigned_at"],
            "sla_deadline": r["sla_deadline"],
            "sla_breached": r["sla_breached"],
            "status": r["status"],
            "hours_until_deadline": working_hours_until(conn, r["sla_deadline"], now, calendar),
            "total_manual_questions": r["total_manual_questions"],
            "completed_at": r["completed_at"],
        }
        for r in rows
    ]
    return {"items": items, "total": repository.count_queue(conn, **filters), "limit": limit, "offset": offset}


def _content_to_mark(sign: Callable[..., str | None], q: dict) -> dict:
    """What a teacher marks against: the question, the model answer and the marking scheme."""
    return {
        "question_id": q.get("question_id"),
        "unit": q["unit"],
        "question_text": q["question_text"],
        "question_image_url": sign(q.get("question_image_key")),
        "correct_answer_text": q.get("correct_answer_text"),
        "explanation": q.get("explanation"),
        "marking_scheme": q.get("marking_scheme"),
    }


def evaluation_view(
    conn: psycopg.Connection, settings: Settings, principal: Principal, evaluation_id: UUID, now: datetime
) -> dict:
    ev = evaluation_in_scope(conn, principal, evaluation_id)
    unanswered = set(repository.unanswered_numbers(conn, ev["exam_instance_id"]))
    attempted = ev.get("attempted_choices") or {}
    sign = url_signer(conn, settings)
    questions = [
        {
            "question_number": q["question_number"],
            "section_name": q["section_name"],
            "question_type": q["question_type"],
            "marks": q["marks"],
            "unit": q["unit"],
            **(
                {
                    "alternatives": [
                        {"choice": alt["choice"], **_content_to_mark(sign, alt)} for alt in q["alternatives"]
                    ],
                    "attempted_choice": attempted.get(str(q["question_number"])),
                }
                if q.get("alternatives")
                else _content_to_mark(sign, q)
            ),
            "declared_unanswered": q["question_number"] in unanswered,
        }
        for q in _written_questions(ev["exam_snapshot"])
    ]
    pages = [
        {
            "page_number": p["page_number"],
            "content_type": p["content_type"],
            "question_numbers": list(p["question_numbers"]),
            # the type sniffed at confirm-upload; the annotated copy keeps the original's format
            "url": sign(p["s3_key"], p["content_type"]),
            "annotations": p["annotation_data"] or [],
            "annotated_url": sign(p["annotated_s3_key"], p["content_type"]),
        }
        for p in repository.exam_pages(conn, evaluation_id, ev["exam_instance_id"])
    ]
    return {
        "evaluation_id": ev["evaluation_id"],
        "exam_instance_id": ev["exam_instance_id"],
        "teacher_user_id": ev["teacher_user_id"],
        "status": ev["status"],
        "assigned_at": ev["assigned_at"],
        "started_at": ev["started_at"],
        "completed_at": ev["completed_at"],
        "sla_deadline": ev["sla_deadline"],
        "sla_breached": ev["sla_breached"],
        "hours_until_deadline": working_hours_until(conn, ev["sla_deadline"], now),
        "candidate_code": ev["candidate_code"],
        "student_name": _name_for(student_hidden_from(conn, principal), ev),
        "student_class": ev["student_class"],
        "mcq_score": ev["mcq_score"],
        "total_marks": ev["total_marks"],
        "questions": questions,
        "pages": pages,
        "unanswered_questions": sorted(unanswered),
    }


def start_evaluation(conn: psycopg.Connection, principal: Principal, evaluation_id: UUID, now: datetime) -> dict:
    ev = evaluation_in_scope(conn, principal, evaluation_id, lock=True, teacher_only=True)
    if ev["status"] == "completed":
        raise _already_submitted()
    if ev["status"] == "in_progress":
        return {"evaluation_id": ev["evaluation_id"], "status": "in_progress", "started_at": ev["started_at"]}
    started = repository.start_evaluation(conn, evaluation_id, now)
    record_event(
        conn,
        "evaluation.started",
        principal.actor,
        "evaluation",
        evaluation_id,
        {"exam_instance_id": str(ev["exam_instance_id"])},
    )
    return started


def _already_submitted() -> EvaluationAlreadySubmitted:
    return EvaluationAlreadySubmitted()


# --- marking -------------------------------------------------------------------------------------


def _checked_marks(ev: dict, unanswered: set[int], given: list[dict]) -> list[marking.QuestionMark]:
    """The marks to store, in question order; 422 naming the field, or EVALUATION_INCOMPLETE."""
    try:
        marks = marking.checked_marks(
            marking.written_questions(ev["exam_snapshot"]), unanswered, ev.get("attempted_choices") or {}, given
        )
    except marking.MarkingRefused as refused:
        raise ValidationFailed(refused.problems) from None
    except marking.MarksIncomplete as incomplete:
        raise EvaluationIncomplete(details={"missing_question_numbers": incomplete.missing}) from None
    return [marks[number] for number in sorted(marks)]


def submit_evaluation(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    evaluation_id: UUID,
    given: list[dict],
    now: datetime,
) -> dict:
    """Final and atomic: marks, evaluation, exam scores, audit; then notifications and a
    leaderboard refresh request once committed."""
    ev = evaluation_in_scope(conn, principal, evaluation_id, lock=True, teacher_only=True)
    if ev["status"] == "completed":
        raise _already_submitted()
    if ev["exam_status"] == states.REUPLOAD_REQUESTED:
        raise states.invalid_state(ev["exam_status"], "be marked until the new pages are confirmed")
    marks = _checked_marks(ev, set(ev["unanswered_numbers"]), given)
    repository.insert_marks(conn, evaluation_id, marks)
    manual = marking.manual_total({m.question_number: m for m in marks})
    completed = repository.complete_evaluation(
        conn, evaluation_id=evaluation_id, completed_at=now, total_manual_marks=manual
    )
    total = scoring.total_score(Decimal(str(ev["mcq_score"] or 0)), manual)
    percentage = scoring.percentage(total, Decimal(str(ev["total_marks"])))
    exam = repository.record_exam_evaluated(
        conn, exam_instance_id=ev["exam_instance_id"], manual_score=manual, total_score=total, percentage=percentage
    )
    if completed is None or exam is None:
        raise _already_submitted()
    record_events(
        conn,
        principal.actor,
        [
            AuditEvent(
                "evaluation.completed",
                "evaluation",
                evaluation_id,
                {
                    "exam_instance_id": str(ev["exam_instance_id"]),
                    "total_manual_marks": str(manual),
                    "sla_breached": completed["sla_breached"],
                    "counted_choices": {str(m.question_number): m.counted_choice for m in marks if m.alternatives},
                    "step_marked_questions": sorted(
                        m.question_number for m in marks if any(alt.steps for alt in (m.alternatives or (m.counted,)))
                    ),
                },
            ),
            AuditEvent(
                "score.updated",
                "exam",
                ev["exam_instance_id"],
                {"manual_score": str(manual), "total_score": str(total), "percentage": str(percentage)},
            ),
        ],
    )
    _tell_student_and_parents(conn, settings, ev, total, percentage, turnaround_sentence(conn, ev, now))
    db.after_commit(conn, lambda: job_requests.request_leaderboard_refresh(settings, exam["class"]))
    return {
        "status": "completed",
        "exam_status": "evaluated",
        "total_manual_marks": manual,
        "total_exam_score": total,
        "percentage": percentage,
        "sla_breached": completed["sla_breached"],
        "completed_at": completed["completed_at"],
    }


def _tell_student_and_parents(
    conn: psycopg.Connection, settings: Settings, ev: dict, total: Decimal, percentage: Decimal, timing: str
) -> None:
    score = f"{total} of {ev['total_marks']} ({percentage}%)"
    exam_name = ev["exam_snapshot"]["template"]["template_name"]
    student_name = f"{ev['student_first_name']} {ev['student_last_name']}"
    link = app_link(settings, f"/exams/{ev['exam_instance_id']}/results")
    recipients = [(ev["student_user_id"], False)]
    recipients += [(parent["user_id"], True) for parent in linked_parents(conn, ev["student_user_id"])]
    for user_id, for_parent in recipients:
        notify(
            conn,
            settings,
            user_id=user_id,
            event_type="evaluation.completed",
            title="Exam results are ready",
            body=f"{student_name if for_parent else 'You'} scored {score} in {exam_name}. {timing}",
            resource_type="exam",
            resource_id=ev["exam_instance_id"],
            email_context={
                "exam_name": exam_name,
                "score": score,
                "link": link,
                "for_parent": for_parent,
                "student_name": student_name,
                "turnaround": timing,
            },
        )


# --- administration ------------------------------------------------------------------------------------


def reassign(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    evaluation_id: UUID,
    teacher_user_id: UUID,
    now: datetime,
) -> dict:
    ev = evaluation_in_scope(conn, principal, evaluation_id, lock=True)
    if ev["status"] == "completed":
        raise _already_submitted()
    if not repository.active_teacher(conn, teacher_user_id):
        raise ValidationFailed({"teacher_user_id": ["must be an active teacher"]})
    if teacher_user_id == ev["teacher_user_id"]:
        raise Conflict("The evaluation is already assigned to this teacher.")
    moved = repository.reassign_evaluation(
        conn, evaluation_id=evaluation_id, teacher_user_id=teacher_user_id, assigned_at=now
    )
    record_event(
        conn,
        "evaluation.reassigned",
        principal.actor,
        "evaluation",
        evaluation_id,
        {"from_teacher_user_id": str(ev["teacher_user_id"]), "to_teacher_user_id": str(teacher_user_id)},
    )
    notify(
        conn,
        settings,
        user_id=teacher_user_id,
        event_type="evaluation.assigned",
        title="An answer sheet was reassigned to you",
        body=f"Due by {ev['sla_deadline'].isoformat()}." if ev["sla_deadline"] else "Waiting for new pages.",
        resource_type="evaluation",
        resource_id=evaluation_id,
    )
    return {**moved, "exam_instance_id": ev["exam_instance_id"]}


# --- re-upload -------------------------------------------------------------------------------------

MAX_REUPLOAD_REQUESTS = 2


def _checked_reupload_pages(conn: psycopg.Connection, ev: dict, pages: list[int]) -> list[int]:
    uploaded = set(repository.exam_page_numbers(conn, ev["exam_instance_id"]))
    problems = []
    if len(set(pages)) != len(pages):
        problems.append("page numbers must not repeat")
    unknown = sorted(set(pages) - uploaded)
    if unknown:
        problems.append(f"not pages of this answer sheet: {unknown} (its pages are {sorted(uploaded)})")
    if problems:
        raise ValidationFailed({"pages": problems})
    return sorted(pages)


def _record_reupload_request(conn: psycopg.Connection, ev: dict, pages: list[int], reason: str, now: datetime) -> int:
    """The request's number (1 or 2); a third is refused here and by the table itself."""
    try:
        with conn.transaction():
            return repository.insert_reupload_request(
                conn,
                exam_instance_id=ev["exam_instance_id"],
                evaluation_id=ev["evaluation_id"],
                teacher_user_id=ev["teacher_user_id"],
                page_numbers=pages,
                reason=reason,
                requested_at=now,
            )
    except psycopg.errors.CheckViolation as refused:
        if refused.diag.constraint_name != "reupload_requests_at_most_two":
            raise
        raise ReuploadLimitReached(details={"limit": MAX_REUPLOAD_REQUESTS}) from None


def request_reupload(
    conn: psycopg.Connection,
    settings: Settings,
    principal: Principal,
    evaluation_id: UUID,
    pages: list[int],
    reason: str,
    now: datetime,
) -> dict:
    """The assigned teacher asks the student for new pages: the SLA clock stops (deadline
    cleared) until they are confirmed; the same teacher keeps the evaluation."""
    ev = evaluation_in_scope(conn, principal, evaluation_id, lock=True, teacher_only=True)
    if ev["status"] == "completed":
        raise _already_submitted()
    states.ensure_can_move(ev["exam_status"], states.REUPLOAD_REQUESTED, "ask for new pages")
    pages = _checked_reupload_pages(conn, ev, pages)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": ["must say what is wrong with the pages"]})
    number = _record_reupload_request(conn, ev, pages, reason, now)
    moved = repository.mark_reupload_requested(conn, ev["exam_instance_id"])
    if moved is None:
        raise states.invalid_state(ev["exam_status"], "ask for new pages")
    record_event(
        conn,
        "evaluation.reupload_requested",
        principal.actor,
        "evaluation",
        evaluation_id,
        {"exam_instance_id": str(ev["exam_instance_id"]), "pages": pages, "reason": reason, "request": number},
    )
    _tell_student_to_reupload(conn, settings, ev, pages, reason)
    return {"evaluation_id": evaluation_id, "exam_instance_id": ev["exam_instance_id"], "status": moved["status"]}


def _tell_student_to_reupload(
    conn: psycopg.Connection, settings: Settings, ev: dict, pages: list[int], reason: str
) -> None:
    exam_name = ev["exam_snapshot"]["template"]["template_name"]
    listed = ", ".join(str(n) for n in pages)
    body = (
        f"Your teacher asks for new photos of page{'s' if len(pages) > 1 else ''} {listed} of {exam_name}: "
        f"{reason} Upload them again and confirm; marking continues then."
    )
    notify(
        conn,
        settings,
        user_id=ev["student_user_id"],
        event_type="evaluation.reupload_requested",
        title="Please upload some pages again",
        body=body,
        resource_type="exam",
        resource_id=ev["exam_instance_id"],
        email_context={"link": app_link(settings, f"/exams/{ev['exam_instance_id']}")},
    )
