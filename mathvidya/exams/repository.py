"""Exam persistence: thin functions over sql/queries/exams.sql."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
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


def _sampling_params(limits: dict[tuple[str, str], int]) -> dict[str, list]:
    """Per (type, unit): its limit and a random pivot in the key space."""
    pairs = list(limits)
    return {
        "question_types": [qtype for qtype, _ in pairs],
        "units": [unit for _, unit in pairs],
        "limits": [limits[pair] for pair in pairs],
        "pivots": [uuid.uuid4() for _ in pairs],
    }


def sample_candidates(
    conn: psycopg.Connection, school_class: str, limits: dict[tuple[str, str], int]
) -> dict[tuple[str, str], list[UUID]]:
    """For every (type, unit), up to its limit of eligible ids taken from a random point of
    the key space onwards (wrapping round), all in one statement: cost follows the sample
    sizes, never the size of the bank."""
    rows = _q().sample_candidates(conn, school_class=school_class, **_sampling_params(limits))
    sampled: dict[tuple[str, str], list[UUID]] = {pair: [] for pair in limits}
    for row in rows:
        sampled[(row["question_type"], row["unit"])].append(row["question_id"])
    return sampled


def sample_adaptive_candidates(
    conn: psycopg.Connection, school_class: str, limits: dict[tuple[str, str], int]
) -> list[dict]:
    """The same sample as ``sample_candidates``, one row per question with its type, unit,
    declared difficulty and measured facility (None when unmeasured)."""
    return list(_q().sample_adaptive_candidates(conn, school_class=school_class, **_sampling_params(limits)))


def adaptive_evidence(
    conn: psycopg.Connection, student_user_id: UUID, school_class: str, board_template_id: str
) -> list[dict]:
    """Rows of the student's marks per unit with the class average, each carrying the board
    template's config (one row with unit None when the student has no marks)."""
    return list(
        _q().adaptive_evidence(
            conn, student_user_id=student_user_id, school_class=school_class, board_template_id=board_template_id
        )
    )


def recently_seen(conn: psycopg.Connection, student_user_id: UUID, exam_count: int) -> frozenset[str]:
    rows = _q().recently_seen_question_and_alternative_ids(conn, student_user_id=student_user_id, exam_count=exam_count)
    return frozenset(row["question_id"] for row in rows)


def question_contents(conn: psycopg.Connection, question_ids: list[UUID]) -> dict[str, dict]:
    return {str(row["question_id"]): row for row in _q().question_contents(conn, question_ids=question_ids)}


def insert_exam(conn: psycopg.Connection, **values: Any) -> dict:
    """The new exam row (every column), so the caller can answer without reading it back."""
    return _q().insert_exam(conn, **values)


def get_exam(conn: psycopg.Connection, exam_instance_id: UUID, as_of: datetime | None = None) -> dict | None:
    """With ``as_of``, the row also carries ``turnaround_holidays`` (the holiday rows its
    turnaround figures need, or None before submission)."""
    return _q().get_exam(conn, exam_instance_id=exam_instance_id, as_of=as_of)


def lock_exam(conn: psycopg.Connection, exam_instance_id: UUID) -> dict | None:
    return _q().lock_exam(conn, exam_instance_id=exam_instance_id)


def saved_answers(conn: psycopg.Connection, exam_instance_id: UUID) -> dict[int, dict]:
    return {row["question_number"]: row for row in _q().saved_answers(conn, exam_instance_id=exam_instance_id)}


def upsert_answers(conn: psycopg.Connection, exam_instance_id: UUID, answers: list[dict]) -> None:
    """answers: {question_number, question_id, selected_choices}, each question once."""
    if answers:
        _q().upsert_answers(conn, exam_instance_id=exam_instance_id, answers=Jsonb(answers, dumps=_dumps))


def record_mcq_results(conn: psycopg.Connection, exam_instance_id: UUID, results: list[dict]) -> None:
    """results: {question_number, question_id, selected_choices, is_correct, marks_awarded}."""
    if results:
        _q().record_mcq_results(conn, exam_instance_id=exam_instance_id, results=Jsonb(results, dumps=_dumps))


def _dumps(value: Any) -> str:
    """JSON for a row set: ids and exact decimals as text (the SQL casts them back)."""
    return json.dumps(value, default=str)


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


def insert_upload_pages(conn: psycopg.Connection, exam_instance_id: UUID, pages: list[dict]) -> None:
    """pages: {page_number, s3_key, content_type, size_bytes, question_numbers}."""
    if pages:
        _q().insert_upload_pages(conn, exam_instance_id=exam_instance_id, pages=Jsonb(pages, dumps=_dumps))


def insert_unanswered(conn: psycopg.Connection, exam_instance_id: UUID, question_numbers: list[int]) -> None:
    if question_numbers:
        _q().insert_unanswered(conn, exam_instance_id=exam_instance_id, question_numbers=question_numbers)


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


def replace_upload_pages(conn: psycopg.Connection, exam_instance_id: UUID, pages: list[dict]) -> None:
    """Re-upload: the confirmed pages replace those of the same numbers."""
    if pages:
        _q().replace_upload_pages(conn, exam_instance_id=exam_instance_id, pages=Jsonb(pages, dumps=_dumps))


def mark_reupload_confirmed(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().mark_reupload_confirmed(conn, **values)


def open_reupload_pages(conn: psycopg.Connection, exam_instance_id: UUID) -> list[int]:
    return list(_q().open_reupload_pages(conn, exam_instance_id=exam_instance_id) or [])
