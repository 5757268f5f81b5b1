"""The whole journey over HTTP against the real processes: gunicorn, an rq worker and the
clock, on a database of its own. Student registers, a parent links, an admin grants a
plan; the student takes a board-style paper (internal choices in its written sections,
step-mark schemes on its VSAs), uploads a page declaring which alternatives they answered;
the worker assigns the teacher, who marks by step and by alternative; student and parent
read the same exact result, the counted alternative and the step marks."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import requests

from mathvidya import create_app
from tests.exam_fixtures import JPEG_PAGE, make_questions, make_template, private_unit, section
from tests.factories import DEFAULT_PASSWORD, make_user, new_email
from tests.procfile_processes import procfile_processes
from tools.local_services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent
VSA_SCHEME = [{"step": "Formula", "marks": 0.5}, {"step": "Working", "marks": 1}, {"step": "Answer", "marks": 0.5}]
pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(settings, fresh_database_url, services_dir):
    journey_settings = replace(settings, database_url=fresh_database_url)
    port = free_port()
    env = {
        **os.environ,
        "MATHVIDYA_ENV": "test",
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": settings.redis_url.rsplit("/", 1)[0] + "/3",
        "S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "S3_BUCKET": settings.s3_bucket,
        "SMTP_URL": settings.smtp_url,
        "LOG_LEVEL": "WARNING",
        "AUTH_RATE_LIMIT": "1000 per minute",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    journey_settings = replace(journey_settings, redis_url=env["REDIS_URL"])
    logs = services_dir / f"journey-{port}"
    with procfile_processes(("web", "worker", "clock"), env, logs):
        wait_for_port(port, timeout=60)
        yield {"base": f"http://127.0.0.1:{port}/api/v1", "app": create_app(journey_settings), "logs": logs}


def _wait_for(fetch, timeout=60.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


# The audit events (docs/admin.md): the actions of this journey must write, each by its action.
JOURNEY_EVENTS = {
    "user.created",  # registrations (and the admin's and teacher's accounts)
    "user.login",
    "parent.link_code_issued",
    "parent.linked",
    "subscription.created",
    "exam.started",
    "exam.mcq_submitted",
    "exam.uploaded",
    "evaluation.assigned",
    "evaluation.started",
    "evaluation.completed",
    "score.updated",
    "student.data_viewed",
}


def _assert_journey_audit_trail(app):
    with psycopg.connect(app.config["SETTINGS"].database_url) as conn:
        written = {row[0] for row in conn.execute("SELECT DISTINCT event_type FROM audit_logs")}
    assert written == JOURNEY_EVENTS


def test_student_teacher_parent_journey(stack):
    base, app = stack["base"], stack["app"]
    timings = {}
    admin = make_user(app, "admin")
    teacher = make_user(app, "teacher")
    unit = private_unit("journey")
    make_questions(app, unit, "MCQ", 6, correct=("B",))
    make_questions(app, unit, "VSA", 3, scheme=VSA_SCHEME)
    make_questions(app, unit, "SA", 3)
    template = make_template(
        app,
        [
            section("A", "MCQ", 4, {unit: 1.0}),
            section("B", "VSA", 2, {unit: 1.0}, choices=1),
            section("C", "SA", 1, {unit: 1.0}, choices=1),
        ],
    )  # 4 + 4 + 3 = 11 marks; questions 6 and 7 offer (a) or (b)

    # Student registers and signs in; a parent registers, gets the code, links.
    http = requests.Session()
    student_email, parent_email = new_email("journey-student"), new_email("journey-parent")
    assert (
        http.post(
            f"{base}/auth/register",
            json={
                "email": student_email,
                "password": DEFAULT_PASSWORD,
                "role": "student",
                "first_name": "Kavya",
                "last_name": "S",
                "student_class": "XII",
            },
        ).status_code
        == 201
    )
    student = http.post(f"{base}/auth/login", json={"email": student_email, "password": DEFAULT_PASSWORD}).json()
    student_headers = _bearer(student["access_token"])
    assert (
        http.post(
            f"{base}/auth/register",
            json={
                "email": parent_email,
                "password": DEFAULT_PASSWORD,
                "role": "parent",
                "first_name": "Ravi",
                "last_name": "S",
            },
        ).status_code
        == 201
    )
    parent = http.post(f"{base}/auth/login", json={"email": parent_email, "password": DEFAULT_PASSWORD}).json()
    parent_headers = _bearer(parent["access_token"])
    code = http.post(f"{base}/students/me/parent-link-code", headers=student_headers).json()["code"]
    assert (
        http.post(
            f"{base}/parents/me/children", headers=parent_headers, json={"link_code": code, "relationship": "father"}
        ).status_code
        == 201
    )
    granted = http.post(
        f"{base}/admin/subscriptions",
        headers=admin["headers"],
        json={"student_user_id": student["user"]["user_id"], "plan_type": "premium", "billing_cycle": "monthly"},
    )
    assert granted.status_code == 201, granted.text

    # The exam: start, answer three of four MCQs right, submit, upload a page, confirm.
    started_at = time.perf_counter()
    exam = http.post(f"{base}/exams/start", headers=student_headers, json={"template_id": str(template)})
    assert exam.status_code == 201, exam.text
    exam = exam.json()
    timings["start_exam_s"] = time.perf_counter() - started_at
    exam_id = exam["exam_instance_id"]
    assert exam["total_marks"] == 11
    choice_questions = {q["question_number"]: q for q in exam["questions"] if q.get("alternatives")}
    assert sorted(choice_questions) == [6, 7]
    assert all(len({a["question_id"] for a in q["alternatives"]}) == 2 for q in choice_questions.values())
    assert all("marking_scheme" not in a for q in choice_questions.values() for a in q["alternatives"])
    answers = [{"question_number": n, "selected_choices": ["B"] if n < 4 else ["C"]} for n in (1, 2, 3, 4)]
    assert (
        http.put(f"{base}/exams/{exam_id}/answers", headers=student_headers, json={"answers": answers[:2]}).status_code
        == 200
    )
    submitted = http.post(f"{base}/exams/{exam_id}/submit-mcq", headers=student_headers, json={"answers": answers})
    assert submitted.json()["status"] == "submitted_mcq" and submitted.json()["mcq_score"] == 3
    target = http.get(f"{base}/exams/{exam_id}/upload-urls?page_count=1", headers=student_headers).json()
    form = target["upload_urls"][0]
    assert (
        requests.post(form["url"], data=form["fields"], files={"file": ("p1.jpg", JPEG_PAGE)}, timeout=10).status_code
        < 300
    )
    confirmed = http.post(
        f"{base}/exams/{exam_id}/confirm-upload",
        headers=student_headers,
        json={
            "pages_uploaded": [1],
            "unanswered_questions": [],
            "page_question_mapping": {"1": [5, 6, 7]},
            "attempted_choices": {"6": "a", "7": "both"},
        },
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "pending_evaluation"
    confirmed_at = time.perf_counter()

    # The worker assigns it to the only teacher, within the promised 2 minutes.
    def assigned():
        queue = http.get(f"{base}/evaluations/queue", headers=teacher["headers"]).json()
        return [i for i in queue["items"] if i["exam_instance_id"] == exam_id]

    item = _wait_for(assigned)[0]
    timings["assignment_s"] = time.perf_counter() - confirmed_at
    # Anonymous marking is on by default: the teacher knows the sheet by its candidate code.
    assert re.fullmatch(r"MV-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", item["candidate_code"])
    assert item["student_name"] == item["candidate_code"]
    evaluation_url = f"{base}/evaluations/{item['evaluation_id']}"
    view = http.get(evaluation_url, headers=teacher["headers"]).json()
    assert view["student_name"] == item["candidate_code"]
    assert "Kavya" not in json.dumps(view) and student_email not in json.dumps(view)
    assert [q["question_number"] for q in view["questions"]] == [5, 6, 7]
    marked = {q["question_number"]: q for q in view["questions"]}
    assert marked[5]["marking_scheme"] == VSA_SCHEME
    assert marked[6]["attempted_choice"] == "a" and marked[7]["attempted_choice"] == "both"
    assert [a["marking_scheme"] for a in marked[6]["alternatives"]] == [VSA_SCHEME, VSA_SCHEME]
    assert requests.get(view["pages"][0]["url"], timeout=10).content == JPEG_PAGE
    assert http.post(f"{evaluation_url}/start", headers=teacher["headers"]).json()["status"] == "in_progress"
    done = http.post(
        f"{evaluation_url}/submit",
        headers=teacher["headers"],
        json={
            "question_marks": [
                {"question_number": 5, "step_marks": [0.5, 1, 0.5]},
                {"question_number": 6, "step_marks": [0.5, 1, 0], "teacher_comment": "Units missing."},
                {"question_number": 7, "choice": "a", "marks_awarded": 2.5},
                {"question_number": 7, "choice": "b", "marks_awarded": 1},
            ]
        },
    )
    assert done.status_code == 200, done.text
    # 3 (MCQ) + 6 (written) = 9 of 11 = 81.818… → 81.82
    assert done.json()["total_exam_score"] == 9 and done.json()["percentage"] == 81.82

    for headers in (student_headers, parent_headers):
        results = http.get(f"{base}/exams/{exam_id}/results", headers=headers).json()
        assert results["status"] == "evaluated" and results["total_score"] == 9 and results["percentage"] == 81.82
        assert Decimal(str(results["manual_score"])) == Decimal("6")
        by_number = {q["question_number"]: q for q in results["questions"]}
        assert by_number[5]["marking_scheme"] == VSA_SCHEME and by_number[5]["step_marks"] == [0.5, 1, 0.5]
        assert by_number[6]["counted_choice"] == "a" and by_number[6]["marks_awarded"] == 1.5
        assert by_number[6]["alternatives"][0]["step_marks"] == [0.5, 1, 0]
        assert by_number[7]["counted_choice"] == "a" and by_number[7]["marks_awarded"] == 2.5
        assert [(a["choice"], a["marks_awarded"]) for a in by_number[7]["alternatives"]] == [("a", 2.5), ("b", 1)]

    # The parent's read-only dashboard of the child is an audited access.
    viewed = http.get(f"{base}/analytics/parent-view/{student['user']['user_id']}", headers=parent_headers)
    assert viewed.status_code == 200, viewed.text

    # Mail went through the outbox to the SMTP sink (verification e-mails at least).
    with psycopg.connect(app.config["SETTINGS"].database_url) as conn:
        _wait_for(
            lambda: conn.execute("SELECT count(*) FROM email_outbox WHERE status = 'sent'").fetchone()[0] >= 2,
            timeout=30,
        )
    timings["journey_total_s"] = time.perf_counter() - started_at
    _assert_journey_audit_trail(app)
    (stack["logs"] / "timings.txt").write_text(repr(timings))
    print("journey timings:", {k: round(v, 3) for k, v in timings.items()}, file=sys.stderr)
    assert re.match(r"^[0-9a-f-]{36}$", item["evaluation_id"])
