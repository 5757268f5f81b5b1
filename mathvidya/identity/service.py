"""Accounts: creation (registration, admin, CLI) with the rules every path shares."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from mathvidya.audit.service import SYSTEM, Actor, record_event
from mathvidya.errors import Conflict, ValidationFailed
from mathvidya.identity import passwords, repository

ROLES = ("student", "parent", "teacher", "admin")
STUDENT_CLASSES = ("X", "XII")


@dataclass(frozen=True)
class NewUser:
    email: str
    password: str
    role: str
    first_name: str
    last_name: str
    student_class: str | None = None
    phone: str | None = None
    school_name: str | None = None
    email_verified: bool = False


def _problems(new: NewUser) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if new.role not in ROLES:
        problems["role"] = [f"must be one of {', '.join(ROLES)}"]
    if "@" not in new.email or len(new.email) > 254:
        problems["email"] = ["must be an e-mail address"]
    password_problem = passwords.password_problem(new.password)
    if password_problem:
        problems["password"] = [password_problem]
    if new.role == "student" and new.student_class not in STUDENT_CLASSES:
        problems["student_class"] = ["students need a class: X or XII"]
    if new.role != "student" and new.student_class is not None:
        problems["student_class"] = ["only students have a class"]
    for field, value in (("first_name", new.first_name), ("last_name", new.last_name)):
        if not value or not value.strip():
            problems[field] = ["must not be empty"]
    return problems


def create_user(conn: psycopg.Connection, new: NewUser, actor: Actor = SYSTEM) -> dict:
    """Create an account (any role: callers decide who may create which); audited user.created."""
    problems = _problems(new)
    if problems:
        raise ValidationFailed(problems)
    try:
        with conn.transaction():
            user = repository.insert_user(
                conn,
                email=new.email.strip(),
                password_hash=passwords.hash_password(new.password),
                role=new.role,
                first_name=new.first_name.strip(),
                last_name=new.last_name.strip(),
                phone=new.phone,
                student_class=new.student_class,
                school_name=new.school_name,
                email_verified=new.email_verified,
            )
    except psycopg.errors.UniqueViolation:
        raise Conflict("An account with this e-mail already exists.", code="EMAIL_TAKEN") from None
    record_event(conn, "user.created", actor, "user", user["user_id"], {"role": new.role, "email": user["email"]})
    return user
