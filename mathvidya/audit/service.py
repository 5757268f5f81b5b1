"""The audit writer: one function, called inside the transaction of the change it records,
so an audited change and its audit row commit or vanish together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya import db
from mathvidya.audit import repository


@dataclass(frozen=True)
class Actor:
    """Who did it: a user (id and role) or the system (both None), and from where."""

    user_id: UUID | str | None = None
    role: str | None = None
    ip_address: str | None = None


SYSTEM = Actor()


def record_event(
    conn: psycopg.Connection,
    event_type: str,
    actor: Actor = SYSTEM,
    resource_type: str | None = None,
    resource_id: UUID | str | None = None,
    details: dict[str, Any] | None = None,
) -> int | str:
    return repository.insert_audit_log(
        conn,
        event_type=event_type,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        ip_address=actor.ip_address,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        details=Jsonb(details or {}),
    )


@dataclass(frozen=True)
class AuditEvent:
    """One row of ``record_events``: what happened to which resource."""

    event_type: str
    resource_type: str | None = None
    resource_id: UUID | str | None = None
    details: dict[str, Any] | None = None


def record_events(conn: psycopg.Connection, actor: Actor, events: list[AuditEvent]) -> None:
    """Several events of one actor in one statement (same transaction rule as record_event)."""
    rows = [
        {
            "event_type": e.event_type,
            "resource_type": e.resource_type,
            "resource_id": str(e.resource_id) if e.resource_id is not None else None,
            "details": e.details or {},
        }
        for e in events
    ]
    repository.insert_audit_logs(
        conn,
        actor_user_id=actor.user_id,
        actor_role=actor.role,
        ip_address=actor.ip_address,
        events=Jsonb(rows),
    )


def record_event_now(
    event_type: str,
    actor: Actor = SYSTEM,
    resource_type: str | None = None,
    resource_id: UUID | str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit something whose request will fail (e.g. a refused login): its own transaction."""
    with db.pool().connection() as conn:
        record_event(conn, event_type, actor, resource_type, resource_id, details)
