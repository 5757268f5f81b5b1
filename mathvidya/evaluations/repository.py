"""Evaluation persistence: thin functions over sql/queries/evaluations.sql."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries


def _q():
    return queries("evaluations")


def serialise_assignment(conn: psycopg.Connection) -> None:
    _q().serialise_assignment(conn)


def lock_unassigned_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict | None:
    return _q().lock_unassigned_exam(conn, exam_instance_id=exam_instance_id)


def unassigned_exams(conn: psycopg.Connection, batch: int) -> list[UUID]:
    return [row["exam_instance_id"] for row in _q().unassigned_exams(conn, batch=batch)]


def least_busy_teacher(conn: psycopg.Connection) -> UUID | None:
    return _q().least_busy_teacher(conn)


def insert_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().insert_evaluation(conn, **values)


def mark_assignment_alerted(conn: psycopg.Connection, exam_instance_id: UUID, alerted_at) -> bool:
    return _q().mark_assignment_alerted(conn, exam_instance_id=exam_instance_id, alerted_at=alerted_at) is not None


def active_admins(conn: psycopg.Connection) -> list[dict]:
    return list(_q().active_admins(conn))


def _one_teachers_open_work(filters: dict[str, Any]) -> bool:
    """A teacher's queue of not-completed evaluations: served by evaluations_teacher_open_idx."""
    return filters.get("teacher_user_id") is not None and "completed" not in filters["statuses"]


def queue(conn: psycopg.Connection, **filters: Any) -> list[dict]:
    if _one_teachers_open_work(filters):
        return list(_q().teacher_open_queue(conn, **filters))
    return list(_q().queue(conn, **filters))


def count_queue(conn: psycopg.Connection, **filters: Any) -> int:
    if _one_teachers_open_work(filters):
        return _q().count_teacher_open_queue(conn, **filters)
    return _q().count_queue(conn, **filters)


def exam_pages(conn: psycopg.Connection, evaluation_id: UUID, exam_instance_id: UUID) -> list[dict]:
    return list(_q().exam_pages(conn, evaluation_id=evaluation_id, exam_instance_id=exam_instance_id))


def unanswered_numbers(conn: psycopg.Connection, exam_instance_id: UUID) -> list[int]:
    return [r["question_number"] for r in _q().unanswered_numbers(conn, exam_instance_id=exam_instance_id)]


def start_evaluation(conn: psycopg.Connection, evaluation_id: UUID, started_at) -> dict | None:
    return _q().start_evaluation(conn, evaluation_id=evaluation_id, started_at=started_at)


def insert_question_marks(conn: psycopg.Connection, evaluation_id: UUID, marks: list[dict]) -> None:
    """marks: {question_number, question_id, marks_awarded, marks_possible, teacher_comment}."""
    if marks:
        payload = Jsonb(marks, dumps=lambda value: json.dumps(value, default=str))
        _q().insert_question_marks(conn, evaluation_id=evaluation_id, marks=payload)


def complete_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().complete_evaluation(conn, **values)


def record_exam_evaluated(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().record_exam_evaluated(conn, **values)


def reassign_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().reassign_evaluation(conn, **values)


def active_teacher(conn: psycopg.Connection, user_id: UUID) -> bool:
    return bool(_q().active_teacher(conn, user_id=user_id))
