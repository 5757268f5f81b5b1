"""Demo data for `flask seed-demo`: a user of each role ready to try at once.

The student is linked to the parent, on the Premium plan (board paper and leaderboard
included), with two months of evaluated exams; the teacher has answer sheets waiting; a
few classmates make the leaderboard rank. Idempotent: each part is skipped when it is
already there, so running it twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from mathvidya import business_time
from mathvidya.billing import repository as billing_repository
from mathvidya.billing import service as billing_service
from mathvidya.config import Settings
from mathvidya.demo.exams import (
    BOARD,
    MCQ_SECTION,
    DemoCast,
    PlannedExam,
    assign_to_demo_teacher,
    exam_day,
    has_exams,
    mark_exam,
    next_morning,
    principal_of,
    take_exam,
    template_id,
)
from mathvidya.identity import parents, repository
from mathvidya.identity.service import NewUser, create_user
from mathvidya.insights import service as insights_service
from mathvidya.questions.demo_bank import seed_demo_questions

DEMO_PASSWORD = "Mathvidya#2026"
DEMO_CLASS = "XII"
DEMO_PLAN = "premium"  # board paper, unit practice, written answers and the leaderboard
SUBSCRIBED_DAYS_AGO = 60


def _demo_user(email: str, role: str, first: str, last: str, school_class: str | None = None) -> NewUser:
    return NewUser(
        f"{email}@demo.mathvidya.in",
        DEMO_PASSWORD,
        role,
        first,
        last,
        student_class=school_class,
        email_verified=True,
    )


ADMIN = _demo_user("admin", "admin", "Asha", "Admin")
TEACHER = _demo_user("teacher", "teacher", "Tara", "Teacher")
PARENT = _demo_user("parent", "parent", "Pranav", "Parent")
STUDENT = _demo_user("student", "student", "Sita", "Student", DEMO_CLASS)
DEMO_USERS = (ADMIN, TEACHER, PARENT, STUDENT)

# Classmates (one parent for all of them) with how well each does: the leaderboard ranks.
CLASSMATES_PARENT = _demo_user("family", "parent", "Meera", "Iyer")
CLASSMATES = (
    (_demo_user("aarav", "student", "Aarav", "Mehta", DEMO_CLASS), 0.9),
    (_demo_user("diya", "student", "Diya", "Sharma", DEMO_CLASS), 0.8),
    (_demo_user("kabir", "student", "Kabir", "Singh", DEMO_CLASS), 0.62),
    (_demo_user("ananya", "student", "Ananya", "Rao", DEMO_CLASS), 0.5),
    (_demo_user("rohan", "student", "Rohan", "Das", DEMO_CLASS), 0.4),
)
CLASSMATE_EXAM_DAYS = (40, 20, 6)

# The demo student's two months, oldest first: MCQ-only and written exams across units,
# getting better, with one board paper.
STUDENT_HISTORY = (
    PlannedExam(MCQ_SECTION, 54, 0.55),
    PlannedExam("Matrices", 49, 0.58),
    PlannedExam("Determinants", 42, 0.62),
    PlannedExam(MCQ_SECTION, 35, 0.64),
    PlannedExam("Application of Derivatives", 28, 0.66),
    PlannedExam(BOARD, 21, 0.68),
    PlannedExam("Integrals", 14, 0.72),
    PlannedExam(MCQ_SECTION, 9, 0.76),
    PlannedExam("Probability", 5, 0.8),
)
BEING_MARKED = PlannedExam("Three Dimensional Geometry", 1, 0.74)  # the teacher has started it
WAITING = PlannedExam("Vector Algebra", 0, 0.7)  # confirmed an hour ago, not opened yet
IN_PROGRESS = PlannedExam("Linear Programming", 0, 0.7)  # the student is taking it now

TRY_FIRST = {
    "admin": "GET /api/v1/admin/dashboard: this month's exams, open evaluations, SLA compliance",
    "teacher": "GET /api/v1/evaluations/queue: two answer sheets to mark, one already started",
    "parent": "GET /api/v1/parents/me/children, then GET /api/v1/analytics/parent-view/{student_user_id}",
    "student": "GET /api/v1/analytics/dashboard, then POST /api/v1/exams/start with the board paper "
    f"(template_id {template_id(DEMO_CLASS, BOARD)})",
}


def _user(conn: psycopg.Connection, new: NewUser) -> dict:
    return repository.get_user_by_email(conn, new.email) or create_user(conn, new)


def _link(conn: psycopg.Connection, settings: Settings, parent: dict, student: dict) -> bool:
    """Link as a family does: the student issues a code, the parent redeems it."""
    linked = {child["student_user_id"] for child in parents.children(conn, parent["user_id"])}
    if student["user_id"] in linked:
        return False
    code = parents.issue_link_code(conn, student["user_id"], principal_of(student).actor)["code"]
    parents.redeem_link_code(conn, settings, parent["user_id"], code, "guardian", True, principal_of(parent).actor)
    return True


def _subscribe(conn: psycopg.Connection, cast: DemoCast, student: dict, now: datetime) -> bool:
    """An admin grant of the Premium plan that started two months ago (annual)."""
    today = business_time.business_date(now)
    if billing_repository.current_subscription(conn, student["user_id"], today) is not None:
        return False
    billing_service.grant_subscription(
        conn,
        cast.admin,
        student_user_id=student["user_id"],
        plan_type=DEMO_PLAN,
        billing_cycle="annual",
        start_date=today - timedelta(days=SUBSCRIBED_DAYS_AGO),
        today=today,
    )
    return True


def _student_history(conn: psycopg.Connection, settings: Settings, cast: DemoCast, student: dict, now: datetime):
    for plan in STUDENT_HISTORY:
        exam = take_exam(conn, settings, student, plan, exam_day(plan.days_ago, now))
        if exam["status"] != "evaluated":  # written answers: the teacher marks them next morning
            mark_exam(conn, settings, cast, exam, plan, next_morning(exam["submitted_at"]))
    yesterday = take_exam(conn, settings, student, BEING_MARKED, exam_day(BEING_MARKED.days_ago, now))
    mark_exam(conn, settings, cast, yesterday, BEING_MARKED, now - timedelta(minutes=20), submit=False)
    waiting = take_exam(conn, settings, student, WAITING, now - timedelta(minutes=100))
    assign_to_demo_teacher(conn, settings, cast, waiting["exam_instance_id"], now - timedelta(minutes=55))
    take_exam(conn, settings, student, IN_PROGRESS, now - timedelta(minutes=5), finish=False)


def _classmate_history(conn: psycopg.Connection, settings: Settings, student: dict, skill: float, now: datetime):
    for days_ago in CLASSMATE_EXAM_DAYS:
        take_exam(conn, settings, student, PlannedExam(MCQ_SECTION, days_ago, skill), exam_day(days_ago, now))


def seed_demo(conn: psycopg.Connection, settings: Settings) -> list[str]:
    """Seed everything (skipping what is there) and return the lines to print."""
    now = business_time.now()
    users = {new.email: _user(conn, new) for new in (*DEMO_USERS, CLASSMATES_PARENT, *(c for c, _ in CLASSMATES))}
    report = seed_demo_questions(conn)
    admin, teacher, parent, student = (users[new.email] for new in DEMO_USERS)
    cast = DemoCast(admin=principal_of(admin), teacher=principal_of(teacher))
    family = users[CLASSMATES_PARENT.email]
    _link(conn, settings, parent, student)
    new_exams = False
    for classmate, skill in CLASSMATES:
        mate = users[classmate.email]
        _link(conn, settings, family, mate)
        _subscribe(conn, cast, mate, now)
        if not has_exams(conn, mate["user_id"]):
            _classmate_history(conn, settings, mate, skill, now)
            new_exams = True
    _subscribe(conn, cast, student, now)
    if not has_exams(conn, student["user_id"]):
        _student_history(conn, settings, cast, student, now)
        new_exams = True
    if new_exams:
        insights_service.refresh_class_leaderboard(conn, DEMO_CLASS, business_time.now(), reason="manual")
    report.append("exam history: " + ("seeded" if new_exams else "already there"))
    return report + user_lines(users)


def user_lines(users: dict[str, dict]) -> list[str]:
    """One line per demo user (role, e-mail, password), each followed by what to try first."""
    lines = []
    for new in DEMO_USERS:
        lines.append(f"{new.role:8} {new.email:32} password: {new.password}  id: {users[new.email]['user_id']}")
        lines.append(f"{'':8} try first: {TRY_FIRST[new.role]}")
    mates = ", ".join(c.email.split("@")[0] for c, _ in CLASSMATES)
    lines.append(f"{'':8} classmates on the leaderboard: {mates} (@demo.mathvidya.in, same password)")
    return lines
