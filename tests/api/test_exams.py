"""Starting, taking and submitting exams; refusals consume nothing; scope is 404."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from mathvidya.jobs.registry import run_job
from tests.concurrency import run_at_once
from tests.exam_fixtures import (
    JPEG_PAGE,
    PNG_PAGE,
    connect,
    exams_used,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
)
from tests.factories import process_env

ROOT = Path(__file__).resolve().parent.parent.parent
JPEG = JPEG_PAGE
PNG = PNG_PAGE
PDF = b"%PDF-1.7\n1 0 obj << /Type /Page >>\n" + b"\x00" * 2048


@pytest.fixture
def world(app, make_user, link_parent):
    """A linked student on the premium plan, private units with questions, two templates."""
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "premium")
    units = [private_unit("a"), private_unit("b")]
    for unit in units:
        make_questions(app, unit, "MCQ", 6)
        make_questions(app, unit, "VSA", 3)
    mcq_only = make_template(app, [section("A", "MCQ", 4, {units[0]: 0.5, units[1]: 0.5})], exam_type="section_mcq")
    written = make_template(app, [section("A", "MCQ", 2, {units[0]: 1.0}), section("B", "VSA", 2, {units[1]: 1.0})])
    return {"student": student, "parent": parent, "units": units, "mcq_only": mcq_only, "written": written}


def start(client, student, template_id, **headers):
    return client.post(
        "/api/v1/exams/start", json={"template_id": str(template_id)}, headers={**student["headers"], **headers}
    )


def audit_count(app, event_type, resource_id):
    with connect(app) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM audit_logs WHERE event_type = %s AND resource_id = %s",
            (event_type, str(resource_id)),
        ).fetchone()["n"]


# --- start ---------------------------------------------------------------------------------------


def test_start_gives_questions_without_answers_and_consumes_one_exam(app, client, world):
    response = start(client, world["student"], world["written"])
    assert response.status_code == 201, response.get_json()
    exam = response.get_json()
    assert exam["status"] == "in_progress" and exam["total_marks"] == 6 and exam["duration_minutes"] == 30
    assert [q["question_number"] for q in exam["questions"]] == [1, 2, 3, 4]
    assert [q["question_type"] for q in exam["questions"]] == ["MCQ", "MCQ", "VSA", "VSA"]
    assert len({q["question_id"] for q in exam["questions"]}) == 4
    for question in exam["questions"]:
        assert question.get("mcq_correct_choices") is None and question.get("explanation") is None
    assert exams_used(app, world["student"]) == 1
    assert audit_count(app, "exam.started", exam["exam_instance_id"]) == 1


def test_start_is_refused_without_a_parent_link_and_consumes_nothing(app, client, make_user, world):
    lonely = make_user("student")
    give_subscription(app, lonely, "premium")
    response = start(client, lonely, world["mcq_only"])
    assert response.status_code == 403 and response.get_json()["error"] == "PARENT_LINK_REQUIRED"
    assert exams_used(app, lonely) == 0


def test_start_is_refused_without_a_subscription(client, make_user, link_parent, world):
    student = make_user("student")
    link_parent(world["parent"], student)
    response = start(client, student, world["mcq_only"])
    assert response.status_code == 403 and response.get_json()["error"] == "SUBSCRIPTION_REQUIRED"


def test_written_exam_is_not_in_an_mcq_only_plan(app, client, make_user, link_parent, world):
    student = make_user("student")
    link_parent(world["parent"], student)
    give_subscription(app, student, "premium_mcq")
    refused = start(client, student, world["written"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "EXAM_TYPE_NOT_IN_PLAN"
    assert exams_used(app, student) == 0
    assert start(client, student, world["mcq_only"]).status_code == 201


def test_insufficient_questions_is_409_per_section_and_consumes_nothing(app, client, world):
    thin = private_unit("thin")
    make_questions(app, thin, "MCQ", 2)
    template = make_template(app, [section("A", "MCQ", 3, {thin: 1.0}), section("B", "SA", 1, {thin: 1.0})])
    response = start(client, world["student"], template)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "INSUFFICIENT_QUESTIONS"
    assert {s["section_name"]: (s["needed"], s["available"]) for s in body["details"]["sections"]} == {
        "A": (3, 2),
        "B": (1, 0),
    }
    assert exams_used(app, world["student"]) == 0


def test_quota_limit_refuses_with_used_limit_and_reset_date(app, client, make_user, link_parent, world):
    student = make_user("student")
    link_parent(world["parent"], student)
    give_subscription(app, student, "basic", used=5)
    response = start(client, student, world["mcq_only"])
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "SUBSCRIPTION_LIMIT_EXCEEDED"
    assert body["details"]["used"] == 5 and body["details"]["limit"] == 5 and body["details"]["resets_on"]


def test_template_of_another_class_is_404(app, client, world):
    unit = private_unit("x")
    make_questions(app, unit, "MCQ", 3, school_class="X")
    template = make_template(app, [section("A", "MCQ", 2, {unit: 1.0})], school_class="X", exam_type="section_mcq")
    assert start(client, world["student"], template).status_code == 404
    assert start(client, world["student"], uuid.uuid4()).status_code == 404


def test_idempotency_key_returns_the_first_answer_and_consumes_once(app, client, world):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = start(client, world["student"], world["mcq_only"], **key)
    again = start(client, world["student"], world["mcq_only"], **key)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["exam_instance_id"] == again.get_json()["exam_instance_id"]
    assert exams_used(app, world["student"]) == 1
    other = client.post(
        "/api/v1/exams/start",
        json={"template_id": str(world["written"])},
        headers={**world["student"]["headers"], **key},
    )
    assert other.status_code == 409


def test_concurrent_starts_never_exceed_the_limit(app, make_user, link_parent, world):
    student = make_user("student")
    link_parent(world["parent"], student)
    give_subscription(app, student, "basic")  # 5 exams a month
    # no more threads than the app's pool has connections: a thread waiting for a
    # connection would measure the pool, not the quota rule
    attempts = app.config["SETTINGS"].pool_max_size

    def attempt():
        return start(app.test_client(), student, world["mcq_only"]).status_code

    statuses = run_at_once(attempts, attempt)
    assert sorted(statuses) == [201] * 5 + [403] * (attempts - 5)
    assert exams_used(app, student) == 5
    with connect(app) as conn:
        assert (
            conn.execute(
                "SELECT count(*) AS n FROM exam_instances WHERE student_user_id = %s", (student["user_id"],)
            ).fetchone()["n"]
            == 5
        )


# --- taking --------------------------------------------------------------------------------------


def test_autosave_and_submit_score_exact_sets(app, client, world):
    multi = private_unit("multi")
    make_questions(app, multi, "MCQ", 4, correct=("A", "C"))
    template = make_template(app, [section("A", "MCQ", 3, {multi: 1.0})], exam_type="section_mcq")
    exam = start(client, world["student"], template).get_json()
    exam_id, headers = exam["exam_instance_id"], world["student"]["headers"]
    saved = client.put(
        f"/api/v1/exams/{exam_id}/answers",
        headers=headers,
        json={
            "answers": [
                {"question_number": 1, "selected_choices": ["A", "C"]},
                {"question_number": 2, "selected_choices": ["A"]},
            ]
        },
    )
    assert saved.status_code == 200 and saved.get_json()["saved"] == 2
    view = client.get(f"/api/v1/exams/{exam_id}", headers=headers).get_json()
    assert {a["question_number"]: a["selected_choices"] for a in view["answers"]} == {1: ["A", "C"], 2: ["A"]}

    submitted = client.post(f"/api/v1/exams/{exam_id}/submit-mcq", headers=headers, json={})
    assert submitted.status_code == 200
    body = submitted.get_json()
    assert body["status"] == "evaluated"
    assert body["mcq_score"] == 1 and body["mcq_total"] == 3 and body["mcq_percentage"] == 33.33
    by_number = {r["question_number"]: r for r in body["results"]}
    assert by_number[1]["is_correct"] and not by_number[2]["is_correct"] and not by_number[3]["is_correct"]
    assert by_number[3]["selected_choices"] == [] and by_number[1]["explanation"]
    final = client.get(f"/api/v1/exams/{exam_id}", headers=headers).get_json()
    assert final["total_score"] == 1 and final["percentage"] == 33.33
    assert final["questions"][0]["mcq_correct_choices"] == ["A", "C"]
    assert audit_count(app, "exam.mcq_submitted", exam_id) == 1


def test_written_exam_goes_to_submitted_mcq_and_second_submit_is_409(client, world):
    exam = start(client, world["student"], world["written"]).get_json()
    url = f"/api/v1/exams/{exam['exam_instance_id']}/submit-mcq"
    first = client.post(
        url, headers=world["student"]["headers"], json={"answers": [{"question_number": 1, "selected_choices": ["A"]}]}
    )
    assert first.status_code == 200 and first.get_json()["status"] == "submitted_mcq"
    assert first.get_json()["mcq_score"] == 1 and first.get_json()["mcq_percentage"] == 50.0
    second = client.post(url, headers=world["student"]["headers"], json={})
    assert second.status_code == 409 and second.get_json()["error"] == "INVALID_EXAM_STATE"


def test_answers_are_validated(client, world):
    exam = start(client, world["student"], world["written"]).get_json()
    url = f"/api/v1/exams/{exam['exam_instance_id']}/answers"
    for answers in (
        [{"question_number": 3, "selected_choices": ["A"]}],  # a VSA
        [{"question_number": 1, "selected_choices": ["E"]}],  # not a label
        [{"question_number": 99, "selected_choices": ["A"]}],
        [{"question_number": 1, "selected_choices": ["A"]}, {"question_number": 1, "selected_choices": ["B"]}],
    ):
        response = client.put(url, headers=world["student"]["headers"], json={"answers": answers})
        assert response.status_code == 422, answers
        assert response.get_json()["error"] == "VALIDATION_ERROR"
        assert response.get_json()["details"]["fields"], answers
    not_a_list = client.put(url, headers=world["student"]["headers"], json={"answers": "A"})
    assert not_a_list.status_code == 422 and "answers" in not_a_list.get_json()["details"]["fields"]
    view = client.get(f"/api/v1/exams/{exam['exam_instance_id']}", headers=world["student"]["headers"]).get_json()
    assert view["answers"] == [] and view["status"] == "in_progress"


def test_parent_and_student_do_not_see_answers_before_submission(client, world):
    exam = start(client, world["student"], world["mcq_only"]).get_json()
    for viewer in (world["student"], world["parent"]):
        view = client.get(f"/api/v1/exams/{exam['exam_instance_id']}", headers=viewer["headers"])
        assert view.status_code == 200
        assert all(q.get("mcq_correct_choices") is None for q in view.get_json()["questions"])


def _expire(app, exam_id):
    with connect(app) as conn:
        conn.execute(
            "UPDATE exam_instances SET deadline_at = now() - interval '1 minute' WHERE exam_instance_id = %s",
            (exam_id,),
        )


def test_after_time_is_over_the_student_is_refused_and_the_sweep_submits(app, client, world):
    exam = start(client, world["student"], world["written"]).get_json()
    exam_id, headers = exam["exam_instance_id"], world["student"]["headers"]
    client.put(
        f"/api/v1/exams/{exam_id}/answers",
        headers=headers,
        json={"answers": [{"question_number": 1, "selected_choices": ["A"]}]},
    )
    _expire(app, exam_id)
    late = client.put(
        f"/api/v1/exams/{exam_id}/answers",
        headers=headers,
        json={"answers": [{"question_number": 2, "selected_choices": ["A"]}]},
    )
    assert late.status_code == 409 and late.get_json()["error"] == "EXAM_TIME_OVER"
    assert client.post(f"/api/v1/exams/{exam_id}/submit-mcq", headers=headers, json={}).status_code == 409

    assert run_job("auto-submit-exams", datetime.now(UTC), app.config["SETTINGS"]) >= 1
    view = client.get(f"/api/v1/exams/{exam_id}", headers=headers).get_json()
    assert view["status"] == "pending_upload" and view["mcq_score"] == 1
    assert audit_count(app, "exam.auto_submitted", exam_id) == 1
    # Idempotent: another sweep does nothing to it.
    run_job("auto-submit-exams", datetime.now(UTC), app.config["SETTINGS"])
    assert audit_count(app, "exam.auto_submitted", exam_id) == 1


def test_auto_submit_job_runs_on_a_real_worker(app, client, world, worker_settings):
    from redis import Redis
    from rq import Queue

    exam = start(client, world["student"], world["mcq_only"]).get_json()
    exam_id = exam["exam_instance_id"]
    _expire(app, exam_id)
    with Redis.from_url(worker_settings.redis_url) as worker_redis:
        job = Queue("default", connection=worker_redis).enqueue("mathvidya.exams.jobs.auto_submit_exam_job", exam_id)
        result = subprocess.run(
            [sys.executable, "-m", "mathvidya.worker", "--burst"],
            cwd=ROOT,
            env=process_env(worker_settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert job.get_status(refresh=True) == "finished", result.stderr
    view = client.get(f"/api/v1/exams/{exam_id}", headers=world["student"]["headers"]).get_json()
    assert view["status"] == "evaluated"
    assert audit_count(app, "exam.auto_submitted", exam_id) == 1


# --- uploads -------------------------------------------------------------------------------------


def _submitted_written_exam(client, world):
    exam = start(client, world["student"], world["written"]).get_json()
    client.post(f"/api/v1/exams/{exam['exam_instance_id']}/submit-mcq", headers=world["student"]["headers"], json={})
    return exam["exam_instance_id"]


def _upload(client, world, exam_id, pages: dict[int, bytes]):
    targets = client.get(
        f"/api/v1/exams/{exam_id}/upload-urls?page_count={max(pages)}", headers=world["student"]["headers"]
    )
    assert targets.status_code == 200
    forms = {t["page_number"]: t for t in targets.get_json()["upload_urls"]}
    for page, data in pages.items():
        form = forms[page]
        assert form["method"] == "POST"
        response = requests.post(form["url"], data=form["fields"], files={"file": (f"p{page}.jpg", data)}, timeout=10)
        assert response.status_code in (200, 204), response.text


def _confirm(client, world, exam_id, pages, mapping, unanswered=()):
    return client.post(
        f"/api/v1/exams/{exam_id}/confirm-upload",
        headers=world["student"]["headers"],
        json={"pages_uploaded": pages, "unanswered_questions": list(unanswered), "page_question_mapping": mapping},
    )


def test_upload_jpeg_png_pdf_then_confirm_starts_the_sla_clock(app, client, world):
    exam_id = _submitted_written_exam(client, world)
    _upload(client, world, exam_id, {1: JPEG, 2: PNG, 3: PDF})
    response = _confirm(client, world, exam_id, [1, 2, 3], {"1": [3], "2": [4]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending_evaluation"
    assert datetime.fromisoformat(body["sla_deadline"]) > datetime.fromisoformat(body["submitted_at"])
    again = _confirm(client, world, exam_id, [1, 2, 3], {"1": [3], "2": [4]})
    assert again.status_code == 200 and again.get_json()["sla_deadline"] == body["sla_deadline"]
    assert audit_count(app, "exam.uploaded", exam_id) == 1
    with connect(app) as conn:
        types = [
            r["content_type"]
            for r in conn.execute(
                "SELECT content_type FROM answer_sheet_uploads WHERE exam_instance_id = %s ORDER BY page_number",
                (exam_id,),
            ).fetchall()
        ]
    assert types == ["image/jpeg", "image/png", "application/pdf"]


def test_text_file_named_jpg_is_refused(client, world):
    exam_id = _submitted_written_exam(client, world)
    _upload(client, world, exam_id, {1: b"just some text, not an image"})
    response = _confirm(client, world, exam_id, [1], {"1": [3, 4]})
    assert response.status_code == 422 and response.get_json()["error"] == "UPLOAD_TYPE_NOT_ALLOWED"


def test_missing_page_is_refused(client, world):
    exam_id = _submitted_written_exam(client, world)
    _upload(client, world, exam_id, {1: JPEG})
    response = _confirm(client, world, exam_id, [1, 2], {"1": [3], "2": [4]})
    assert response.status_code == 422 and response.get_json()["error"] == "UPLOAD_MISSING"
    assert response.get_json()["details"]["page"] == 2


def _exam_status(client, world, exam_id) -> str:
    return client.get(f"/api/v1/exams/{exam_id}", headers=world["student"]["headers"]).get_json()["status"]


def _put_page_directly(app, world, exam_id: str, page: int, data: bytes) -> None:
    """Straight into the bucket, past the signed form's policy (as a lax S3-compatible store would)."""
    from mathvidya.storage import storage_for

    key = f"answer-sheets/{exam_id}/page-{page}"
    storage_for(app.config["SETTINGS"]).put(key, data, "image/jpeg")


