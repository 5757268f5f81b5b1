from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg

from mathvidya.queries import queries


def insert_notification(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("notifications").insert_notification(conn, **values)


def insert_outbox_email(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("notifications").insert_outbox_email(conn, **values)


def claim_due_emails(conn: psycopg.Connection, **values: Any) -> Iterable[dict]:
    return list(queries("notifications").claim_due_emails(conn, **values))


def record_failed_attempt(conn: psycopg.Connection, **values: Any) -> int:
    return queries("notifications").record_failed_attempt(conn, **values)


def mark_sent(conn: psycopg.Connection, **values: Any) -> int:
    return queries("notifications").mark_sent(conn, **values)
