"""Typed access to the admin's named queries (sql/queries/admin.sql, settings.sql, holidays.sql)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries

# --- system_config -------------------------------------------------------------------------


def config_entries(conn: psycopg.Connection) -> list[dict]:
    return list(queries("settings").config_entries(conn))


def config_entry(conn: psycopg.Connection, key: str) -> dict | None:
    return queries("settings").config_entry(conn, config_key=key)


def lock_config_entry(conn: psycopg.Connection, key: str) -> dict | None:
    return queries("settings").lock_config_entry(conn, config_key=key)


def update_config_value(conn: psycopg.Connection, key: str, value: Any, updated_by: UUID | None) -> dict:
    return queries("settings").update_config_value(
        conn, config_key=key, config_value=Jsonb(value), updated_by=updated_by
    )


def units_in_use(conn: psycopg.Connection, klass: str) -> list[str]:
    return [row["unit"] for row in queries("admin").units_in_use(conn, student_class=klass)]


# --- holidays -------------------------------------------------------------------------------


def list_holidays(
    conn: psycopg.Connection, start: date | None, end: date | None, limit: int, offset: int
) -> list[dict]:
    return list(queries("holidays").list_holidays(conn, start_date=start, end_date=end, limit=limit, offset=offset))


def count_holidays(conn: psycopg.Connection, start: date | None, end: date | None) -> int:
    return queries("holidays").count_holidays(conn, start_date=start, end_date=end)


def insert_holiday(
    conn: psycopg.Connection, holiday_date: date, name: str, is_working_day: bool, description: str | None
) -> dict:
    return queries("holidays").insert_holiday(
        conn,
        holiday_date=holiday_date,
        holiday_name=name,
        is_working_day=is_working_day,
        description=description,
    )


def delete_holiday(conn: psycopg.Connection, holiday_id: UUID) -> dict | None:
    return queries("holidays").delete_holiday(conn, holiday_id=holiday_id)


# --- audit trail ------------------------------------------------------------------------------


def plan_with_actual_values(conn: psycopg.Connection) -> None:
    queries("admin").plan_with_actual_values(conn)


def list_audit_logs(conn: psycopg.Connection, filters: dict[str, Any], limit: int, offset: int) -> list[dict]:
    return list(queries("admin").list_audit_logs(conn, limit=limit, offset=offset, **filters))


def count_audit_logs(conn: psycopg.Connection, filters: dict[str, Any]) -> int:
    return queries("admin").count_audit_logs(conn, **filters)


def audit_filters(
    *,
    event_type: str | None = None,
    event_prefix: str | None = None,
    actor_user_id: UUID | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    from_time: datetime | None = None,
    to_time: datetime | None = None,
) -> dict[str, Any]:
    """Every filter parameter the audit queries take, None meaning "any"."""
    return {
        "event_type": event_type,
        "event_prefix": event_prefix,
        "actor_user_id": actor_user_id,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "from_time": from_time,
        "to_time": to_time,
    }