def test_the_signed_form_caps_a_page_at_the_size_limit(client, world):
    exam_id = _submitted_written_exam(client, world)
    body = client.get(f"/api/v1/exams/{exam_id}/upload-urls?page_count=1", headers=world["student"]["headers"])
    assert body.get_json()["max_size_bytes"] == 5 * 1024 * 1024
    policy = json.loads(base64.b64decode(body.get_json()["upload_urls"][0]["fields"]["policy"]))
    assert ["content-length-range", 1, 5 * 1024 * 1024] in policy["conditions"]


def test_confirmation_itself_refuses_a_page_over_the_size_limit(app, client, world):
    """The app's own check, whatever let the page in: one byte over the limit is refused."""
    exam_id = _submitted_written_exam(client, world)
    limit = 5 * 1024 * 1024
    _put_page_directly(app, world, exam_id, 1, JPEG + b"\x00" * (limit + 1 - len(JPEG)))
    response = _confirm(client, world, exam_id, [1], {"1": [3, 4]})
    assert response.status_code == 422 and response.get_json()["error"] == "UPLOAD_TOO_LARGE"
    assert response.get_json()["details"] == {"page": 1, "size_bytes": limit + 1, "max_bytes": limit}
    assert _exam_status(client, world, exam_id) == "submitted_mcq"
    # exactly at the limit is accepted
    _put_page_directly(app, world, exam_id, 1, JPEG + b"\x00" * (limit - len(JPEG)))
    accepted = _confirm(client, world, exam_id, [1], {"1": [3, 4]})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "pending_evaluation"


