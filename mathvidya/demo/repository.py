"""The demo's own writes: moving database-clock timestamps into the demo's past."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import psycopg

from mathvidya.queries import queries


def backdate_created_at(conn: psycopg.Connection, exam_id: UUID) -> None:
    """An exam started "in the past" shows that instant as its creation time too."""
    queries("demo").backdate_created_at(conn, exam_instance_id=exam_id)


def backdate_evaluated_at(conn: psycopg.Connection, exam_id: UUID, evaluated_at: datetime) -> None:
    """The trigger stamps evaluated_at with the database clock; the demo's past is past."""
    queries("demo").backdate_evaluated_at(conn, exam_instance_id=exam_id, evaluated_at=evaluated_at)
