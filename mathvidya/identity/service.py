"""Accounts: creation (registration, admin, CLI) with the rules every path shares."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.audit.service import SYSTEM, Actor, record_event, record_event_now
from mathvidya.config import Settings
from mathvidya.errors import (
    AccountDeactivated,
    AccountLocked,
    AppError,
    Conflict,
    EmailTaken,
    InvalidCredentials,
    NotFound,
    TokenInvalid,
    UserHasLinks,
    ValidationFailed,
)
from mathvidya.identity import account_tokens, lockout, passwords, repository, tokens
from mathvidya.identity.email_identity import email_key, lookalike_problem, stored_form
from mathvidya.notifications.emails import render_email
from mathvidya.notifications.service import queue_email
from mathvidya.settings_store import get_setting

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
    elif problem := lookalike_problem(new.email):
        problems["email"] = [problem]
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
                email=stored_form(new.email),
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
        raise EmailTaken() from None
    record_event(conn, "user.created", actor, "user", user["user_id"], {"role": new.role, "email": user["email"]})
    return user


# --- sessions --------------------------------------------------------------------------


def _fail_login(redis_client, email: str, max_attempts: int, user: dict | None, ip: str | None) -> AppError:
    """Count the failure (maybe locking the account) and audit it in its own transaction,
    since the request's transaction rolls back with the 401."""
    locked = lockout.record_failure(redis_client, email, max_attempts)
    record_event_now(
        "user.login_failed",
        Actor(user_id=user["user_id"] if user else None, role=user["role"] if user else None, ip_address=ip),
        "user",
        user["user_id"] if user else None,
        {"email": email_key(email), "locked": locked},
    )
    if locked:
        return _locked_error(lockout.LOCK_SECONDS)
    return InvalidCredentials()


