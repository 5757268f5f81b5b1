"""The teacher's side: queue, view, start, marks, submit, reassign; scope is 404."""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest
import requests

from tests.exam_fixtures import (
    assign_to,
    confirmed_exam,
    connect,
    give_subscription,
    make_questions,
    make_template,
    private_unit,
    section,
)


@pytest.fixture
def marking(app, client, make_user, link_parent):
    """A confirmed exam (2 MCQ + VSA 2 + SA 3 = 7 marks) assigned to a teacher."""
    student, parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    link_parent(parent, student)
    give_subscription(app, student, "centum")
    unit = private_unit("eval")
    make_questions(app, unit, "MCQ", 4)
    make_questions(app, unit, "VSA", 2)
    make_questions(app, unit, "SA", 2)
    template = make_template(
        app,
        [section("A", "MCQ", 2, {unit: 1.0}), section("B", "VSA", 1, {unit: 1.0}), section("C", "SA", 1, {unit: 1.0})],
    )
    exam = confirmed_exam(client, student, template, mcq_answers={1: ["A"], 2: ["B"]})
    evaluation_id = assign_to(app, exam["exam_instance_id"], teacher)
    return {
        "student": student,
        "parent": parent,
        "teacher": teacher,
        "exam": exam,
        "evaluation_id": evaluation_id,
        "template": template,
    }


def url(marking, suffix=""):
    return f"/api/v1/evaluations/{marking['evaluation_id']}{suffix}"


def test_queue_lists_the_teachers_open_evaluations_with_working_hours_left(client, marking):
    response = client.get("/api/v1/evaluations/queue", headers=marking["teacher"]["headers"])
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["evaluation_id"] for i in items] == [str(marking["evaluation_id"])]
    item = items[0]
    assert item["plan_type"] == "centum" and item["total_manual_questions"] == 2 and item["status"] == "assigned"
    assert 0 < item["hours_until_deadline"] <= 24
    assert item["student_class"] == "XII"


def test_teacher_sees_questions_answers_pages_and_deadline(client, marking):
    view = client.get(url(marking), headers=marking["teacher"]["headers"])
    assert view.status_code == 200
    body = view.get_json()
    assert [q["question_number"] for q in body["questions"]] == [3, 4]
    assert body["questions"][0]["correct_answer_text"] == "the answer"
    assert body["pages"][0]["question_numbers"] == [3, 4] and body["pages"][0]["url"].startswith("http")
    assert body["unanswered_questions"] == [] and body["sla_deadline"]


def test_another_teacher_gets_404_everywhere(client, make_user, marking):
    other = make_user("teacher")
    assert client.get(url(marking), headers=other["headers"]).status_code == 404
    assert client.post(url(marking, "/start"), headers=other["headers"]).status_code == 404
    assert (
        client.post(url(marking, "/submit"), json={"question_marks": []}, headers=other["headers"]).status_code == 404
    )
    queue = client.get("/api/v1/evaluations/queue", headers=other["headers"]).get_json()
    assert all(i["evaluation_id"] != str(marking["evaluation_id"]) for i in queue["items"])
    assert client.get(f"/api/v1/evaluations/{uuid.uuid4()}", headers=other["headers"]).status_code == 404


def test_start_then_submit_scores_the_exam_exactly(app, client, marking, settings):
    headers = marking["teacher"]["headers"]
    started = client.post(url(marking, "/start"), headers=headers)
    assert started.status_code == 200 and started.get_json()["status"] == "in_progress"
    submitted = client.post(
        url(marking, "/submit"),
        headers=headers,
        json={
            "question_marks": [
                {"question_number": 3, "marks_awarded": 1.5, "teacher_comment": "Show the working."},
                {"question_number": 4, "marks_awarded": 3},
            ]
        },
    )
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    # MCQ: question 1 right (A), question 2 wrong → 1; manual 4.5; total 5.5 of 7 → 78.57 %.
    assert body["status"] == "completed" and body["exam_status"] == "evaluated"
    assert body["total_manual_marks"] == 4.5 and body["total_exam_score"] == 5.5 and body["percentage"] == 78.57
    assert body["sla_breached"] is False

    results = client.get(
        f"/api/v1/exams/{marking['exam']['exam_instance_id']}/results", headers=marking["parent"]["headers"]
    ).get_json()
    assert results["total_score"] == 5.5 and results["percentage"] == 78.57 and results["manual_score"] == 4.5
    written = {q["question_number"]: q for q in results["questions"] if q["question_type"] != "MCQ"}
    assert written[3]["marks_awarded"] == 1.5 and written[3]["teacher_comment"] == "Show the working."
    with connect(app) as conn:
        events = {
            r["event_type"]
            for r in conn.execute(
                "SELECT event_type FROM audit_logs WHERE resource_id IN (%s, %s)",
                (str(marking["evaluation_id"]), marking["exam"]["exam_instance_id"]),
            ).fetchall()
        }
        notified = {
            r["user_id"]
            for r in conn.execute(
                "SELECT user_id FROM notifications WHERE event_type = 'evaluation.completed' AND resource_id = %s",
                (marking["exam"]["exam_instance_id"],),
            ).fetchall()
        }
    assert {"evaluation.started", "evaluation.completed", "score.updated"} <= events
    assert notified == {marking["student"]["user_id"], marking["parent"]["user_id"]}

    again = client.post(
        url(marking, "/submit"),
        headers=headers,
        json={
            "question_marks": [{"question_number": 3, "marks_awarded": 2}, {"question_number": 4, "marks_awarded": 3}]
        },
    )
    assert again.status_code == 409 and again.get_json()["error"] == "EVALUATION_ALREADY_SUBMITTED"


