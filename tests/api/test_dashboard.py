"""GET /analytics/dashboard and GET /analytics/parent-view/{student_id}: the figures against
a hand-worked case (on a database of its own, so the bank holds only its questions), the
empty dashboard, the audited parent view, and who may see what."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import psycopg
import pytest
from psycopg.rows import dict_row

from mathvidya.insights import service
from mathvidya.insights.prediction import ExamEvidence, UnitMarks, predict_board_score
from mathvidya.questions.template_defaults import SYLLABUS_ORDER, chapter_weights
from tests.exam_fixtures import assign_to, give_subscription, make_questions, make_template, section, upload_page
from tests.factories import make_user as factory_make_user

DASHBOARD = "/api/v1/analytics/dashboard"


def parent_view(student_id) -> str:
    return f"/api/v1/analytics/parent-view/{student_id}"


# --- the hand-worked case -----------------------------------------------------------------------


@pytest.fixture
def world(fresh_app, fresh_database_url):
    """An app on an empty database of this test's own."""
    return SimpleNamespace(
        app=fresh_app, client=fresh_app.test_client(), settings=fresh_app.config["SETTINGS"], url=fresh_database_url
    )


def take_exam(client, student, template_id, answer_for_unit: dict[str, str]) -> dict:
    """Start, then answer each MCQ with the choice given for its unit; returns the exam."""
    started = client.post("/api/v1/exams/start", json={"template_id": str(template_id)}, headers=student["headers"])
    assert started.status_code == 201, started.get_json()
    exam = started.get_json()
    answers = [
        {"question_number": q["question_number"], "selected_choices": [answer_for_unit[q["unit"]]]}
        for q in exam["questions"]
        if q["question_type"] == "MCQ"
    ]
    submitted = client.post(
        f"/api/v1/exams/{exam['exam_instance_id']}/submit-mcq", json={"answers": answers}, headers=student["headers"]
    )
    assert submitted.status_code == 200, submitted.get_json()
    return exam


