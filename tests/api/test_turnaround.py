"""Turnaround in GET /exams/{id}: the owner and linked parents see the marking's progress
once the pages are confirmed, and the working hours it took once marked; business clock frozen."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mathvidya import business_time
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
from tests.factories import link_parent

SATURDAY_5PM = datetime(2026, 12, 5, 17, 0, tzinfo=business_time.BUSINESS_TZ)  # a working Saturday
MONDAY_1030 = datetime(2026, 12, 7, 10, 30, tzinfo=business_time.BUSINESS_TZ)


@pytest.fixture
def world(app, client, make_user, link_parent):
    student, parent, teacher = make_user("student"), make_user("parent"), make_user("teacher")
    link_parent(parent, student)
    give_subscription(app, student, "centum")
    unit = private_unit("turnaround")
    make_questions(app, unit, "MCQ", 2)
    make_questions(app, unit, "SA", 2)
    template = make_template(app, [section("A", "MCQ", 1, {unit: 1.0}), section("C", "SA", 1, {unit: 1.0})])
    return {"student": student, "parent": parent, "teacher": teacher, "template": template}


def _confirmed_at(app, client, world, instant):
    with business_time.frozen_at(instant):
        exam = confirmed_exam(client, world["student"], world["template"], mcq_answers={1: ["A"]})
    evaluation_id = assign_to(app, exam["exam_instance_id"], world["teacher"])
    return exam, evaluation_id


def _mark(client, world, exam, evaluation_id, instant):
    number = exam["written"][0]
    with business_time.frozen_at(instant):
        response = client.post(
            f"/api/v1/evaluations/{evaluation_id}/submit",
            json={"question_marks": [{"question_number": number, "marks_awarded": 2}]},
            headers=world["teacher"]["headers"],
        )
    assert response.status_code == 200, response.get_json()


def _view(client, user, exam, instant=None):
    with business_time.frozen_at(instant or business_time.now()):
        return client.get(f"/api/v1/exams/{exam['exam_instance_id']}", headers=user["headers"])


def test_no_evaluation_block_before_confirmation(client, world):
    exam = client.post(
        "/api/v1/exams/start", json={"template_id": str(world["template"])}, headers=world["student"]["headers"]
    ).get_json()
    body = _view(client, world["student"], exam).get_json()
    assert body["evaluation"] is None and body["turnaround_working_hours"] is None


def test_open_then_marked_on_time_with_working_hours_over_the_sunday(app, client, world):
    exam, evaluation_id = _confirmed_at(app, client, world, SATURDAY_5PM)
    for viewer in (world["student"], world["parent"]):
        body = _view(client, viewer, exam, SATURDAY_5PM + timedelta(hours=3)).get_json()
        evaluation = body["evaluation"]
        assert evaluation["status"] == "assigned" and evaluation["teacher_assigned"] is True
        assert evaluation["on_time"] is None and body["turnaround_working_hours"] is None
        assert evaluation["sla_deadline"] == exam["sla_deadline"]
        # 17:00 → 18:00 Saturday is worked; the evening and Sunday are not.
        deadline = datetime.fromisoformat(exam["sla_deadline"])
        assert evaluation["working_hours_left"] < 24 and deadline > MONDAY_1030
    _mark(client, world, exam, evaluation_id, MONDAY_1030)
    body = _view(client, world["parent"], exam).get_json()
    assert body["evaluation"]["status"] == "completed" and body["evaluation"]["on_time"] is True
    assert body["evaluation"]["working_hours_left"] is None
    assert body["turnaround_working_hours"] == 2.5  # Saturday 1 h + Monday 1.5 h
    listed = client.get(
        f"/api/v1/exams?student_id={world['student']['user_id']}", headers=world["parent"]["headers"]
    ).get_json()["items"]
    item = next(i for i in listed if i["exam_instance_id"] == exam["exam_instance_id"])
    assert item["turnaround_working_hours"] == 2.5 and item["evaluation"]["on_time"] is True
    for user in (world["student"], world["parent"]):
        mail = _mails(app, user, "evaluation.completed")
        assert len(mail) == 1 and "Marked in 2.5 working hours, on time." in mail[0]


def _mails(app, user, event_type):
    with connect(app) as conn:
        rows = conn.execute(
            "SELECT body_text, body_html FROM email_outbox WHERE to_address = %s AND event_type = %s",
            (user["email"], event_type),
        ).fetchall()
    return [f"{r['body_text']}\n{r['body_html']}" for r in rows]


def test_marked_after_the_deadline_is_not_on_time(app, client, world):
    exam, evaluation_id = _confirmed_at(app, client, world, SATURDAY_5PM)
    late = datetime.fromisoformat(exam["sla_deadline"]) + timedelta(days=1)
    _mark(client, world, exam, evaluation_id, late)
    body = _view(client, world["student"], exam).get_json()
    assert body["evaluation"]["on_time"] is False and body["turnaround_working_hours"] > 24
    mail = _mails(app, world["student"], "evaluation.completed")
    assert f"Marked in {body['turnaround_working_hours']:g} working hours, after the deadline." in mail[0]


def test_teachers_get_no_turnaround_and_other_parents_get_404(app, client, make_user, world):
    exam, _ = _confirmed_at(app, client, world, SATURDAY_5PM)
    teacher_view = _view(client, world["teacher"], exam).get_json()
    assert "evaluation" not in teacher_view and "student_user_id" not in teacher_view
    other_parent = make_user("parent")
    link_target = make_user("student")
    link_parent(app, other_parent, link_target)
    assert _view(client, other_parent, exam).status_code == 404
