"""Committed exam-world data for API tests: private units (so no other test's questions
mix in), templates, active questions and subscriptions."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from tools.page_images import handwriting_page, jpeg_bytes, png_bytes


def connect(app):
    return psycopg.connect(app.config["SETTINGS"].database_url, row_factory=dict_row, autocommit=True)


def private_unit(label: str = "unit") -> str:
    return f"Test {label} {uuid.uuid4().hex[:10]}"


def make_questions(
    app,
    unit: str,
    question_type: str,
    count: int,
    *,
    school_class: str = "XII",
    correct: tuple[str, ...] = ("A",),
    status: str = "active",
    scheme: list[dict] | None = None,
) -> list[uuid.UUID]:
    marks = {"MCQ": 1, "VSA": 2, "SA": 3, "LA": 5, "CASE": 4}[question_type]
    ids = []
    with connect(app) as conn:
        for i in range(count):
            mcq = question_type == "MCQ"
            row = conn.execute(
                "INSERT INTO questions (class, unit, topic, question_type, marks, question_text, mcq_choices, "
                "mcq_correct_choices, correct_answer_text, explanation, status, marking_scheme) VALUES "
                "(%s, %s, 'topic', %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING question_id",
                (
                    school_class,
                    unit,
                    question_type,
                    marks,
                    f"{question_type} {unit} #{i}: what is $x$?",
                    Jsonb([{"label": label, "text": f"option {label}"} for label in "ABCD"]) if mcq else None,
                    list(correct) if mcq else None,
                    "the answer",
                    f"because {i}",
                    status,
                    Jsonb(scheme) if scheme else None,
                ),
            ).fetchone()
            ids.append(row["question_id"])
    return ids


def section(
    name: str, question_type: str, count: int, weights: dict[str, float], *, choices: int = 0
) -> dict[str, Any]:
    marks = {"MCQ": 1, "VSA": 2, "SA": 3, "LA": 5, "CASE": 4}[question_type]
    spec = {
        "section_name": name,
        "question_type": question_type,
        "question_count": count,
        "marks_per_question": marks,
        "unit_weightage": weights,
    }
    if choices:
        spec["internal_choice_count"] = choices
    return spec


def make_template(
    app, sections: list[dict], *, exam_type: str = "board_exam", school_class: str = "XII", duration_minutes: int = 30
) -> uuid.UUID:
    total = sum(s["question_count"] * s["marks_per_question"] for s in sections)
    config = {"total_marks": total, "duration_minutes": duration_minutes, "sections": sections}
    with connect(app) as conn:
        row = conn.execute(
            "INSERT INTO exam_templates (template_name, class, exam_type, specific_unit, config, total_marks, "
            "duration_minutes) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING template_id",
            (
                f"Test template {uuid.uuid4().hex[:6]}",
                school_class,
                exam_type,
                next(iter(sections[0]["unit_weightage"])) if exam_type == "unit_practice" else None,
                Jsonb(config),
                total,
                duration_minutes,
            ),
        ).fetchone()
    return row["template_id"]


def give_subscription(app, student: dict, plan_type: str = "premium", *, used: int = 0) -> uuid.UUID:
    today = date.today()
    with connect(app) as conn:
        row = conn.execute(
            "INSERT INTO subscriptions (student_user_id, plan_id, status, billing_cycle, start_date, end_date, "
            "billing_day_of_month, exams_used_this_period, last_counter_reset_date) "
            "SELECT %s, plan_id, 'active', 'monthly', %s, %s, %s, %s, %s FROM subscription_plans "
            "WHERE plan_type = %s RETURNING subscription_id",
            (
                student["user_id"],
                today - timedelta(days=1),
                today + timedelta(days=29),
                min((today - timedelta(days=1)).day, 28),
                used,
                today - timedelta(days=1),
                plan_type,
            ),
        ).fetchone()
    return row["subscription_id"]


def exams_used(app, student: dict) -> int:
    with connect(app) as conn:
        return conn.execute(
            "SELECT coalesce(sum(exams_used_this_period), 0) AS used FROM subscriptions WHERE student_user_id = %s",
            (student["user_id"],),
        ).fetchone()["used"]


# A photo of a page of handwriting that passes the upload quality gate (docs/exams.md).
PAGE_IMAGE = handwriting_page(1200, 1600)
JPEG_PAGE = jpeg_bytes(PAGE_IMAGE)
PNG_PAGE = png_bytes(PAGE_IMAGE.resize((700, 934)))


def upload_page(client, student: dict, exam_id: str, page: int, data: bytes = JPEG_PAGE) -> None:
    import requests

    targets = client.get(f"/api/v1/exams/{exam_id}/upload-urls?page_count={page}", headers=student["headers"])
    form = targets.get_json()["upload_urls"][page - 1]
    response = requests.post(form["url"], data=form["fields"], files={"file": (f"p{page}.jpg", data)}, timeout=10)
    assert response.status_code in (200, 204), response.text


def confirmed_exam(
    client,
    student: dict,
    template_id,
    mcq_answers: dict[int, list[str]] | None = None,
    unanswered: tuple[int, ...] = (),
    attempted_choices: dict[str, str] | None = None,
) -> dict:
    """Start → submit MCQs → upload one page holding every answered written question → confirm."""
    exam = client.post("/api/v1/exams/start", json={"template_id": str(template_id)}, headers=student["headers"])
    assert exam.status_code == 201, exam.get_json()
    exam = exam.get_json()
    exam_id = exam["exam_instance_id"]
    answers = [{"question_number": n, "selected_choices": c} for n, c in (mcq_answers or {}).items()]
    submitted = client.post(
        f"/api/v1/exams/{exam_id}/submit-mcq", json={"answers": answers}, headers=student["headers"]
    )
    assert submitted.status_code == 200, submitted.get_json()
    written = [q["question_number"] for q in exam["questions"] if q["question_type"] != "MCQ"]
    on_page = [n for n in written if n not in unanswered]
    upload_page(client, student, exam_id, 1)
    confirmed = client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=student["headers"],
        json={
            "pages_uploaded": [1],
            "unanswered_questions": list(unanswered),
            "page_question_mapping": {"1": on_page},
            **({"attempted_choices": attempted_choices} if attempted_choices else {}),
        },
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    return {**exam, **confirmed.get_json(), "written": written}


def assign_to(app, exam_id, teacher: dict) -> uuid.UUID:
    """Give the exam to this teacher directly (assignment itself is tested on its own database)."""
    with connect(app) as conn:
        row = conn.execute(
            "INSERT INTO evaluations (exam_instance_id, teacher_user_id, sla_deadline) "
            "SELECT exam_instance_id, %s, sla_deadline FROM exam_instances WHERE exam_instance_id = %s "
            "RETURNING evaluation_id",
            (teacher["user_id"], exam_id),
        ).fetchone()
    return row["evaluation_id"]
