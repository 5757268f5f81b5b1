"""Typed access to sql/queries/templates.sql."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries


def _q():
    return queries("templates")


def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    """SQL parameters of a template dict (`class` is a Python keyword: the parameter is class_)."""
    out = {("class_" if key == "class" else key): value for key, value in values.items()}
    out["config"] = Jsonb(values["config"])
    return out


def insert_template(conn: psycopg.Connection, values: dict[str, Any]) -> dict:
    return _q().insert_template(conn, **_row_values(values))


def get_template(conn: psycopg.Connection, template_id: UUID) -> dict | None:
    return _q().get_template(conn, template_id=template_id)


def lock_template(conn: psycopg.Connection, template_id: UUID) -> dict | None:
    return _q().lock_template(conn, template_id=template_id)


def update_template(conn: psycopg.Connection, template_id: UUID, values: dict[str, Any]) -> dict:
    return _q().update_template(conn, template_id=template_id, **_row_values(values))


def list_templates(
    conn: psycopg.Connection, klass: str | None, exam_type: str | None, is_active: bool | None, limit: int, offset: int
) -> tuple[list[dict], int]:
    filters = {"class_": klass, "exam_type": exam_type, "is_active": is_active}
    total = _q().count_templates(conn, **filters)
    return list(_q().list_templates(conn, **filters, limit=limit, offset=offset)), total


def list_active_templates(
    conn: psycopg.Connection,
    klass: str | None,
    exam_type: str | None,
    student_user_id: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[dict], int]:
    """Active templates; with a student, only their class's, each carrying `plan_refusal`
    (None when the student's plan allows it)."""
    filters = {"class_": klass, "exam_type": exam_type, "student_user_id": student_user_id}
    total = _q().count_active_templates(conn, **filters)
    rows = _q().list_active_templates(conn, **filters, limit=limit, offset=offset)
    return list(rows), total
