"""Demo data for `flask seed-demo`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

import psycopg

from mathvidya.identity import repository
from mathvidya.identity.service import NewUser, create_user
from mathvidya.questions.demo_bank import seed_demo_questions

DEMO_PASSWORD = "Mathvidya#2026"
DEMO_USERS = (
    NewUser("admin@demo.mathvidya.in", DEMO_PASSWORD, "admin", "Asha", "Admin", email_verified=True),
    NewUser("teacher@demo.mathvidya.in", DEMO_PASSWORD, "teacher", "Tara", "Teacher", email_verified=True),
    NewUser("parent@demo.mathvidya.in", DEMO_PASSWORD, "parent", "Pranav", "Parent", email_verified=True),
    NewUser(
        "student@demo.mathvidya.in",
        DEMO_PASSWORD,
        "student",
        "Sita",
        "Student",
        student_class="XII",
        email_verified=True,
    ),
)


def seed_demo(conn: psycopg.Connection) -> list[str]:
    report = []
    for new in DEMO_USERS:
        existing = repository.get_user_by_email(conn, new.email)
        user = existing or create_user(conn, new)
        report.append(f"{new.role:8} {new.email:32} password: {new.password}  id: {user['user_id']}")
    report.extend(seed_demo_questions(conn))
    return report