@pytest.mark.parametrize(
    ("pages", "mapping", "unanswered", "field", "message"),
    [
        ([1, 1], {"1": [3, 4]}, [], "pages_uploaded", "must not repeat"),
        ([1], {"1": [3], "2": [4]}, [], "page_question_mapping.2", "is not one of pages_uploaded"),
        ([1], {"1": [1, 3, 4]}, [], "page_question_mapping.1", "not written questions of this exam: [1]"),
        ([1], {"1": [3, 4]}, [9], "unanswered_questions", "not written questions of this exam: [9]"),
        ([1], {"1": [3, 4]}, [4], "unanswered_questions", "also mapped to a page: [4]"),
        ([1], {"1": [3]}, [], "page_question_mapping", "neither on a page nor declared unanswered: [4]"),
        ([], {}, [3], "pages_uploaded", "at least one page is needed"),
    ],
    ids=[
        "repeated-page",
        "mapping-to-a-page-not-uploaded",
        "mapping-a-question-that-is-not-written",
        "unanswered-question-that-is-not-written",
        "unanswered-and-mapped",
        "written-question-left-out",
        "no-pages-while-something-is-answered",
    ],
)
def test_each_confirmation_rule_is_a_422_on_its_field_and_changes_nothing(
    app, client, world, pages, mapping, unanswered, field, message
):
    exam_id = _submitted_written_exam(client, world)
    _upload(client, world, exam_id, {1: JPEG})
    response = _confirm(client, world, exam_id, pages, mapping, unanswered)
    assert response.status_code == 422 and response.get_json()["error"] == "VALIDATION_ERROR"
    fields = response.get_json()["details"]["fields"]
    assert field in fields, fields
    assert any(message in text for text in fields[field]), fields[field]
    assert _exam_status(client, world, exam_id) == "submitted_mcq"
    assert audit_count(app, "exam.uploaded", exam_id) == 0


