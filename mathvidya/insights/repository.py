"""Thin typed calls into sql/queries/insights.sql."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from mathvidya.queries import queries


def _q():
    return queries("insights")


# --- leaderboard ---------------------------------------------------------------------------------


def lock_class_refresh(conn: psycopg.Connection, school_class: str) -> None:
    _q().lock_class_refresh(conn, school_class=school_class)


def leaderboard_plan_types(conn: psycopg.Connection) -> list[str]:
    return [row["plan_type"] for row in _q().leaderboard_plan_types(conn)]


def leaderboard_standings(
    conn: psycopg.Connection, school_class: str, as_of: datetime, business_date: date, plan_types: list[str]
) -> list[dict]:
    return list(
        _q().leaderboard_standings(
            conn, school_class=school_class, as_of=as_of, business_date=business_date, plan_types=plan_types
        )
    )


def insert_leaderboard_refresh(conn: psycopg.Connection, *, inputs: dict[str, Any], **values: Any) -> dict:
    return _q().insert_leaderboard_refresh(conn, inputs=Jsonb(inputs), **values)


def insert_leaderboard_entries(
    conn: psycopg.Connection,
    refresh_id: UUID,
    *,
    positions: list[int],
    ranks: list[int],
    student_user_ids: list[UUID],
    averages: list[Decimal],
    totals: list[int],
) -> int:
    if not positions:
        return 0
    return _q().insert_leaderboard_entries(
        conn,
        refresh_id=refresh_id,
        positions=positions,
        ranks=ranks,
        student_user_ids=student_user_ids,
        averages=averages,
        totals=totals,
    )


def latest_leaderboard_refresh(conn: psycopg.Connection, school_class: str) -> dict | None:
    return _q().latest_leaderboard_refresh(conn, school_class=school_class)


def get_leaderboard_refresh(conn: psycopg.Connection, refresh_id: UUID) -> dict | None:
    return _q().get_leaderboard_refresh(conn, refresh_id=refresh_id)


def leaderboard_top(conn: psycopg.Connection, refresh_id: UUID, top_n: int) -> list[dict]:
    return list(_q().leaderboard_top(conn, refresh_id=refresh_id, top_n=top_n))


def leaderboard_entry(conn: psycopg.Connection, refresh_id: UUID, student_user_id: UUID) -> dict | None:
    return _q().leaderboard_entry(conn, refresh_id=refresh_id, student_user_id=student_user_id)


def leaderboard_entries(conn: psycopg.Connection, refresh_id: UUID) -> list[dict]:
    return list(_q().leaderboard_entries(conn, refresh_id=refresh_id))


REFRESH_COLUMNS = (
    "refresh_id",
    "class",
    "computed_at",
    "as_of",
    "reason",
    "rule_version",
    "eligible_count",
    "exams_counted",
    "inputs",
    "ranking_digest",
    "duration_ms",
    "entries_pruned",
)
ENTRY_COLUMNS = ("position", "rank", "student_user_id", "avg_percentage", "total_exams")


def class_standing(conn: psycopg.Connection, school_class: str, student_user_id: UUID) -> dict[str, Any]:
    """{refresh, entry, has_evaluated_exam} in one statement: the class's latest refresh (or
    None), the student's entry in it (or None), whether they have an evaluated exam."""
    row = _q().class_standing(conn, school_class=school_class, student_user_id=student_user_id)
    refresh = {k: row[k] for k in REFRESH_COLUMNS} if row["refresh_id"] is not None else None
    entry = {k: row[f"entry_{k}"] for k in ENTRY_COLUMNS} if row["entry_student_user_id"] is not None else None
    return {"refresh": refresh, "entry": entry, "has_evaluated_exam": row["has_evaluated_exam"]}


def evaluated_exam_count(conn: psycopg.Connection, student_user_id: UUID, school_class: str) -> int:
    return _q().evaluated_exam_count(conn, student_user_id=student_user_id, school_class=school_class)


def prune_leaderboard_entries(conn: psycopg.Connection, before: datetime) -> int:
    return _q().prune_leaderboard_entries(conn, before=before)


def delete_old_leaderboard_refreshes(conn: psycopg.Connection, before: datetime) -> int:
    return _q().delete_old_leaderboard_refreshes(conn, before=before)


# --- student dashboard ------------------------------------------------------------------------------


def dashboard_student(conn: psycopg.Connection, student_user_id: UUID) -> dict | None:
    return _q().dashboard_student(conn, student_user_id=student_user_id)


def recent_exams(conn: psycopg.Connection, student_user_id: UUID, limit: int) -> list[dict]:
    return list(_q().recent_exams(conn, student_user_id=student_user_id, limit=limit))


def exam_type_summary(conn: psycopg.Connection, student_user_id: UUID) -> list[dict]:
    return list(_q().exam_type_summary(conn, student_user_id=student_user_id))


