"""Administration: business settings, the holiday calendar and the audit trail.

A settings change is validated by its key's rule, audited (`config.updated`, old and new
value) in the same transaction, and announced after the commit by bumping the Redis
config version, so every web and worker process reloads on its next read.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import redis

from mathvidya import config_rules, db, settings_store
from mathvidya.admin import repository
from mathvidya.audit.service import Actor, record_event
from mathvidya.errors import Conflict, NotFound, ValidationFailed

# --- settings --------------------------------------------------------------------------------


def _entry(row: dict) -> dict[str, Any]:
    key = row["config_key"]
    return {
        "key": key,
        "value": row["config_value"],
        "type": row["value_type"],
        "description": row["description"],
        "rule": config_rules.RULE_TEXT.get(key, f"a {row['value_type']}"),
        "updated_at": row["updated_at"],
        "updated_by": row["updated_by"],
    }


def list_config(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every setting as stored (not the per-process cache)."""
    return [_entry(row) for row in repository.config_entries(conn)]


def get_config(conn: psycopg.Connection, key: str) -> dict[str, Any]:
    row = repository.config_entry(conn, key)
    if row is None:
        raise NotFound(f"No setting named {key!r}.")
    return _entry(row)


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality (Python's would call true equal to 1)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _refuse(key: str, problem: str) -> ValidationFailed:
    return ValidationFailed({"value": [problem]}, message=f"{key} {problem}.", details={"key": key})


def config_problem(key: str, value: Any, value_type: str) -> str | None:
    """The broken rule of ``value`` for ``key`` (its own rule, else its declared JSON type)."""
    if key in config_rules.RULES:
        return config_rules.validate_config_value(key, value)
    return config_rules.type_problem(value_type, value)


def update_config(
    conn: psycopg.Connection, redis_client: redis.Redis | None, key: str, value: Any, actor: Actor
) -> dict[str, Any]:
    """Replace one setting's value; unchanged values are answered without a write."""
    current = repository.lock_config_entry(conn, key)
    if current is None:
        raise NotFound(f"No setting named {key!r}.")
    problem = config_problem(key, value, current["value_type"])
    if problem:
        raise _refuse(key, problem)
    if _same_json(current["config_value"], value):
        return _entry(current)
    if key in config_rules.UNIT_LIST_CLASS:
        in_use = repository.units_in_use(conn, config_rules.UNIT_LIST_CLASS[key])
        left_out = config_rules.units_left_out(in_use, current["config_value"], value)
        if left_out:
            raise _refuse(
                key,
                "must keep every unit still named by a question or an active template: " + ", ".join(left_out),
            )
    try:
        with conn.transaction():
            updated = repository.update_config_value(conn, key, value, actor.user_id)
    except psycopg.errors.CheckViolation:
        raise _refuse(key, f"must be of type {current['value_type']}") from None
    record_event(
        conn,
        "config.updated",
        actor,
        "system_config",
        key,
        {"key": key, "old_value": current["config_value"], "new_value": value},
    )
    db.after_commit(conn, lambda: settings_store.announce_change(redis_client))
    return _entry(updated)


# --- holidays --------------------------------------------------------------------------------


def _year_range(year: int | None) -> tuple[date | None, date | None]:
    return (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)


def list_holidays(conn: psycopg.Connection, year: int | None, limit: int, offset: int) -> dict[str, Any]:
    start, end = _year_range(year)
    return {
        "items": repository.list_holidays(conn, start, end, limit, offset),
        "total": repository.count_holidays(conn, start, end),
        "limit": limit,
        "offset": offset,
    }


def _holiday_details(row: dict) -> dict[str, Any]:
    return {
        "holiday_date": row["holiday_date"].isoformat(),
        "holiday_name": row["holiday_name"],
        "is_working_day": row["is_working_day"],
        "description": row["description"],
    }


def add_holiday(
    conn: psycopg.Connection,
    holiday_date: date,
    name: str,
    is_working_day: bool,
    description: str | None,
    actor: Actor,
) -> dict:
    """Add a holiday (or a working-day override). Deadlines already fixed never move: the
    SLA clock reads the calendar only when it fixes a new deadline."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"holiday_name": ["must not be empty"]})
    if description is not None:
        description = description.strip() or None
    try:
        with conn.transaction():
            row = repository.insert_holiday(conn, holiday_date, name, is_working_day, description)
    except psycopg.errors.UniqueViolation:
        raise Conflict(f"{name} on {holiday_date.isoformat()} is already in the calendar.") from None
    record_event(conn, "holiday.created", actor, "holiday", row["holiday_id"], _holiday_details(row))
    return row


def delete_holiday(conn: psycopg.Connection, holiday_id: UUID, actor: Actor) -> None:
    row = repository.delete_holiday(conn, holiday_id)
    if row is None:
        raise NotFound("No such holiday.")
    record_event(conn, "holiday.deleted", actor, "holiday", holiday_id, _holiday_details(row))


# --- audit trail -----------------------------------------------------------------------------


def list_audit_logs(conn: psycopg.Connection, args: dict[str, Any]) -> dict[str, Any]:
    """Filtered, newest first, paged. ``event_type`` ending in ``.*`` matches a family
    (``holiday.*``)."""
    event_type = args.get("event_type")
    prefix = None
    if event_type and event_type.endswith(".*"):
        event_type, prefix = None, event_type[:-1]
    from_time, to_time = args.get("from_"), args.get("to")
    if from_time and to_time and from_time >= to_time:
        raise ValidationFailed({"to": ["must be after from"]})
    filters = repository.audit_filters(
        event_type=event_type,
        event_prefix=prefix,
        actor_user_id=args.get("actor_user_id"),
        resource_type=args.get("resource_type"),
        resource_id=args.get("resource_id"),
        from_time=from_time,
        to_time=to_time,
    )
    repository.plan_with_actual_values(conn)
    limit, offset = args["limit"], args["offset"]
    return {
        "items": repository.list_audit_logs(conn, filters, limit, offset),
        "total": repository.count_audit_logs(conn, filters),
        "limit": limit,
        "offset": offset,
    }