def test_upload_before_the_mcq_part_is_409(client, world):
    exam = start(client, world["student"], world["written"]).get_json()
    response = client.get(
        f"/api/v1/exams/{exam['exam_instance_id']}/upload-urls?page_count=1", headers=world["student"]["headers"]
    )
    assert response.status_code == 409 and response.get_json()["error"] == "INVALID_EXAM_STATE"
    assert (
        client.get(
            f"/api/v1/exams/{exam['exam_instance_id']}/upload-urls?page_count=41", headers=world["student"]["headers"]
        ).status_code
        == 422
    )


# --- results, lists and scope ------------------------------------------------------------------------


def test_results_for_owner_and_parent_after_submission(client, world):
    exam = start(client, world["student"], world["mcq_only"]).get_json()
    exam_id = exam["exam_instance_id"]
    assert client.get(f"/api/v1/exams/{exam_id}/results", headers=world["student"]["headers"]).status_code == 409
    client.post(
        f"/api/v1/exams/{exam_id}/submit-mcq",
        headers=world["student"]["headers"],
        json={"answers": [{"question_number": 1, "selected_choices": ["A"]}]},
    )
    for viewer in (world["student"], world["parent"]):
        results = client.get(f"/api/v1/exams/{exam_id}/results", headers=viewer["headers"])
        assert results.status_code == 200
        body = results.get_json()
        assert body["total_score"] == 1 and body["percentage"] == 25.0
        assert body["questions"][0]["is_correct"] is True and body["questions"][0]["explanation"]


