"""The upload quality gate at confirm-upload and the teacher's re-upload request, through
the API with real S3 (moto) and SMTP (the session's sink)."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from mathvidya.jobs.registry import run_job
from mathvidya.notifications.service import deliver_due_emails
from tests.exam_fixtures import (
    PAGE_IMAGE,
    assign_to,
    connect,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
)
from tools.page_images import blank_page, blurred, jpeg_bytes

SHARP = jpeg_bytes(PAGE_IMAGE)
BLURRED = jpeg_bytes(blurred(PAGE_IMAGE, 6))
SMALL = jpeg_bytes(PAGE_IMAGE.resize((450, 600)))
BLANK = jpeg_bytes(blank_page(1200, 1600))


@pytest.fixture
def world(app, make_user, link_parent):
    student, teacher, other_teacher = make_user("student"), make_user("teacher"), make_user("teacher")
    link_parent(make_user("parent"), student)
    give_subscription(app, student, "premium")
    units = [private_unit("a"), private_unit("b")]
    for unit in units:
        make_questions(app, unit, "MCQ", 6)
        make_questions(app, unit, "VSA", 3)
    template = make_template(app, [section("A", "MCQ", 2, {units[0]: 1.0}), section("B", "VSA", 2, {units[1]: 1.0})])
    return {"student": student, "teacher": teacher, "other_teacher": other_teacher, "template": template}


def _exam_awaiting_pages(client, world) -> str:
    started = client.post(
        "/api/v1/exams/start", json={"template_id": str(world["template"])}, headers=world["student"]["headers"]
    )
    assert started.status_code == 201, started.get_json()
    exam = started.get_json()
    exam_id = exam["exam_instance_id"]
    url = f"/api/v1/exams/{exam_id}/submit-mcq"
    assert client.post(url, json={"answers": []}, headers=world["student"]["headers"]).status_code == 200
    return exam_id


def _upload(client, world, exam_id: str, pages: dict[int, bytes], page_count: int = 3) -> None:
    response = client.get(
        f"/api/v1/exams/{exam_id}/upload-urls?page_count={page_count}", headers=world["student"]["headers"]
    )
    assert response.status_code == 200, response.get_json()
    forms = {t["page_number"]: t for t in response.get_json()["upload_urls"]}
    for page, data in pages.items():
        form = forms[page]
        sent = requests.post(form["url"], data=form["fields"], files={"file": (f"p{page}.jpg", data)}, timeout=10)
        assert sent.status_code in (200, 204), sent.text


def _confirm(client, world, exam_id: str):
    return client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=world["student"]["headers"],
        json={"pages_uploaded": [1, 2, 3], "unanswered_questions": [], "page_question_mapping": {"1": [3], "2": [4]}},
    )


def _exam_row(app, exam_id: str) -> dict:
    with connect(app) as conn:
        return conn.execute(
            "SELECT e.status, e.submitted_at, e.sla_deadline, ev.sla_deadline AS evaluation_deadline, "
            "ev.teacher_user_id, ev.evaluation_id, "
            "(SELECT count(*) FROM answer_sheet_uploads u WHERE u.exam_instance_id = e.exam_instance_id) AS pages, "
            "(SELECT count(*) FROM audit_logs a WHERE a.resource_id = e.exam_instance_id::text "
            " AND a.event_type = 'exam.uploaded') AS uploaded_events "
            "FROM exam_instances e LEFT JOIN evaluations ev ON ev.exam_instance_id = e.exam_instance_id "
            "WHERE e.exam_instance_id = %s",
            (exam_id,),
        ).fetchone()


# --- the gate -------------------------------------------------------------------------------------


def test_failing_pages_are_named_nothing_changes_and_replaced_pages_pass(app, client, world):
    exam_id = _exam_awaiting_pages(client, world)
    _upload(client, world, exam_id, {1: SHARP, 2: BLURRED, 3: SMALL})

    refused = _confirm(client, world, exam_id)

    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert body["error"] == "UPLOAD_QUALITY"
    assert body["details"]["pages"] == [
        {"page_number": 2, "problems": ["blurry"]},
        {"page_number": 3, "problems": ["too_small"]},
    ]
    row = _exam_row(app, exam_id)
    assert (row["status"], row["submitted_at"], row["pages"], row["uploaded_events"]) == ("submitted_mcq", None, 0, 0)

    _upload(client, world, exam_id, {2: SHARP, 3: SHARP})
    confirmed = _confirm(client, world, exam_id)
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "pending_evaluation"
    assert _exam_row(app, exam_id)["pages"] == 3


def test_a_blank_page_is_refused(client, world):
    exam_id = _exam_awaiting_pages(client, world)
    _upload(client, world, exam_id, {1: SHARP, 2: SHARP, 3: BLANK})
    refused = _confirm(client, world, exam_id)
    assert refused.status_code == 422
    assert refused.get_json()["details"]["pages"] == [{"page_number": 3, "problems": ["blank"]}]


def test_with_the_check_switched_off_any_real_image_is_taken(app, client, world, make_user):
    admin = make_user("admin")
    switch = "/api/v1/admin/config/upload_quality_check_enabled"
    assert client.put(switch, json={"value": False}, headers=admin["headers"]).status_code == 200
    try:
        exam_id = _exam_awaiting_pages(client, world)
        _upload(client, world, exam_id, {1: SHARP, 2: BLURRED, 3: BLANK})
        assert _confirm(client, world, exam_id).status_code == 200
    finally:
        assert client.put(switch, json={"value": True}, headers=admin["headers"]).status_code == 200


def test_the_minimum_side_is_the_configured_one(client, world, make_user):
    admin = make_user("admin")
    key = "/api/v1/admin/config/upload_min_short_side_px"
    assert client.put(key, json={"value": 400}, headers=admin["headers"]).status_code == 200
    try:
        exam_id = _exam_awaiting_pages(client, world)
        _upload(client, world, exam_id, {1: SHARP, 2: SHARP, 3: SMALL})
        assert _confirm(client, world, exam_id).status_code == 200
    finally:
        assert client.put(key, json={"value": 600}, headers=admin["headers"]).status_code == 200


# --- the re-upload request ------------------------------------------------------------------------


def _evaluated_by(app, client, world) -> tuple[str, str]:
    exam_id = _exam_awaiting_pages(client, world)
    _upload(client, world, exam_id, {1: SHARP, 2: SHARP, 3: SHARP})
    assert _confirm(client, world, exam_id).status_code == 200
    return exam_id, str(assign_to(app, exam_id, world["teacher"]))


def _request(client, teacher, evaluation_id, pages, reason="Page is too dark to read."):
    return client.post(
        f"/api/v1/evaluations/{evaluation_id}/request-reupload",
        json={"pages": pages, "reason": reason},
        headers=teacher["headers"],
    )


def test_the_teacher_asks_for_pages_the_student_replaces_them_and_the_same_teacher_keeps_it(
    app, client, settings, smtp_sink, world
):
    exam_id, evaluation_id = _evaluated_by(app, client, world)
    before = _exam_row(app, exam_id)

    response = _request(client, world["teacher"], evaluation_id, [2, 3], "Pages 2 and 3 are cut off.")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "reupload_requested"
    row = _exam_row(app, exam_id)
    assert row["status"] == "reupload_requested"
    assert row["sla_deadline"] is None and row["evaluation_deadline"] is None
    with connect(app) as conn:
        note = conn.execute(
            "SELECT body FROM notifications WHERE user_id = %s AND event_type = 'evaluation.reupload_requested'",
            (world["student"]["user_id"],),
        ).fetchone()
        outbox = conn.execute(
            "SELECT outbox_id FROM email_outbox WHERE to_address = %s AND event_type = 'evaluation.reupload_requested'",
            (world["student"]["email"],),
        ).fetchone()
        audit = conn.execute(
            "SELECT details FROM audit_logs WHERE event_type = 'evaluation.reupload_requested' AND resource_id = %s",
            (evaluation_id,),
        ).fetchone()
    assert "2, 3" in note["body"] and "cut off" in note["body"]
    assert audit["details"]["pages"] == [2, 3]
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        assert deliver_due_emails(conn, settings, datetime.now().astimezone(), outbox_id=outbox["outbox_id"]) == 1
        conn.commit()
    mail = [m for m in smtp_sink.messages if m["To"] == world["student"]["email"]][-1].as_string()
    assert "cut off" in mail

    # Marking waits for the pages; the SLA sweep has no deadline to miss.
    marks = [{"question_number": 3, "marks_awarded": 1}, {"question_number": 4, "marks_awarded": 1}]
    submit_url = f"/api/v1/evaluations/{evaluation_id}/submit"
    submit = client.post(submit_url, json={"question_marks": marks}, headers=world["teacher"]["headers"])
    assert submit.status_code == 409 and submit.get_json()["error"] == "INVALID_EXAM_STATE"
    run_job("flag-sla-breaches", datetime.now().astimezone() + timedelta(days=60), settings)
    with connect(app) as conn:
        flagged = conn.execute(
            "SELECT sla_breached FROM evaluations WHERE evaluation_id = %s", (evaluation_id,)
        ).fetchone()
    assert flagged["sla_breached"] is False

    # The student must send every asked-for page.
    partial = client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=world["student"]["headers"],
        json={"pages_uploaded": [1, 2], "unanswered_questions": [], "page_question_mapping": {"1": [3], "2": [4]}},
    )
    assert partial.status_code == 422 and "pages_uploaded" in partial.get_json()["details"]["fields"]

    _upload(client, world, exam_id, {2: SHARP, 3: SHARP})
    again = _confirm(client, world, exam_id)
    assert again.status_code == 200, again.get_json()
    after = _exam_row(app, exam_id)
    assert after["status"] == "pending_evaluation"
    assert after["submitted_at"] > before["submitted_at"]
    assert after["sla_deadline"] is not None and after["evaluation_deadline"] == after["sla_deadline"]
    assert after["teacher_user_id"] == before["teacher_user_id"] and after["evaluation_id"] == before["evaluation_id"]


def test_a_third_request_is_refused_and_nothing_changes(app, client, world):
    exam_id, evaluation_id = _evaluated_by(app, client, world)
    for _ in range(2):
        assert _request(client, world["teacher"], evaluation_id, [1]).status_code == 200
        _upload(client, world, exam_id, {1: SHARP})
        assert _confirm(client, world, exam_id).status_code == 200
    before = _exam_row(app, exam_id)
    third = _request(client, world["teacher"], evaluation_id, [1])
    assert third.status_code == 409 and third.get_json()["error"] == "REUPLOAD_LIMIT_REACHED"
    assert _exam_row(app, exam_id) == before


def test_the_database_refuses_a_third_request(app, client, world):
    exam_id, evaluation_id = _evaluated_by(app, client, world)
    with connect(app) as conn:
        for number in (1, 2, 3):
            statement = (
                "INSERT INTO reupload_requests (exam_instance_id, request_number, evaluation_id, teacher_user_id, "
                "page_numbers, reason, requested_at) VALUES (%s, %s, %s, %s, '{1}', 'x', now())"
            )
            params = (exam_id, number, evaluation_id, world["teacher"]["user_id"])
            if number < 3:
                conn.execute(statement, params)
            else:
                with pytest.raises(psycopg.errors.CheckViolation):
                    conn.execute(statement, params)


def test_who_may_ask_and_what_they_may_ask_for(app, client, world):
    exam_id, evaluation_id = _evaluated_by(app, client, world)
    before = _exam_row(app, exam_id)

    assert _request(client, world["other_teacher"], evaluation_id, [1]).status_code == 404
    assert _request(client, world["student"], evaluation_id, [1]).status_code == 403
    for pages in ([4], [1, 1], [], [0]):
        refused = _request(client, world["teacher"], evaluation_id, pages)
        assert refused.status_code == 422, pages
        assert refused.get_json()["error"] == "VALIDATION_ERROR"
    assert _request(client, world["teacher"], evaluation_id, [1], "   ").status_code == 422
    assert _exam_row(app, exam_id) == before

    assert _request(client, world["teacher"], evaluation_id, [1]).status_code == 200
    twice = _request(client, world["teacher"], evaluation_id, [2])
    assert twice.status_code == 409 and twice.get_json()["error"] == "INVALID_EXAM_STATE"