def test_dashboard_figures_match_a_hand_worked_case(world):
    app, client = world.app, world.client
    student = factory_make_user(app, "student", first_name="Kavya", last_name="Iyer")
    parent, teacher = factory_make_user(app, "parent"), factory_make_user(app, "teacher")
    with psycopg.connect(world.url) as conn:
        conn.execute(
            "INSERT INTO parent_student_mappings (parent_user_id, student_user_id) VALUES (%s, %s)",
            (parent["user_id"], student["user_id"]),
        )
    give_subscription(app, student, "premium")
    # Every MCQ's correct choice is A.
    make_questions(app, "Matrices", "MCQ", 2)
    make_questions(app, "Matrices", "VSA", 1)
    make_questions(app, "Probability", "MCQ", 3)
    make_questions(app, "Probability", "SA", 1)
    board_paper = make_template(
        app,
        [
            section("A", "MCQ", 4, {"Matrices": 0.5, "Probability": 0.5}),
            section("B", "VSA", 1, {"Matrices": 1.0}),
            section("C", "SA", 1, {"Probability": 1.0}),
        ],
    )
    mcq_drill = make_template(app, [section("A", "MCQ", 3, {"Probability": 1.0})], exam_type="section_mcq")

    # Exam 1 (board pattern, 9 marks): Matrices MCQs right (2/2), Probability MCQs wrong (0/2);
    # the teacher gives the Matrices VSA 1.5/2 and the Probability SA 1/3 → 4.5/9 = 50 %.
    first = take_exam(client, student, board_paper, {"Matrices": "A", "Probability": "B"})
    written = {q["unit"]: q["question_number"] for q in first["questions"] if q["question_type"] != "MCQ"}
    upload_page(client, student, first["exam_instance_id"], 1)
    confirmed = client.post(
        f"/api/v1/exams/{first['exam_instance_id']}/confirm-upload",
        headers=student["headers"],
        json={
            "pages_uploaded": [1],
            "unanswered_questions": [],
            "page_question_mapping": {"1": sorted(written.values())},
        },
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    evaluation_id = assign_to(app, first["exam_instance_id"], teacher)
    marked = client.post(
        f"/api/v1/evaluations/{evaluation_id}/submit",
        headers=teacher["headers"],
        json={
            "question_marks": [
                {"question_number": written["Matrices"], "marks_awarded": 1.5},
                {"question_number": written["Probability"], "marks_awarded": 1},
            ]
        },
    )
    assert marked.status_code == 200 and marked.get_json()["percentage"] == 50.0

    # Exam 2 (MCQ drill, evaluated at submission): 3 Probability MCQs, the first two right.
    started = client.post("/api/v1/exams/start", json={"template_id": str(mcq_drill)}, headers=student["headers"])
    second = started.get_json()
    answers = [
        {"question_number": q["question_number"], "selected_choices": ["A" if i < 2 else "C"]}
        for i, q in enumerate(second["questions"])
    ]
    done = client.post(
        f"/api/v1/exams/{second['exam_instance_id']}/submit-mcq", json={"answers": answers}, headers=student["headers"]
    )
    assert done.get_json()["status"] == "evaluated" and done.get_json()["mcq_percentage"] == 66.67

    response = client.get(DASHBOARD, headers=student["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["student"]["name"] == "Kavya Iyer" and body["student"]["class"] == "XII"
    assert body["exams_this_period"]["used"] == 2 and body["exams_this_period"]["allowed"] == 50
    assert body["exams_this_period"]["remaining"] == 48 and body["exams_this_period"]["resets_on"]
    assert body["teacher_hours"] == {"used": 0.0, "limit": 1.0, "unlimited": False}
    assert body["subscription"]["plan_type"] == "premium"

    units = {u["unit"]: u for u in body["unit_performance"]}
    assert [u["unit"] for u in body["unit_performance"]] == list(SYLLABUS_ORDER["XII"])
    # Matrices: MCQ 2/2 + written 1.5/2 = 3.5/4; CBSE weight 10 marks / 2 chapters / 80 = 0.0625.
    assert units["Matrices"] == {
        "unit": "Matrices",
        "cbse_weight": 0.0625,
        "marks_obtained": 3.5,
        "marks_possible": 4.0,
        "percentage": 87.5,
        "mcq": {"obtained": 2.0, "possible": 2.0, "percentage": 100.0},
        "written": {"obtained": 1.5, "possible": 2.0, "percentage": 75.0},
        "questions": 3,
        "exams": 1,
    }
    # Probability: MCQ 0/2 + 2/3 = 2/5, written 1/3 → 3/8 = 37.5 %; weight 8/80 = 0.1.
    assert units["Probability"] == {
        "unit": "Probability",
        "cbse_weight": 0.1,
        "marks_obtained": 3.0,
        "marks_possible": 8.0,
        "percentage": 37.5,
        "mcq": {"obtained": 2.0, "possible": 5.0, "percentage": 40.0},
        "written": {"obtained": 1.0, "possible": 3.0, "percentage": 33.33},
        "questions": 6,
        "exams": 2,
    }
    assert units["Integrals"]["marks_possible"] == 0.0 and units["Integrals"]["percentage"] is None
    assert units["Integrals"]["cbse_weight"] == 0.0875  # 35 marks / 5 chapters / 80

    by_type = {t["exam_type"]: t for t in body["scores_by_type"]}
    assert by_type["board_exam"] == {
        "exam_type": "board_exam",
        "exams": 1,
        "average_percentage": 50.0,
        "best_percentage": 50.0,
        "latest_percentage": 50.0,
    }
    assert by_type["section_mcq"]["average_percentage"] == 66.67
    assert [p["percentage"] for p in body["trend"]] == [50.0, 66.67]
    assert [e["exam_instance_id"] for e in body["recent_exams"]] == [
        second["exam_instance_id"],
        first["exam_instance_id"],
    ]

    expected = predict_board_score(
        [
            ExamEvidence(
                "board_exam", 50.0, {"Matrices": UnitMarks(2, 2, 1.5, 2), "Probability": UnitMarks(0, 2, 1, 3)}
            ),
            ExamEvidence("section_mcq", 66.67, {"Probability": UnitMarks(2, 3, 0, 0)}),
        ],
        chapter_weights("XII"),
    )
    assert body["predicted_board_score"] == expected.as_dict()
    assert body["predicted_board_score"]["evidence"]["exams_used"] == 2
    assert body["predicted_board_score"]["evidence"]["units_covered"] == 2
    assert body["predicted_board_score_reason"] is None

    # Ranked only once a refresh has run.
    assert body["class_rank"] is None and body["class_rank_reason"]["code"] == "not_yet_ranked"
    with psycopg.connect(world.url, row_factory=dict_row) as conn:
        result = service.refresh_class_leaderboard(conn, "XII", datetime.now(UTC))
        conn.commit()
    rank = client.get(DASHBOARD, headers=student["headers"]).get_json()["class_rank"]
    assert rank["rank"] == 1 and rank["out_of"] == 1 and rank["avg_percentage"] == 58.34
    assert datetime.fromisoformat(rank["computed_at"]) == result.computed_at

    # The parent sees the same figures (read-only).
    seen = client.get(parent_view(student["user_id"]), headers=parent["headers"]).get_json()
    assert seen["unit_performance"] == body["unit_performance"]
    assert seen["predicted_board_score"] == body["predicted_board_score"]


# --- the shared database ------------------------------------------------------------------------


def test_a_new_student_sees_an_empty_dashboard_with_reasons(client, make_user):
    student = make_user("student", student_class="X")
    body = client.get(DASHBOARD, headers=student["headers"]).get_json()
    assert body["student"]["class"] == "X"
    assert body["subscription"]["has_subscription"] is False
    assert body["exams_this_period"] == {
        "used": 0,
        "allowed": 0,
        "remaining": 0,
        "period_start": None,
        "resets_on": None,
    }
    assert body["recent_exams"] == [] and body["trend"] == [] and body["scores_by_type"] == []
    assert [u["unit"] for u in body["unit_performance"]] == list(SYLLABUS_ORDER["X"])
    assert all(u["percentage"] is None for u in body["unit_performance"])
    assert abs(sum(u["cbse_weight"] for u in body["unit_performance"]) - 1) < 0.001
    assert body["class_rank"] is None and body["class_rank_reason"]["code"] == "no_subscription"
    assert body["predicted_board_score"] is None
    assert body["predicted_board_score_reason"]["code"] == "no_evaluated_exams"


def test_trend_length_is_validated(client, make_user):
    student = make_user("student")
    for bad in ("0", "51", "ten"):
        response = client.get(DASHBOARD, query_string={"trend_length": bad}, headers=student["headers"])
        assert response.status_code == 422
        assert response.get_json()["error"] == "VALIDATION_ERROR"
        assert "trend_length" in response.get_json()["details"]["fields"]
    assert client.get(DASHBOARD, query_string={"trend_length": 3}, headers=student["headers"]).status_code == 200


@pytest.mark.parametrize("role", ["parent", "teacher", "admin"])
def test_only_students_have_a_dashboard_of_their_own(client, make_user, role):
    response = client.get(DASHBOARD, headers=make_user(role)["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


def audit_rows(settings, student_id):
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT actor_user_id, actor_role, details FROM audit_logs "
            "WHERE event_type = 'student.data_viewed' AND resource_type = 'student' AND resource_id = %s "
            "ORDER BY created_at",
            (str(student_id),),
        ).fetchall()


def test_each_parent_view_is_audited(client, make_user, link_parent, settings):
    student, parent, admin = make_user("student"), make_user("parent"), make_user("admin")
    link_parent(parent, student)
    for viewer in (parent, parent, admin):
        response = client.get(parent_view(student["user_id"]), headers=viewer["headers"])
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["student"]["student_user_id"] == str(student["user_id"])
    rows = audit_rows(settings, student["user_id"])
    assert [(r["actor_user_id"], r["actor_role"]) for r in rows] == [
        (parent["user_id"], "parent"),
        (parent["user_id"], "parent"),
        (admin["user_id"], "admin"),
    ]
    assert rows[0]["details"] == {"view": "dashboard", "viewer_role": "parent"}


def test_other_peoples_children_are_404_and_not_audited(client, make_user, link_parent, settings):
    parent, child, stranger = make_user("parent"), make_user("student"), make_user("student")
    link_parent(parent, child)
    for target in (stranger["user_id"], uuid.uuid4()):
        response = client.get(parent_view(target), headers=parent["headers"])
        assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"
    assert audit_rows(settings, stranger["user_id"]) == []
    admin = make_user("admin")
    teacher = make_user("teacher")
    assert client.get(parent_view(teacher["user_id"]), headers=admin["headers"]).status_code == 404
    bad = client.get(parent_view(child["user_id"]), query_string={"trend_length": 0}, headers=parent["headers"])
    assert bad.status_code == 422 and "trend_length" in bad.get_json()["details"]["fields"]


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_parent_view_refuses_other_roles(client, make_user, role):
    user = make_user(role)
    response = client.get(parent_view(user["user_id"]), headers=user["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"
