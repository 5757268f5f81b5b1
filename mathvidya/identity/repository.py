from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from mathvidya.identity.email_identity import email_key
from mathvidya.queries import queries


def insert_user(conn: psycopg.Connection, **values: Any) -> dict:
    return queries("identity").insert_user(conn, email_key=email_key(values["email"]), **values)


def get_user_by_email(conn: psycopg.Connection, email: str) -> dict | None:
    """The account this address names, however it is cased or composed."""
    return queries("identity").get_user_by_email_key(conn, email_key=email_key(email))


def get_user_by_id(conn: psycopg.Connection, user_id) -> dict | None:
    return queries("identity").get_user_by_id(conn, user_id=user_id)


def bump_token_version(conn: psycopg.Connection, *, user_id: UUID | str) -> int:
    return queries("identity").bump_token_version(conn, user_id=user_id)


def children_of_parent(conn: psycopg.Connection, *, parent_user_id: UUID | str) -> list[dict]:
    return list(queries("parents").children_of_parent(conn, parent_user_id=parent_user_id))


def consume_account_token(conn: psycopg.Connection, *, purpose: str, token_hash: str) -> Any:
    return queries("identity").consume_account_token(conn, purpose=purpose, token_hash=token_hash)


def consume_link_code(conn: psycopg.Connection, *, code_hash: str, parent_user_id: UUID | str) -> Any:
    return queries("parents").consume_link_code(conn, code_hash=code_hash, parent_user_id=parent_user_id)


def count_users(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("identity").count_users(conn, **values)


def delete_mapping(conn: psycopg.Connection, *, mapping_id: UUID | str) -> dict | None:
    return queries("parents").delete_mapping(conn, mapping_id=mapping_id)


def insert_account_token(
    conn: psycopg.Connection, *, expires_at: datetime, purpose: str, token_hash: str, user_id: UUID | str
) -> int:
    return queries("identity").insert_account_token(
        conn, expires_at=expires_at, purpose=purpose, token_hash=token_hash, user_id=user_id
    )


def insert_link_code(
    conn: psycopg.Connection, *, code_hash: str, created_by: Any, expires_at: datetime, student_user_id: UUID | str
) -> int:
    return queries("parents").insert_link_code(
        conn, code_hash=code_hash, created_by=created_by, expires_at=expires_at, student_user_id=student_user_id
    )


def insert_mapping(
    conn: psycopg.Connection,
    *,
    is_primary: bool,
    parent_user_id: UUID | str,
    relationship: str,
    student_user_id: UUID | str,
) -> dict | None:
    return queries("parents").insert_mapping(
        conn,
        is_primary=is_primary,
        parent_user_id=parent_user_id,
        relationship=relationship,
        student_user_id=student_user_id,
    )


def insert_refresh_token(
    conn: psycopg.Connection, *, expires_at: datetime, family_id: UUID | str, token_id: UUID | str, user_id: UUID | str
) -> int:
    return queries("identity").insert_refresh_token(
        conn, expires_at=expires_at, family_id=family_id, token_id=token_id, user_id=user_id
    )


def insert_token_family(conn: psycopg.Connection, *, user_id: UUID | str) -> Any:
    return queries("identity").insert_token_family(conn, user_id=user_id)


def lock_refresh_token(conn: psycopg.Connection, *, token_id: UUID | str) -> dict | None:
    return queries("identity").lock_refresh_token(conn, token_id=token_id)


def lock_user(conn: psycopg.Connection, *, user_id: UUID | str) -> dict | None:
    return queries("identity").lock_user(conn, user_id=user_id)


def mark_email_verified(conn: psycopg.Connection, *, user_id: UUID | str) -> int:
    return queries("identity").mark_email_verified(conn, user_id=user_id)


def mark_refresh_token_used(conn: psycopg.Connection, *, token_id: UUID | str) -> int:
    return queries("identity").mark_refresh_token_used(conn, token_id=token_id)


def parents_of_student(conn: psycopg.Connection, *, student_user_id: UUID | str) -> list[dict]:
    return list(queries("parents").parents_of_student(conn, student_user_id=student_user_id))


def record_login(conn: psycopg.Connection, *, user_id: UUID | str) -> dict:
    return queries("identity").record_login(conn, user_id=user_id)


def revoke_family(conn: psycopg.Connection, *, family_id: UUID | str, reason: str) -> int:
    return queries("identity").revoke_family(conn, family_id=family_id, reason=reason)


def revoke_user_families(conn: psycopg.Connection, *, reason: str, user_id: UUID | str) -> int:
    return queries("identity").revoke_user_families(conn, reason=reason, user_id=user_id)


def search_users(conn: psycopg.Connection, **values: Any) -> list[dict]:
    return list(queries("identity").search_users(conn, **values))


def set_password_hash(conn: psycopg.Connection, *, password_hash: str, user_id: UUID | str) -> int:
    return queries("identity").set_password_hash(conn, password_hash=password_hash, user_id=user_id)


def set_user_active(conn: psycopg.Connection, *, is_active: bool, user_id: UUID | str) -> int:
    return queries("identity").set_user_active(conn, is_active=is_active, user_id=user_id)


def set_user_role(conn: psycopg.Connection, *, role: str, student_class: str, user_id: UUID | str) -> int:
    return queries("identity").set_user_role(conn, role=role, student_class=student_class, user_id=user_id)


def student_has_parent(conn: psycopg.Connection, *, student_user_id: UUID | str) -> Any:
    return queries("parents").student_has_parent(conn, student_user_id=student_user_id)


def update_profile(conn: psycopg.Connection, **values: Any) -> dict | None:
    return queries("identity").update_profile(conn, **values)
