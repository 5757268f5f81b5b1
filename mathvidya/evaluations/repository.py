"""Evaluation persistence: thin functions over sql/queries/evaluations.sql."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries


def _q():
    return queries("evaluations")


def get_evaluation(conn: psycopg.Connection, evaluation_id: UUID) -> dict | None:
    return _q().get_evaluation(conn, evaluation_id=evaluation_id)


def lock_evaluation(conn: psycopg.Connection, evaluation_id: UUID) -> dict | None:
    return _q().lock_evaluation(conn, evaluation_id=evaluation_id)


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


def insert_marks(conn: psycopg.Connection, evaluation_id: UUID, marks: list) -> None:
    """The marks of an evaluation (marking.QuestionMark list) in one statement, so the work
    does not grow with the questions, alternatives or steps marked."""
    _q().insert_marks(
        conn,
        evaluation_id=evaluation_id,
        question_rows=Jsonb([_question_row(m) for m in marks]),
        alternative_rows=Jsonb([_alternative_row(m.question_number, alt) for m in marks for alt in m.alternatives]),
        step_rows=Jsonb(
            [
                _step_row(m.question_number, alt, step)
                for m in marks
                for alt in (m.alternatives or (m.counted,))
                for step in alt.steps
            ]
        ),
    )


def _question_row(mark) -> dict:
    return {
        "question_number": mark.question_number,
        "question_id": mark.counted.question_id,
        "marks_awarded": str(mark.marks_awarded),
        "marks_possible": str(mark.marks_possible),
        "teacher_comment": mark.counted.teacher_comment,
        "counted_choice": mark.counted_choice,
    }


def _alternative_row(question_number: int, alternative) -> dict:
    return {
        "question_number": question_number,
        "choice": alternative.choice,
        "question_id": alternative.question_id,
        "marks_awarded": str(alternative.marks_awarded),
        "marks_possible": str(alternative.marks_possible),
        "teacher_comment": alternative.teacher_comment,
    }


def _step_row(question_number: int, alternative, step) -> dict:
    return {
        "question_number": question_number,
        "choice": alternative.choice,
        "step_number": step.step_number,
        "question_id": alternative.question_id,
        "step": step.step,
        "marks_awarded": str(step.marks_awarded),
        "marks_possible": str(step.marks_possible),
    }


def complete_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().complete_evaluation(conn, **values)


def record_exam_evaluated(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().record_exam_evaluated(conn, **values)


def reassign_evaluation(conn: psycopg.Connection, **values: Any) -> dict | None:
    return _q().reassign_evaluation(conn, **values)


def active_teacher(conn: psycopg.Connection, user_id: UUID) -> bool:
    return bool(_q().active_teacher(conn, user_id=user_id))


def active_admin_ids(conn: psycopg.Connection) -> list[dict]:
    return list(queries("sla_jobs").active_admins(conn))


def flag_breaches(conn: psycopg.Connection, *, as_of: datetime, batch: int) -> list[dict]:
    return list(queries("sla_jobs").flag_breaches(conn, as_of=as_of, batch=batch))


def mark_warned(conn: psycopg.Connection, *, as_of: datetime, evaluation_ids: list) -> list[dict]:
    return list(queries("sla_jobs").mark_warned(conn, as_of=as_of, evaluation_ids=evaluation_ids))


def save_page_annotations(
    conn: psycopg.Connection,
    *,
    annotated_s3_key: Any,
    annotation_data: Any,
    evaluation_id: UUID | str,
    page_number: Any,
) -> dict | None:
    return queries("annotations").save_page_annotations(
        conn,
        annotated_s3_key=annotated_s3_key,
        annotation_data=annotation_data,
        evaluation_id=evaluation_id,
        page_number=page_number,
    )


def sla_compliance_groups(
    conn: psycopg.Connection, *, now: datetime, period_end: datetime, period_start: datetime
) -> list[dict]:
    return list(
        queries("evaluation_reports").sla_compliance_groups(
            conn, now=now, period_end=period_end, period_start=period_start
        )
    )


def teacher_completions_since(conn: psycopg.Connection, *, since: datetime, teacher_user_id: UUID | str) -> list[dict]:
    return list(
        queries("evaluation_reports").teacher_completions_since(conn, since=since, teacher_user_id=teacher_user_id)
    )


def teacher_workload(
    conn: psycopg.Connection, *, now: datetime, recent_since: datetime, teacher_user_id: UUID | str
) -> dict | None:
    return queries("evaluation_reports").teacher_workload(
        conn, now=now, recent_since=recent_since, teacher_user_id=teacher_user_id
    )


def uploaded_page(conn: psycopg.Connection, *, exam_instance_id: UUID | str, page_number: Any) -> dict | None:
    return queries("annotations").uploaded_page(conn, exam_instance_id=exam_instance_id, page_number=page_number)


def uploaded_page_numbers(conn: psycopg.Connection, *, exam_instance_id: UUID | str) -> list[dict]:
    return list(queries("annotations").uploaded_page_numbers(conn, exam_instance_id=exam_instance_id))


def warning_candidates(conn: psycopg.Connection, *, as_of: datetime, batch: int, horizon: datetime) -> list[dict]:
    return list(queries("sla_jobs").warning_candidates(conn, as_of=as_of, batch=batch, horizon=horizon))


def insert_reupload_request(conn: psycopg.Connection, **values: Any) -> int:
    return _q().insert_reupload_request(conn, **values)["request_number"]


def mark_reupload_requested(conn: psycopg.Connection, exam_instance_id: UUID) -> dict | None:
    return _q().mark_reupload_requested(conn, exam_instance_id=exam_instance_id)


def exam_page_numbers(conn: psycopg.Connection, exam_instance_id: UUID) -> list[int]:
    return [row["page_number"] for row in _q().exam_page_numbers(conn, exam_instance_id=exam_instance_id)]
