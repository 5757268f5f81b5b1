"""Anonymous marking: nothing a teacher can read names the student, while the switch is on.

One full journey on a database of its own (so the assignment picks this test's teacher):
start → MCQs → upload → confirm → assignment (in-app + e-mail) → queue → evaluation view →
exam view → page and annotated-copy URLs → SLA warning → notifications. Every response and
every e-mail to the teacher is searched for the student's name, e-mail and user id. With the
switch off, the same walk must find the name (so the search itself is shown to work).
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from PIL import Image

from mathvidya import business_time, settings_store
from mathvidya.evaluations import service as evaluations
from mathvidya.evaluations import sla_jobs
from mathvidya.exams.candidate_codes import is_candidate_code
from mathvidya.storage import storage_for
from tests.exam_fixtures import (
    JPEG_PAGE,
    confirmed_exam,
    connect,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
)
from tests.factories import link_parent, make_user


def _set_anonymous(app, value: bool) -> None:
    with connect(app) as conn:
        conn.execute(
            "UPDATE system_config SET config_value = %s WHERE config_key = 'anonymous_marking'",
            (json.dumps(value),),
        )
    settings_store.announce_change(None)


def _teacher_outbox(app, teacher) -> list[str]:
    with connect(app) as conn:
        rows = conn.execute(
            "SELECT subject, body_text, body_html FROM email_outbox WHERE to_address = %s ORDER BY created_at",
            (teacher["email"],),
        ).fetchall()
    return [f"{r['subject']}\n{r['body_text']}\n{r['body_html']}" for r in rows]


def _replace_page_with_a_real_photo(app, exam_id) -> None:
    """The uploaded fixture bytes only look like a JPEG; the annotated copy needs a real one."""
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(picture, "JPEG")
    with connect(app) as conn:
        key = conn.execute(
            "SELECT s3_key FROM answer_sheet_uploads WHERE exam_instance_id = %s AND page_number = 1", (exam_id,)
        ).fetchone()["s3_key"]
    storage_for(app.config["SETTINGS"]).put(key, picture.getvalue(), "image/jpeg")


def _journey(app) -> dict:
    """Everything the teacher can read about one marked-to-be exam, as text."""
    client, settings = app.test_client(), app.config["SETTINGS"]
    student = make_user(app, "student", first_name="Ishaanvi", last_name="Raghunathan")
    parent, teacher = make_user(app, "parent"), make_user(app, "teacher")
    link_parent(app, parent, student)
    give_subscription(app, student, "centum")
    unit = private_unit("anon")
    make_questions(app, unit, "MCQ", 2)
    make_questions(app, unit, "SA", 2)
    template = make_template(app, [section("A", "MCQ", 1, {unit: 1.0}), section("C", "SA", 1, {unit: 1.0})])
    exam = confirmed_exam(client, student, template, mcq_answers={1: ["A"]})
    exam_id = exam["exam_instance_id"]
    with connect(app) as conn:
        conn.autocommit = False
        evaluation_id = evaluations.assign_exam(conn, settings, exam_id, business_time.now())
        conn.commit()
    assert evaluation_id is not None
    with connect(app) as conn:
        confirmation = conn.execute(
            "SELECT body_text FROM email_outbox WHERE to_address = %s AND event_type = 'exam.submitted'",
            (student["email"],),
        ).fetchall()
    assert len(confirmation) == 1 and "Marks expected by" in confirmation[0]["body_text"]
    headers = teacher["headers"]
    readable = {
        "queue": client.get("/api/v1/evaluations/queue", headers=headers).get_json(),
        "evaluation": client.get(f"/api/v1/evaluations/{evaluation_id}", headers=headers).get_json(),
        "exam": client.get(f"/api/v1/exams/{exam_id}", headers=headers).get_json(),
    }
    _replace_page_with_a_real_photo(app, exam_id)
    annotated = client.post(
        f"/api/v1/evaluations/{evaluation_id}/annotations",
        json={"page_number": 1, "annotations": [{"type": "stamp", "stamp": "tick", "x": 0.5, "y": 0.5}]},
        headers=headers,
    )
    assert annotated.status_code == 200, annotated.get_json()
    readable["annotation"] = annotated.get_json()
    readable["evaluation_after_annotation"] = client.get(
        f"/api/v1/evaluations/{evaluation_id}", headers=headers
    ).get_json()
    with connect(app) as conn:
        conn.autocommit = False
        deadline = conn.execute(
            "SELECT sla_deadline FROM evaluations WHERE evaluation_id = %s", (evaluation_id,)
        ).fetchone()["sla_deadline"]
        assert sla_jobs.warn_sla(conn, settings, deadline - timedelta(minutes=30)) == 1
        conn.commit()
    readable["notifications"] = client.get("/api/v1/notifications", headers=headers).get_json()
    return {
        "student": student,
        "teacher": teacher,
        "exam": readable["exam"],
        "readable": readable,
        "mails": _teacher_outbox(app, teacher),
        "evaluation_id": evaluation_id,
        "client": client,
    }


def _identifiers(student) -> list[str]:
    return [student["first_name"], student["last_name"], student["email"], str(student["user_id"])]


@pytest.mark.parametrize("anonymous", [True, False])
def test_nothing_a_teacher_reads_names_the_student_while_anonymous(fresh_app, anonymous):
    if not anonymous:
        _set_anonymous(fresh_app, False)
    try:
        walk = _journey(fresh_app)
    finally:
        settings_store.announce_change(None)  # no process keeps this database's value cached
    student, readable = walk["student"], walk["readable"]
    code = readable["queue"]["items"][0]["candidate_code"]
    assert is_candidate_code(code)
    assert readable["evaluation"]["candidate_code"] == code and readable["exam"]["candidate_code"] == code
    pages = readable["evaluation_after_annotation"]["pages"]
    assert pages[0]["url"] and pages[0]["annotated_url"], "the walk must cover both signed URLs"
    assert len(walk["mails"]) == 2, "the assignment and the SLA warning e-mails"
    assert {n["event_type"] for n in readable["notifications"]["items"]} == {"evaluation.assigned", "sla.warning"}
    texts = {name: json.dumps(body) for name, body in readable.items()} | {
        f"mail {i}": mail for i, mail in enumerate(walk["mails"])
    }
    if anonymous:
        for name, text in texts.items():
            for identifier in _identifiers(student):
                assert identifier.lower() not in text.lower(), f"{identifier!r} found in {name}"
        assert readable["queue"]["items"][0]["student_name"] == code
        assert code in walk["mails"][0] and code in readable["notifications"]["items"][0]["body"]
    else:
        full_name = f"{student['first_name']} {student['last_name']}"
        assert readable["queue"]["items"][0]["student_name"] == full_name
        assert readable["evaluation"]["student_name"] == full_name
        assert readable["exam"]["student_user_id"] == str(student["user_id"])
        assert all(full_name in mail for mail in walk["mails"])
        assert all(full_name in n["body"] for n in readable["notifications"]["items"])


def test_admins_see_the_name_and_the_candidate_code(fresh_app):
    walk = _journey(fresh_app)
    admin = make_user(fresh_app, "admin")
    client, student = walk["client"], walk["student"]
    full_name = f"{student['first_name']} {student['last_name']}"
    item = next(
        i
        for i in client.get("/api/v1/admin/evaluations", headers=admin["headers"]).get_json()["items"]
        if i["evaluation_id"] == str(walk["evaluation_id"])
    )
    assert item["student_name"] == full_name and is_candidate_code(item["candidate_code"])
    view = client.get(f"/api/v1/evaluations/{walk['evaluation_id']}", headers=admin["headers"]).get_json()
    assert view["student_name"] == full_name and view["candidate_code"] == item["candidate_code"]
    exam = client.get(f"/api/v1/exams/{walk['exam']['exam_instance_id']}", headers=admin["headers"]).get_json()
    assert exam["student_user_id"] == str(student["user_id"]) and exam["candidate_code"] == item["candidate_code"]


def test_a_page_uploaded_under_the_older_key_is_still_confirmed(app, client, make_user):
    """Upload forms handed out before keys stopped naming the student stay usable."""
    student = make_user("student")
    link_parent(app, make_user("parent"), student)
    give_subscription(app, student, "centum")
    unit = private_unit("legacy")
    make_questions(app, unit, "MCQ", 2)
    make_questions(app, unit, "SA", 2)
    template = make_template(app, [section("A", "MCQ", 1, {unit: 1.0}), section("C", "SA", 1, {unit: 1.0})])
    exam = client.post("/api/v1/exams/start", json={"template_id": str(template)}, headers=student["headers"])
    assert exam.status_code == 201, exam.get_json()
    exam_id = exam.get_json()["exam_instance_id"]
    written = [q["question_number"] for q in exam.get_json()["questions"] if q["question_type"] != "MCQ"]
    assert (
        client.post(f"/api/v1/exams/{exam_id}/submit-mcq", json={"answers": []}, headers=student["headers"]).status_code
        == 200
    )
    legacy_key = f"answer-sheets/{exam_id}/{student['user_id']}/1"
    storage_for(app.config["SETTINGS"]).put(legacy_key, JPEG_PAGE, "image/jpeg")
    confirmed = client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        json={"pages_uploaded": [1], "unanswered_questions": [], "page_question_mapping": {"1": written}},
        headers=student["headers"],
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    with connect(app) as conn:
        stored = conn.execute("SELECT s3_key FROM answer_sheet_uploads WHERE exam_instance_id = %s", (exam_id,))
        assert [row["s3_key"] for row in stored] == [legacy_key]
