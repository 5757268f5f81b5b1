"""Typed access to sql/queries/questions.sql."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import planned_with_each_call, queries


def _q():
    return queries("questions")


def _row_values(values: dict[str, Any]) -> dict[str, Any]:
    """SQL parameters of a question dict (`class` is a Python keyword: the parameter is class_)."""
    out = {("class_" if key == "class" else key): value for key, value in values.items()}
    if out.get("mcq_choices") is not None:
        out["mcq_choices"] = Jsonb(out["mcq_choices"])
    out["marking_scheme"] = Jsonb(out["marking_scheme"]) if out.get("marking_scheme") is not None else None
    return out


def insert_question(conn: psycopg.Connection, values: dict[str, Any]) -> dict:
    return _q().insert_question(conn, **_row_values(values))


def get_question(conn: psycopg.Connection, question_id: UUID) -> dict | None:
    return _q().get_question(conn, question_id=question_id)


def lock_question(conn: psycopg.Connection, question_id: UUID) -> dict | None:
    return _q().lock_question(conn, question_id=question_id)


def insert_question_version(
    conn: psycopg.Connection, question_id: UUID, version: int, content: dict, edited_by: UUID | None
) -> None:
    _q().insert_question_version(
        conn, question_id=question_id, version=version, content=Jsonb(content), edited_by=edited_by
    )


def update_question_content(conn: psycopg.Connection, question_id: UUID, version: int, values: dict) -> dict | None:
    return _q().update_question_content(conn, question_id=question_id, version=version, **_row_values(values))


def set_question_status(conn: psycopg.Connection, question_id: UUID, status: str, approved_by: UUID | None) -> dict:
    return _q().set_question_status(conn, question_id=question_id, status=status, approved_by=approved_by)


def list_question_versions(conn: psycopg.Connection, question_id: UUID) -> list[dict]:
    return list(_q().list_question_versions(conn, question_id=question_id))


def search_questions(conn: psycopg.Connection, filters: dict[str, Any], limit: int, offset: int) -> tuple[list, int]:
    """One page of matches and the total; filters: class, unit, question_type, difficulty,
    status, tag, q, viewer_id (None = everything). A short page needs no count: it is the
    last one. An empty page is counted (it may lie past the end of a longer list)."""
    params = {("class_" if key == "class" else key): value for key, value in filters.items()}
    with planned_with_each_call(conn):
        items = list(_q().search_questions(conn, **params, limit=limit, offset=offset))
        if items and len(items) < limit:  # the last page: the total follows, nothing to count
            return items, offset + len(items)
        return items, _q().count_questions(conn, **params)


def eligible_question_ids(
    conn: psycopg.Connection, klass: str, question_type: str, unit: str, limit: int = 1000
) -> list[UUID]:
    rows = _q().eligible_question_ids(conn, class_=klass, question_type=question_type, unit=unit, limit=limit)
    return [row["question_id"] for row in rows]


def lock_question_import(conn: psycopg.Connection) -> None:
    _q().lock_question_import(conn)


def find_duplicate_rows(conn: psycopg.Connection, rows: list[dict]) -> list[int]:
    return list(_q().find_duplicate_rows(conn, rows=Jsonb(rows)) or [])


def insert_questions_skipping_duplicates(
    conn: psycopg.Connection, rows: list[dict], status: str, created_by: UUID | None, approved_by: UUID | None
) -> dict:
    return _q().insert_questions_skipping_duplicates(
        conn, rows=Jsonb(rows), status=status, created_by=created_by, approved_by=approved_by
    )


def export_questions_page(
    conn: psycopg.Connection, filters: dict[str, Any], after: dict[str, Any] | None, limit: int
) -> list[dict]:
    """Up to ``limit`` questions after ``after`` (the previous page's last row) in class,
    unit, id order; filters: class, unit, status, viewer_id (None = everything)."""
    params = {("class_" if key == "class" else key): value for key, value in filters.items()}
    after = after or {}
    return list(
        _q().export_questions_page(
            conn,
            **params,
            after_class=after.get("class"),
            after_unit=after.get("unit"),
            after_id=after.get("question_id"),
            limit=limit,
        )
    )