def percentage_trend(conn: psycopg.Connection, student_user_id: UUID, limit: int) -> list[dict]:
    return list(_q().percentage_trend(conn, student_user_id=student_user_id, limit=limit))


def unit_performance(conn: psycopg.Connection, student_user_id: UUID) -> list[dict]:
    return list(_q().unit_performance(conn, student_user_id=student_user_id))


def prediction_evidence(conn: psycopg.Connection, student_user_id: UUID, limit: int) -> list[dict]:
    return list(_q().prediction_evidence(conn, student_user_id=student_user_id, limit=limit))


def board_template_config(conn: psycopg.Connection, template_id: UUID | str) -> dict | None:
    return _q().board_template_config(conn, template_id=template_id)


# --- admin dashboard -------------------------------------------------------------------------------


def admin_student_counts(conn: psycopg.Connection, today: date, period_start: datetime, period_end: datetime) -> dict:
    return _q().admin_student_counts(conn, today=today, period_start=period_start, period_end=period_end)


def admin_exam_activity(conn: psycopg.Connection, period_start: datetime, period_end: datetime) -> list[dict]:
    return list(_q().admin_exam_activity(conn, period_start=period_start, period_end=period_end))


def admin_open_evaluations(conn: psycopg.Connection, now: datetime) -> list[dict]:
    return list(_q().admin_open_evaluations(conn, now=now))


def admin_completed_evaluations(conn: psycopg.Connection, period_start: datetime, period_end: datetime) -> list[dict]:
    return list(_q().admin_completed_evaluations(conn, period_start=period_start, period_end=period_end))


def admin_subscriptions_by_plan(
    conn: psycopg.Connection, today: date, period_start: datetime, period_end: datetime
) -> list[dict]:
    return list(_q().admin_subscriptions_by_plan(conn, today=today, period_start=period_start, period_end=period_end))


# --- item analysis (sql/queries/item_analysis.sql) ---------------------------------------------------
def _items():
    return queries("item_analysis")


def lock_item_analysis(conn: psycopg.Connection) -> None:
    _items().lock_item_analysis(conn)
    _items().allow_large_sorts(conn)


def measure_items(conn: psycopg.Connection, as_of: datetime) -> list[dict]:
    return list(_items().measure_items(conn, as_of=as_of))


def step_award_rates(conn: psycopg.Connection, as_of: datetime) -> dict[tuple[UUID, int], list]:
    return {
        (row["question_id"], row["question_version"]): row["step_award_rates"]
        for row in _items().step_award_rates(conn, as_of=as_of)
    }


def evaluated_extent(conn: psycopg.Connection, as_of: datetime) -> dict:
    return _items().evaluated_extent(conn, as_of=as_of)


def key_suspect_questions(conn: psycopg.Connection) -> set[tuple[UUID, int]]:
    return {(row["question_id"], row["question_version"]) for row in _items().key_suspect_questions(conn)}


def insert_run(conn: psycopg.Connection, **values: Any) -> None:
    _items().insert_run(conn, **values)


def replace_question_analysis(conn: psycopg.Connection, run_id: UUID, rows: list[dict]) -> None:
    _items().clear_question_analysis(conn)
    _items().insert_question_analysis(conn, run_id=run_id, rows=Jsonb(rows))


def question_for_analysis(conn: psycopg.Connection, question_id: UUID) -> dict | None:
    return _items().question_for_analysis(conn, question_id=question_id)


def question_analysis(conn: psycopg.Connection, question_id: UUID, version: int) -> dict | None:
    return _items().question_analysis(conn, question_id=question_id, version=version)


def latest_run(conn: psycopg.Connection) -> dict | None:
    return _items().latest_run(conn)


def list_question_analysis(
    conn: psycopg.Connection, *, school_class: str | None, unit: str | None, flag: str | None, limit: int, offset: int
) -> tuple[list[dict], int]:
    filters = {"school_class": school_class, "unit": unit, "flag": flag}
    items = list(_items().list_question_analysis(conn, **filters, limit=limit, offset=offset))
    return items, _items().count_question_analysis(conn, **filters)


def active_admins(conn: psycopg.Connection) -> list[dict]:
    return list(_items().active_admins(conn))


# --- recommendations ---------------------------------------------------------------------------------


def refresh_unit_class_averages(conn: psycopg.Connection, computed_at: datetime, min_marks: int) -> int:
    """Replace the class averages per unit; returns rows written plus rows removed."""
    written = _q().upsert_unit_class_averages(conn, computed_at=computed_at, min_marks=min_marks)
    return written + _q().delete_stale_unit_class_averages(conn, computed_at=computed_at)


def recommendation_context(conn: psycopg.Connection, student_user_id: UUID, school_class: str) -> dict:
    return _q().recommendation_context(conn, student_user_id=student_user_id, school_class=school_class)


def suggestible_templates(conn: psycopg.Connection, school_class: str) -> list[dict]:
    return list(_q().suggestible_templates(conn, school_class=school_class))
