"""Exam persistence: thin functions over sql/queries/exams.sql."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries


def _q():
    return queries("exams")


def get_template_for_start(conn: psycopg.Connection, template_id: UUID) -> dict | None:
    return _q().get_template_for_start(conn, template_id=template_id)


def student_class(conn: psycopg.Connection, user_id: UUID) -> str | None:
    return _q().student_class(conn, user_id=user_id)


def sample_candidates(
    conn: psycopg.Connection, school_class: str, question_type: str, unit: str, limit: int, pivot: UUID | None = None
) -> list[UUID]:
    """Up to ``limit`` eligible ids taken from a random point of the key space onwards
    (wrapping round): cost follows the sample size, never the size of the bank."""
    pivot = pivot or uuid.uuid4()
    params = {
        "school_class": school_class,
        "question_type": question_type,
        "unit": unit,
        "pivot": pivot,
        "limit": limit,
    }
    ids = [row["question_id"] for row in _q().sample_candidates_from(conn, **params)]
    if len(ids) < limit:
        params["limit"] = limit - len(ids)
        ids += [row["question_id"] for row in _q().sample_candidates_before(conn, **params)]
    return ids


def recently_seen(conn: psycopg.Connection, student_user_id: UUID, exam_count: int) -> frozenset[str]:
    rows = _q().recently_seen_question_and_alternative_ids(conn, student_user_id=student_user_id, exam_count=exam_count)
    return frozenset(row["question_id"] for row in rows)


def question_contents(conn: psycopg.Connection, question_ids: list[UUID]) -> dict[str, dict]:
    return {str(row["question_id"]): row for row in _q().question_contents(conn, question_ids=question_ids)}


def insert_exam(conn: psycopg.Connection, **values: Any) -> UUID:
    return _q().insert_exam(conn, **values)["exam_instance_id"]


def get_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict | None:
    return _q().get_exam(conn, exam_instance_id=exam_instance_id)


def lock_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict | None:
    return _q().lock_exam(conn, exam_instance_id=exam_instance_id)


def saved_answers(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[int, dict]:
    return {row["question_number"]: row for row in _q().saved_answers(conn, exam_instance_id=exam_instance_id)}


def upsert_answer(conn: psycopg.Connection, **values: Any) -> None:
    _q().upsert_answer(conn, **values)


def record_mcq_result(conn: psycopg.Connection, **values: Any) -> None:
    _q().record_mcq_result(conn, **values)


def finish_mcq_part(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().finish_mcq_part(conn, **values)


def overdue_exams(conn: psycopg.Connection, as_of, batch: int) -> list[UUID]:
    return [row["exam_instance_id"] for row in _q().overdue_exams(conn, as_of=as_of, batch=batch)]


def list_exams(conn: psycopg.Connection, **filters: Any) -> list[dict]:
    return list(_q().list_exams(conn, **filters))


def count_exams(conn: psycopg.Connection, **filters: Any) -> int:
    return _q().count_exams(conn, **filters)


def exam_sla_hours(conn: psycopg.Connection, exam_instance_id: UUID) -> int | None:
    return _q().exam_sla_hours(conn, exam_instance_id=exam_instance_id)


def upload_pages(conn: psycopg.Connection, exam_instance_id: UUID) -> list[dict]:
    return list(_q().upload_pages(conn, exam_instance_id=exam_instance_id))


def insert_upload_page(conn: psycopg.Connection, **values: Any) -> None:
    _q().insert_upload_page(conn, **values)


def insert_unanswered(conn: psycopg.Connection, exam_instance_id: UUID, question_number: int) -> None:
    _q().insert_unanswered(conn, exam_instance_id=exam_instance_id, question_number=question_number)


def unanswered_numbers(conn: psycopg.Connection, exam_instance_id: UUID) -> list[int]:
    return [row["question_number"] for row in _q().unanswered_numbers(conn, exam_instance_id=exam_instance_id)]


def mark_uploaded(conn: psycopg.Connection, exam_instance_id: UUID) -> bool:
    return _q().mark_uploaded(conn, exam_instance_id=exam_instance_id) is not None


def mark_pending_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().mark_pending_evaluation(conn, **values)


def question_marks_for_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[int, dict]:
    rows = _q().question_marks_for_exam(conn, exam_instance_id=exam_instance_id)
    return {row["question_number"]: row for row in rows}


def annotated_pages(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[int, str]:
    rows = _q().annotated_pages(conn, exam_instance_id=exam_instance_id)
    return {row["page_number"]: row["annotated_s3_key"] for row in rows}


def record_attempted_choices(conn: psycopg.Connection, exam_instance_id: UUID, attempted: dict[str, str]) -> None:
    _q().record_attempted_choices(conn, exam_instance_id=exam_instance_id, attempted_choices=Jsonb(attempted))


def alternative_marks_for_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[tuple[int, str], dict]:
    """Each marked alternative of the exam's choice questions, by (question number, choice)."""
    rows = _q().question_alternative_marks_for_exam(conn, exam_instance_id=exam_instance_id)
    return {(row["question_number"], row["choice"]): row for row in rows}


def step_marks_for_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[tuple[int, str], list]:
    """Step marks by (question number, choice — '' for a question without choice), in step order."""
    marks: dict[tuple[int, str], list] = {}
    for row in _q().question_step_marks_for_exam(conn, exam_instance_id=exam_instance_id):
        marks.setdefault((row["question_number"], row["choice"]), []).append(row["marks_awarded"])
    return marks