@pytest.mark.parametrize(
    "marks,field",
    [
        ([{"question_number": 3, "marks_awarded": 2.5}, {"question_number": 4, "marks_awarded": 3}], "marks_awarded"),
        ([{"question_number": 3, "marks_awarded": 1.25}, {"question_number": 4, "marks_awarded": 3}], "marks_awarded"),
        ([{"question_number": 3, "marks_awarded": -1}, {"question_number": 4, "marks_awarded": 3}], "marks_awarded"),
        (
            [
                {"question_number": 1, "marks_awarded": 1},
                {"question_number": 3, "marks_awarded": 1},
                {"question_number": 4, "marks_awarded": 3},
            ],
            "question_number",
        ),
    ],
)
def test_bad_marks_are_422_and_nothing_is_saved(app, client, marking, marks, field):
    response = client.post(
        url(marking, "/submit"), headers=marking["teacher"]["headers"], json={"question_marks": marks}
    )
    assert response.status_code == 422
    assert field in json.dumps(response.get_json()["details"]["fields"])
    with connect(app) as conn:
        assert (
            conn.execute(
                "SELECT count(*) AS n FROM question_marks WHERE evaluation_id = %s", (marking["evaluation_id"],)
            ).fetchone()["n"]
            == 0
        )


def _marks_saved(app, marking) -> int:
    with connect(app) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM question_marks WHERE evaluation_id = %s", (marking["evaluation_id"],)
        ).fetchone()["n"]


def _evaluation_status(client, marking) -> str:
    return client.get(url(marking), headers=marking["teacher"]["headers"]).get_json()["status"]


def test_long_comment_is_422(app, client, marking):
    response = client.post(
        url(marking, "/submit"),
        headers=marking["teacher"]["headers"],
        json={
            "question_marks": [
                {"question_number": 3, "marks_awarded": 1, "teacher_comment": "x" * 501},
                {"question_number": 4, "marks_awarded": 3},
            ]
        },
    )
    assert response.status_code == 422 and response.get_json()["error"] == "VALIDATION_ERROR"
    assert "teacher_comment" in json.dumps(response.get_json()["details"]["fields"])
    assert _marks_saved(app, marking) == 0
    assert _evaluation_status(client, marking) == "assigned"


def test_the_same_question_marked_twice_is_422_and_nothing_is_saved(app, client, marking):
    response = client.post(
        url(marking, "/submit"),
        headers=marking["teacher"]["headers"],
        json={
            "question_marks": [
                {"question_number": 3, "marks_awarded": 1},
                {"question_number": 4, "marks_awarded": 3},
                {"question_number": 3, "marks_awarded": 2},
            ]
        },
    )
    assert response.status_code == 422 and response.get_json()["error"] == "VALIDATION_ERROR"
    assert response.get_json()["details"]["fields"] == {
        "question_marks.2.question_number": ["question 3 is marked twice"]
    }
    assert _marks_saved(app, marking) == 0
    assert _evaluation_status(client, marking) == "assigned"


