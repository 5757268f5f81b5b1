from __future__ import annotations

from typing import Any

import psycopg

from mathvidya.queries import queries


def insert_audit_log(conn: psycopg.Connection, **values: Any) -> Any:
    return queries("audit").insert_audit_log(conn, **values)


def insert_audit_logs(conn: psycopg.Connection, **values: Any) -> int:
    return queries("audit").insert_audit_logs(conn, **values)
