"""Item analysis (docs/item-analysis.md): the nightly measurement of every question version
over evaluated exams, and the two reads of its figures.

The measurement is set-based SQL over the per-question rows kept at marking time
(exam_question_versions, student_mcq_answers, question_marks, question_alternative_marks,
question_step_marks, the exams' percentages); the judgements (discrimination, difficulty
band, flags) are the pure rules of item_analysis_rules. Each run is recorded and replaces
the figures of the previous one in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg

from mathvidya import business_time
from mathvidya.audit.service import SYSTEM, record_event
from mathvidya.config import Settings
from mathvidya.errors import NotFound
from mathvidya.insights import repository
from mathvidya.insights.item_analysis_rules import KEY_SUSPECT, judged_figures
from mathvidya.notifications.service import notify
from mathvidya.settings_store import get_setting

FLAGGED_EVENT = "question.flagged"
MIN_ATTEMPTS_KEY = "item_analysis_min_attempts"


def refresh_item_analysis(conn: psycopg.Connection, settings: Settings, as_of: datetime) -> int:
    """The job `refresh-item-analysis`: measure every question version over the exams evaluated
    by ``as_of``, store the run and its figures, tell admins of newly key-suspect questions.
    Returns the number of question versions measured."""
    started_at = business_time.now()
    repository.lock_item_analysis(conn)
    min_attempts = int(get_setting(conn, MIN_ATTEMPTS_KEY))
    steps = repository.step_award_rates(conn, as_of)
    rows = [_figures(measured, steps, min_attempts) for measured in repository.measure_items(conn, as_of)]
    previously_suspect = repository.key_suspect_questions(conn)
    run_id = uuid.uuid4()
    repository.insert_run(
        conn,
        run_id=run_id,
        started_at=started_at,
        computed_at=business_time.now(),
        questions_measured=len(rows),
        min_attempts=min_attempts,
        **repository.evaluated_extent(conn, as_of),
    )
    repository.replace_question_analysis(conn, run_id, rows)
    newly_suspect = [
        row
        for row in rows
        if KEY_SUSPECT in row["flags"] and (UUID(row["question_id"]), row["question_version"]) not in previously_suspect
    ]
    if newly_suspect:
        _report_key_suspects(conn, settings, newly_suspect)
    return len(rows)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _figures(measured: dict, steps: dict, min_attempts: int) -> dict[str, Any]:
    judged = judged_figures(measured, min_attempts)
    return {
        "question_id": str(measured["question_id"]),
        "question_version": measured["question_version"],
        "class": measured["class"],
        "unit": measured["unit"],
        "attempts": measured["attempts"],
        "facility": _number(measured["facility"]),
        "discrimination": _number(judged["discrimination"]),
        "choice_shares": measured["choice_shares"],
        "step_award_rates": steps.get((measured["question_id"], measured["question_version"])),
        "flags": judged["flags"],
        "measured_difficulty": judged["measured_difficulty"],
    }


def _report_key_suspects(conn: psycopg.Connection, settings: Settings, rows: list[dict]) -> None:
    admins = [admin["user_id"] for admin in repository.active_admins(conn)]
    for row in rows:
        details = {
            "question_version": row["question_version"],
            "flags": row["flags"],
            "attempts": row["attempts"],
            "facility": row["facility"],
            "discrimination": row["discrimination"],
        }
        record_event(conn, FLAGGED_EVENT, SYSTEM, "question", row["question_id"], details)
        title = f"Question may be keyed wrongly ({row['class']}, {row['unit']})"
        body = (
            f"Item analysis flags version {row['question_version']} of question {row['question_id']} as key "
            f"suspect: over {row['attempts']} attempts its discrimination is {row['discrimination']} or the "
            "strongest students prefer a distractor to the key. Check its correct choices."
        )
        for admin_id in admins:
            notify(
                conn,
                settings,
                user_id=admin_id,
                event_type=FLAGGED_EVENT,
                title=title,
                body=body,
                resource_type="question",
                resource_id=row["question_id"],
            )


# --- reads ---------------------------------------------------------------------------------------

_EMPTY_FIGURES = {
    "attempts": 0,
    "facility": None,
    "discrimination": None,
    "choice_shares": None,
    "step_award_rates": None,
    "flags": [],
    "measured_difficulty": None,
}


def question_analysis(conn: psycopg.Connection, question_id: UUID, version: int | None) -> dict:
    """The figures of one question version (default: the current one) from the latest run.
    A version no run measured answers attempts 0 and null figures; computed_at is the latest
    run's instant (null before the first run)."""
    question = repository.question_for_analysis(conn, question_id)
    if question is None or (version is not None and version > question["version"]):
        raise NotFound("No such question or version.")
    version = version or question["version"]
    figures = repository.question_analysis(conn, question_id, version)
    if figures is None:
        latest = repository.latest_run(conn)
        figures = {**_EMPTY_FIGURES, "computed_at": latest["computed_at"] if latest else None}
    return {
        **figures,
        "question_id": question_id,
        "question_version": version,
        "declared_difficulty": question["declared_difficulty"],
    }


def list_item_analysis(conn: psycopg.Connection, args: dict) -> dict:
    items, total = repository.list_question_analysis(
        conn,
        school_class=args.get("school_class"),
        unit=args.get("unit"),
        flag=args.get("flag"),
        limit=args["limit"],
        offset=args["offset"],
    )
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}
