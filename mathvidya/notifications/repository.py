from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from mathvidya.queries import queries


def insert_notification(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("notifications").insert_notification(conn, **values)


def insert_notification_for_recipient(conn: psycopg.Connection, **values: Any) -> dict:
    return queries("notifications").insert_notification_for_recipient(conn, **values)


def insert_outbox_email(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("notifications").insert_outbox_email(conn, **values)


def claim_due_emails(conn: psycopg.Connection, **values: Any) -> Iterable[dict]:
    return list(queries("notifications").claim_due_emails(conn, **values))


def record_failed_attempt(conn: psycopg.Connection, **values: Any) -> int:
    return queries("notifications").record_failed_attempt(conn, **values)


def mark_sent(conn: psycopg.Connection, **values: Any) -> int:
    return queries("notifications").mark_sent(conn, **values)


def list_notifications(
    conn: psycopg.Connection, user_id: UUID, unread_only: bool, limit: int, offset: int
) -> list[dict]:
    return list(
        queries("notifications").list_notifications(
            conn, user_id=user_id, unread_only=unread_only, limit=limit, offset=offset
        )
    )


def count_notifications(conn: psycopg.Connection, user_id: UUID, unread_only: bool) -> dict:
    return queries("notifications").count_notifications(conn, user_id=user_id, unread_only=unread_only)


def mark_read(conn: psycopg.Connection, user_id: UUID, notification_id: UUID, read_at: datetime) -> dict | None:
    return queries("notifications").mark_read(conn, user_id=user_id, notification_id=notification_id, read_at=read_at)


def mark_all_read(conn: psycopg.Connection, user_id: UUID, read_at: datetime) -> int:
    return queries("notifications").mark_all_read(conn, user_id=user_id, read_at=read_at)