def test_lists_are_scoped(client, make_user, world):
    exam = start(client, world["student"], world["mcq_only"]).get_json()
    own = client.get("/api/v1/exams", headers=world["student"]["headers"]).get_json()
    assert own["items"][0]["exam_instance_id"] == exam["exam_instance_id"] and own["total"] >= 1
    child = client.get(f"/api/v1/exams?student_id={world['student']['user_id']}", headers=world["parent"]["headers"])
    assert child.status_code == 200 and child.get_json()["total"] == own["total"]
    assert client.get("/api/v1/exams", headers=world["parent"]["headers"]).status_code == 422
    stranger = make_user("parent")
    assert (
        client.get(f"/api/v1/exams?student_id={world['student']['user_id']}", headers=stranger["headers"]).status_code
        == 404
    )


def test_another_students_exam_is_404_on_every_endpoint(client, make_user, world):
    exam_id = start(client, world["student"], world["written"]).get_json()["exam_instance_id"]
    other, stranger_parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    for viewer in (other, stranger_parent, teacher):
        assert client.get(f"/api/v1/exams/{exam_id}", headers=viewer["headers"]).status_code == 404
    calls = [
        ("put", "answers", {"answers": []}),
        ("post", "submit-mcq", {}),
        ("get", "upload-urls?page_count=1", None),
        ("post", "confirm-upload", {"pages_uploaded": [], "unanswered_questions": [3, 4], "page_question_mapping": {}}),
        ("get", "results", None),
    ]
    for method, path, body in calls:
        response = client.open(
            f"/api/v1/exams/{exam_id}/{path}", method=method.upper(), json=body, headers=other["headers"]
        )
        assert response.status_code == 404, (method, path, response.status_code)
    assert client.get(f"/api/v1/exams/{exam_id}/results", headers=stranger_parent["headers"]).status_code == 404


def test_the_linked_parent_may_read_the_exam_but_not_upload_for_it(client, world):
    exam_id = _submitted_written_exam(client, world)
    parent = world["parent"]
    assert client.get(f"/api/v1/exams/{exam_id}", headers=parent["headers"]).status_code == 200
    refused = client.get(f"/api/v1/exams/{exam_id}/upload-urls?page_count=1", headers=parent["headers"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "FORBIDDEN"


def test_an_admin_reads_any_exam(client, make_user, world):
    exam_id = start(client, world["student"], world["written"]).get_json()["exam_instance_id"]
    response = client.get(f"/api/v1/exams/{exam_id}", headers=make_user("admin")["headers"])
    assert response.status_code == 200 and response.get_json()["exam_instance_id"] == exam_id


def test_confirming_an_exam_still_being_taken_is_409_and_changes_nothing(client, world):
    exam_id = start(client, world["student"], world["written"]).get_json()["exam_instance_id"]
    response = _confirm(client, world, exam_id, [], {}, unanswered=[3, 4])
    assert response.status_code == 409 and response.get_json()["error"] == "INVALID_EXAM_STATE"
    assert _exam_status(client, world, exam_id) == "in_progress"