def test_starting_an_already_started_evaluation_changes_nothing(app, client, marking):
    headers = marking["teacher"]["headers"]
    first = client.post(url(marking, "/start"), headers=headers)
    again = client.post(url(marking, "/start"), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.get_json()["status"] == "in_progress"
    with connect(app) as conn:
        started_events = conn.execute(
            "SELECT count(*) AS n FROM audit_logs WHERE event_type = 'evaluation.started' AND resource_id = %s",
            (str(marking["evaluation_id"]),),
        ).fetchone()["n"]
    assert started_events == 1


def test_starting_a_completed_evaluation_is_409_and_changes_nothing(app, client, marking):
    headers = marking["teacher"]["headers"]
    client.post(url(marking, "/start"), headers=headers)
    submitted = client.post(
        url(marking, "/submit"),
        headers=headers,
        json={
            "question_marks": [{"question_number": 3, "marks_awarded": 1}, {"question_number": 4, "marks_awarded": 3}]
        },
    )
    assert submitted.status_code == 200, submitted.get_json()
    response = client.post(url(marking, "/start"), headers=headers)
    assert response.status_code == 409 and response.get_json()["error"] == "EVALUATION_ALREADY_SUBMITTED"
    with connect(app) as conn:
        row = conn.execute(
            "SELECT status, completed_at, total_manual_marks FROM evaluations WHERE evaluation_id = %s",
            (marking["evaluation_id"],),
        ).fetchone()
    assert row["status"] == "completed" and row["completed_at"] is not None
    assert row["total_manual_marks"] == 4


def test_missing_marks_is_evaluation_incomplete(client, marking):
    response = client.post(
        url(marking, "/submit"),
        headers=marking["teacher"]["headers"],
        json={"question_marks": [{"question_number": 3, "marks_awarded": 1}]},
    )
    assert response.status_code == 422 and response.get_json()["error"] == "EVALUATION_INCOMPLETE"
    assert response.get_json()["details"]["missing_question_numbers"] == [4]


def test_declared_unanswered_questions_score_zero(app, client, make_user, link_parent):
    student, parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    link_parent(parent, student)
    give_subscription(app, student, "premium")
    unit = private_unit("skip")
    make_questions(app, unit, "MCQ", 2)
    make_questions(app, unit, "VSA", 2)
    template = make_template(app, [section("A", "MCQ", 1, {unit: 1.0}), section("B", "VSA", 2, {unit: 1.0})])
    exam = confirmed_exam(client, student, template, mcq_answers={1: ["A"]}, unanswered=(3,))
    evaluation_id = assign_to(app, exam["exam_instance_id"], teacher)
    refused = client.post(
        f"/api/v1/evaluations/{evaluation_id}/submit",
        headers=teacher["headers"],
        json={
            "question_marks": [{"question_number": 3, "marks_awarded": 1}, {"question_number": 2, "marks_awarded": 2}]
        },
    )
    assert refused.status_code == 422
    done = client.post(
        f"/api/v1/evaluations/{evaluation_id}/submit",
        headers=teacher["headers"],
        json={"question_marks": [{"question_number": 2, "marks_awarded": 2}]},
    )
    assert done.status_code == 200
    assert done.get_json()["total_exam_score"] == 3 and done.get_json()["percentage"] == 60.0
    total_manual = client.get(f"/api/v1/evaluations/{evaluation_id}", headers=teacher["headers"]).get_json()
    assert total_manual["unanswered_questions"] == [3]


def test_late_submission_is_marked_breached(app, client, marking):
    with connect(app) as conn:
        conn.execute(
            "UPDATE evaluations SET sla_deadline = now() - interval '1 hour' WHERE evaluation_id = %s",
            (marking["evaluation_id"],),
        )
    response = client.post(
        url(marking, "/submit"),
        headers=marking["teacher"]["headers"],
        json={
            "question_marks": [{"question_number": 3, "marks_awarded": 2}, {"question_number": 4, "marks_awarded": 3}]
        },
    )
    assert response.status_code == 200 and response.get_json()["sla_breached"] is True


def test_admin_reassigns_an_open_evaluation_keeping_the_deadline(app, client, make_user, marking):
    admin, newcomer = make_user("admin"), make_user("teacher")
    before = client.get(url(marking), headers=admin["headers"]).get_json()
    response = client.post(
        f"/api/v1/admin/evaluations/{marking['evaluation_id']}/reassign",
        json={"teacher_user_id": str(newcomer["user_id"])},
        headers=admin["headers"],
    )
    assert response.status_code == 200
    assert response.get_json()["teacher_user_id"] == str(newcomer["user_id"])
    assert response.get_json()["sla_deadline"] == before["sla_deadline"]
    assert client.get(url(marking), headers=marking["teacher"]["headers"]).status_code == 404
    assert client.get(url(marking), headers=newcomer["headers"]).status_code == 200
    with connect(app) as conn:
        assert (
            conn.execute(
                "SELECT count(*) AS n FROM audit_logs WHERE event_type = 'evaluation.reassigned' AND resource_id = %s",
                (str(marking["evaluation_id"]),),
            ).fetchone()["n"]
            == 1
        )
    not_teacher = client.post(
        f"/api/v1/admin/evaluations/{marking['evaluation_id']}/reassign",
        json={"teacher_user_id": str(marking["student"]["user_id"])},
        headers=admin["headers"],
    )
    assert not_teacher.status_code == 422
    assert "teacher_user_id" in not_teacher.get_json()["details"]["fields"]
    same = client.post(
        f"/api/v1/admin/evaluations/{marking['evaluation_id']}/reassign",
        json={"teacher_user_id": str(newcomer["user_id"])},
        headers=admin["headers"],
    )
    assert same.status_code == 409 and same.get_json()["error"] == "CONFLICT"
    assert client.get(url(marking), headers=newcomer["headers"]).status_code == 200


def test_completed_evaluation_cannot_be_reassigned(client, make_user, marking):
    admin, other = make_user("admin"), make_user("teacher")
    client.post(
        url(marking, "/submit"),
        headers=marking["teacher"]["headers"],
        json={
            "question_marks": [{"question_number": 3, "marks_awarded": 2}, {"question_number": 4, "marks_awarded": 3}]
        },
    )
    response = client.post(
        f"/api/v1/admin/evaluations/{marking['evaluation_id']}/reassign",
        json={"teacher_user_id": str(other["user_id"])},
        headers=admin["headers"],
    )
    assert response.status_code == 409 and response.get_json()["error"] == "EVALUATION_ALREADY_SUBMITTED"


def test_admin_list_filters_by_teacher_and_status(client, make_user, marking):
    admin = make_user("admin")
    mine = client.get(
        f"/api/v1/admin/evaluations?teacher_user_id={marking['teacher']['user_id']}", headers=admin["headers"]
    ).get_json()
    assert [i["evaluation_id"] for i in mine["items"]] == [str(marking["evaluation_id"])] and mine["total"] == 1
    completed = client.get(
        f"/api/v1/admin/evaluations?teacher_user_id={marking['teacher']['user_id']}&status=completed",
        headers=admin["headers"],
    ).get_json()
    assert completed["total"] == 0
    assert client.get("/api/v1/admin/evaluations?status=done", headers=admin["headers"]).status_code == 422


def test_reassignment_lets_the_new_teacher_be_warned_again(app, client, make_user, marking):
    admin, newcomer = make_user("admin"), make_user("teacher")
    with connect(app) as conn:
        conn.execute(
            "UPDATE evaluations SET sla_warned_at = now() WHERE evaluation_id = %s", (marking["evaluation_id"],)
        )
    client.post(
        f"/api/v1/admin/evaluations/{marking['evaluation_id']}/reassign",
        json={"teacher_user_id": str(newcomer["user_id"])},
        headers=admin["headers"],
    )
    with connect(app) as conn:
        row = conn.execute(
            "SELECT sla_warned_at FROM evaluations WHERE evaluation_id = %s", (marking["evaluation_id"],)
        ).fetchone()
    assert row["sla_warned_at"] is None


def test_pages_are_signed_with_the_type_stored_at_confirm_upload_without_reading_s3(client, marking, monkeypatch):
    """The evaluation view and the results sign each page with the type its bytes showed when
    the upload was confirmed: no S3 read while answering, and still never a declared type."""
    from mathvidya.storage import Storage

    def no_reads(*_args, **_kwargs):
        raise AssertionError("a page link read S3")

    monkeypatch.setattr(Storage, "read_range", no_reads)
    view = client.get(url(marking), headers=marking["teacher"]["headers"])
    assert view.status_code == 200
    (page,) = view.get_json()["pages"]
    assert page["content_type"] == "image/jpeg"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page["url"]).query)
    assert query["response-content-type"] == ["image/jpeg"] and query["response-content-disposition"] == ["inline"]
    served = requests.get(page["url"], timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"

    results = client.get(
        f"/api/v1/exams/{marking['exam']['exam_instance_id']}/results", headers=marking["student"]["headers"]
    )
    assert results.status_code == 200
    (result_page,) = results.get_json()["pages"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(result_page["original_url"]).query)
    assert query["response-content-type"] == ["image/jpeg"] and result_page["annotated_url"] is None
