"""Parent–student links: short-lived single-use codes, parent-registered children, admin
mappings. Every link is audited (parent.linked) and the student is told."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg

from mathvidya import business_time
from mathvidya.audit.service import Actor, record_event
from mathvidya.config import Settings
from mathvidya.errors import AlreadyLinked, NotFound, ParentLinkRequired, ValidationFailed
from mathvidya.identity import repository
from mathvidya.notifications.service import notify

LINK_CODE_LIFETIME = timedelta(hours=24)
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
LINK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 8


def _code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def issue_link_code(conn: psycopg.Connection, student_user_id: UUID, actor: Actor) -> dict[str, Any]:
    code = "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    expires_at = business_time.now() + LINK_CODE_LIFETIME
    repository.insert_link_code(
        conn,
        code_hash=_code_digest(code),
        student_user_id=student_user_id,
        created_by=actor.user_id,
        expires_at=expires_at,
    )
    record_event(
        conn, "parent.link_code_issued", actor, "user", student_user_id, {"expires_at": expires_at.isoformat()}
    )
    return {"code": code, "expires_at": expires_at}


def create_link(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    parent_user_id: UUID,
    student_user_id: UUID,
    relationship: str,
    is_primary: bool,
    actor: Actor,
    via: str,
) -> dict:
    """Insert the mapping (the database checks roles, self-links and duplicates), audit, notify."""
    try:
        with conn.transaction():
            mapping = repository.insert_mapping(
                conn,
                parent_user_id=parent_user_id,
                student_user_id=student_user_id,
                relationship=relationship,
                is_primary=is_primary,
            )
    except psycopg.errors.UniqueViolation:
        raise AlreadyLinked() from None
    except psycopg.errors.ForeignKeyViolation:
        raise NotFound("No such user.") from None
    except psycopg.errors.CheckViolation as exc:
        raise ValidationFailed(
            {"parent_user_id": ["must be a parent account, and student_user_id a student account"]},
            details={"constraint": exc.diag.constraint_name},
        ) from None
    record_event(
        conn,
        "parent.linked",
        actor,
        "parent_student_mapping",
        mapping["mapping_id"],
        {
            "parent_user_id": str(parent_user_id),
            "student_user_id": str(student_user_id),
            "relationship": relationship,
            "via": via,
        },
    )
    notify(
        conn,
        settings,
        user_id=student_user_id,
        event_type="parent.linked",
        title="A parent was linked",
        body="A parent account can now follow your progress.",
        resource_type="parent_student_mapping",
        resource_id=mapping["mapping_id"],
        email_context={
            "link": settings.app_base_url.rstrip("/") + "/profile/parents",
            "parent_name": _name_of(conn, parent_user_id),
        },
    )
    return mapping


def _name_of(conn: psycopg.Connection, user_id: UUID) -> str | None:
    user = repository.get_user_by_id(conn, user_id=user_id)
    return f"{user['first_name']} {user['last_name']}" if user else None


def redeem_link_code(
    conn: psycopg.Connection,
    settings: Settings,
    parent_user_id: UUID,
    code: str,
    relationship: str,
    is_primary: bool,
    actor: Actor,
) -> dict:
    student_user_id = repository.consume_link_code(conn, code_hash=_code_digest(code), parent_user_id=parent_user_id)
    if student_user_id is None:
        raise ValidationFailed({"link_code": ["is unknown, already used or expired"]})
    return create_link(
        conn,
        settings,
        parent_user_id=parent_user_id,
        student_user_id=student_user_id,
        relationship=relationship,
        is_primary=is_primary,
        actor=actor,
        via="link_code",
    )


def children(conn: psycopg.Connection, parent_user_id: UUID) -> list[dict]:
    return list(repository.children_of_parent(conn, parent_user_id=parent_user_id))


def remove_link(conn: psycopg.Connection, mapping_id: UUID, actor: Actor) -> None:
    removed = repository.delete_mapping(conn, mapping_id=mapping_id)
    if removed is None:
        raise NotFound("No such mapping.")
    record_event(
        conn,
        "parent.unlinked",
        actor,
        "parent_student_mapping",
        mapping_id,
        {"parent_user_id": str(removed["parent_user_id"]), "student_user_id": str(removed["student_user_id"])},
    )


def require_parent_link(conn: psycopg.Connection, student_user_id: UUID) -> None:
    """Students cannot start exams until a parent is linked."""
    if not repository.student_has_parent(conn, student_user_id=student_user_id):
        raise ParentLinkRequired()


def linked_parents(conn: psycopg.Connection, student_user_id: UUID) -> list[dict]:
    return list(repository.parents_of_student(conn, student_user_id=student_user_id))