def _locked_error(seconds: int) -> AppError:
    return AccountLocked(
        details={"retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


def login(conn: psycopg.Connection, redis_client, email: str, password: str, ip: str | None) -> dict:
    email = email_key(email)  # one lockout counter per account, however the address is typed
    locked_for = lockout.seconds_locked(redis_client, email)
    if locked_for:
        raise _locked_error(locked_for)
    user = repository.get_user_by_email(conn, email)
    max_attempts = get_setting(conn, "max_login_attempts")
    if user is None:
        passwords.verify_password(_DUMMY_HASH, password)  # same cost whether or not the account exists
        raise _fail_login(redis_client, email, max_attempts, None, ip)
    if not passwords.verify_password(user["password_hash"], password):
        raise _fail_login(redis_client, email, max_attempts, user, ip)
    if not user["is_active"]:
        raise AccountDeactivated()
    lockout.clear_failures(redis_client, email)
    if passwords.needs_rehash(user["password_hash"]):
        repository.set_password_hash(conn, user_id=user["user_id"], password_hash=passwords.hash_password(password))
    profile = repository.record_login(conn, user_id=user["user_id"])
    record_event(conn, "user.login", Actor(user["user_id"], user["role"], ip), "user", user["user_id"])
    pair = tokens.start_session(conn, user)
    return {**pair, "user": profile}


_DUMMY_HASH = passwords.hash_password("timing-equaliser-not-a-password")

# --- registration and account tokens ---------------------------------------------------


def register(conn: psycopg.Connection, settings: Settings, new: NewUser, ip: str | None) -> dict:
    """Self-service sign-up (student or parent): the account, then a verification e-mail."""
    if new.role not in ("student", "parent"):
        raise ValidationFailed({"role": ["Only student or parent accounts can register."]})
    user = create_user(conn, new, Actor(role=new.role, ip_address=ip))
    send_verification_email(conn, settings, user)
    return user


def send_verification_email(conn: psycopg.Connection, settings: Settings, user: dict) -> None:
    token = account_tokens.issue_token(conn, user["user_id"], "verify_email")
    link = account_tokens.link_for(settings.app_base_url, "verify_email", token)
    queue_email(
        conn,
        settings,
        render_email("account.verify_email", user["email"], first_name=user["first_name"], link=link),
        "account.verify_email",
    )


def verify_email(conn: psycopg.Connection, token: str) -> None:
    user_id = account_tokens.consume_token(conn, token, "verify_email")
    if user_id is None:
        raise TokenInvalid("The verification link is invalid, used or expired.")
    repository.mark_email_verified(conn, user_id=user_id)
    record_event(conn, "user.email_verified", Actor(user_id=user_id), "user", user_id)


def request_password_reset(conn: psycopg.Connection, settings: Settings, email: str, ip: str | None) -> None:
    """Always answers the same way (no account enumeration); mails only real, active users."""
    user = repository.get_user_by_email(conn, email)
    if user is None or not user["is_active"]:
        return
    token = account_tokens.issue_token(conn, user["user_id"], "password_reset")
    link = account_tokens.link_for(settings.app_base_url, "password_reset", token)
    queue_email(
        conn,
        settings,
        render_email("account.password_reset", user["email"], first_name=user["first_name"], link=link, minutes=60),
        "account.password_reset",
    )
    record_event(
        conn, "user.password_reset_requested", Actor(user["user_id"], user["role"], ip), "user", user["user_id"]
    )


def confirm_password_reset(conn: psycopg.Connection, token: str, new_password: str, ip: str | None) -> None:
    problem = passwords.password_problem(new_password)
    if problem:
        raise ValidationFailed({"new_password": [problem]})
    user_id = account_tokens.consume_token(conn, token, "password_reset")
    if user_id is None:
        raise TokenInvalid("The reset link is invalid, used or expired.")
    repository.set_password_hash(conn, user_id=user_id, password_hash=passwords.hash_password(new_password))
    tokens.end_all_sessions(conn, user_id, "password_reset")
    record_event(conn, "user.password_reset", Actor(user_id=user_id, ip_address=ip), "user", user_id)


def get_user(conn: psycopg.Connection, user_id: UUID) -> dict | None:
    """The user's own view of the account (None when there is no such user)."""
    return repository.get_user_by_id(conn, user_id)


# --- profile -----------------------------------------------------------------------------


def update_profile(conn: psycopg.Connection, user_id: UUID, changes: dict) -> dict:
    def flag(name: str) -> bool:
        return name in changes

    for name in ("first_name", "last_name"):
        if flag(name) and not (changes[name] or "").strip():
            raise ValidationFailed({name: ["must not be empty"]})
    return repository.update_profile(
        conn,
        user_id=user_id,
        first_name=(changes.get("first_name") or "").strip(),
        first_name_set=flag("first_name"),
        last_name=(changes.get("last_name") or "").strip(),
        last_name_set=flag("last_name"),
        phone=changes.get("phone"),
        phone_set=flag("phone"),
        school_name=changes.get("school_name"),
        school_name_set=flag("school_name"),
        initials=changes.get("show_on_leaderboard_as_initials"),
        initials_set=flag("show_on_leaderboard_as_initials"),
        opt_out=Jsonb(changes.get("email_opt_out") or {}),
        opt_out_set=flag("email_opt_out"),
    )


# --- administration ------------------------------------------------------------------------


def search_users(
    conn: psycopg.Connection, *, q: str | None, role: str | None, is_active: bool | None, limit: int, offset: int
) -> dict:
    pattern = f"%{q.strip().lower()}%" if q and q.strip() else None
    filters = {"role": role, "is_active": is_active, "pattern": pattern}
    items = list(repository.search_users(conn, limit=limit, offset=offset, **filters))
    total = repository.count_users(conn, **filters)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def update_user_by_admin(conn: psycopg.Connection, user_id: UUID, changes: dict, actor: Actor) -> dict:
    """Activate/deactivate and change role; both cut off the user's live tokens at once."""
    user = repository.lock_user(conn, user_id=user_id)
    if user is None:
        raise NotFound("No such user.")
    if str(user_id) == str(actor.user_id) and (changes.get("is_active") is False or "role" in changes):
        raise Conflict("Admins cannot deactivate themselves or change their own role.")
    if "role" in changes and changes["role"] != user["role"]:
        _change_role(conn, user, changes["role"], changes.get("student_class"), actor)
    if "is_active" in changes and changes["is_active"] != user["is_active"]:
        repository.set_user_active(conn, user_id=user_id, is_active=changes["is_active"])
        if changes["is_active"]:
            record_event(conn, "user.activated", actor, "user", user_id)
        else:
            tokens.end_all_sessions(conn, user_id, "deactivated")
            record_event(conn, "user.deactivated", actor, "user", user_id)
    return repository.get_user_by_id(conn, user_id)


def _change_role(conn: psycopg.Connection, user: dict, role: str, student_class: str | None, actor: Actor) -> None:
    if role == "student" and student_class is None:
        raise ValidationFailed({"student_class": ["is required when the new role is student"]})
    try:
        with conn.transaction():
            repository.set_user_role(conn, user_id=user["user_id"], role=role, student_class=student_class)
    except psycopg.errors.CheckViolation:
        raise UserHasLinks() from None
    tokens.end_all_sessions(conn, user["user_id"], "role_changed")
    record_event(conn, "user.role_changed", actor, "user", user["user_id"], {"from": user["role"], "to": role})
