"""GET /analytics/recommendations on a designed data set, who may see whose, plan
restrictions, the nightly class averages, and the dashboard's link to practice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mathvidya.jobs.registry import run_job
from mathvidya.questions.template_defaults import adaptive_practice_template, seeded_template_id
from tests.api.test_adaptive_practice import record_history
from tests.api.test_statement_budgets import assert_within, counter, measured  # noqa: F401
from tests.exam_fixtures import connect, give_subscription, make_template, private_unit, section

URL = "/api/v1/analytics/recommendations"
ADAPTIVE_XII = adaptive_practice_template("XII")["template_id"]
BOARD_XII = seeded_template_id("XII", "board_exam")


def unit_practice(app, unit: str):
    return make_template(
        app,
        [section("A", "MCQ", 2, {unit: 1.0}), section("B", "VSA", 1, {unit: 1.0})],
        exam_type="unit_practice",
    )


def refresh_averages(settings) -> int:
    return run_job("refresh-unit-averages", datetime.now(UTC), settings)


@pytest.fixture
def designed(app, make_user, link_parent, settings):
    """Student (Premium) in four private units: P 3/10 = 30 %; Q 7/10 + 7/10 = 70 % over two
    exams; R 8/10 = 80 %; S 1/4 (under 5 marks: not judged). Two classmates: Q 90 % and 80 %,
    R 90 % and 70 %. Class averages: P 30, Q (70+90+80)/3 = 80, R (80+90+70)/3 = 80, S none.
    Weak: P (under 60 %) and Q (10 points under the class); R equals the class, S unjudged."""
    student, parent = make_user("student"), make_user("parent")
    link_parent(parent, student)
    give_subscription(app, student, "premium")
    p, q, r, s = (private_unit(label) for label in "PQRS")
    record_history(app, student, {p: (3, 10), q: (7, 10)})
    record_history(app, student, {q: (7, 10), r: (8, 10)})
    record_history(app, student, {s: (1, 4)})
    for q_marks, r_marks in (((18, 20), (9, 10)), ((16, 20), (7, 10))):
        classmate = make_user("student")
        record_history(app, classmate, {q: q_marks, r: r_marks})
    refresh_averages(settings)
    templates = {unit: unit_practice(app, unit) for unit in (p, q, r)}
    return student, parent, (p, q, r, s), templates


def test_recommendations_on_a_designed_data_set(client, designed):
    student, _, (p, q, r, _s), templates = designed
    response = client.get(URL, headers=student["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["weak_units"] == [
        {"unit": p, "score_percentage": 30.0, "class_average": 30.0, "exams": 1},
        {"unit": q, "score_percentage": 70.0, "class_average": 80.0, "exams": 2},
    ]
    assert body["next"] == [
        {
            "template_id": ADAPTIVE_XII,
            "template_name": "Adaptive practice: your weakest units (Class XII)",
            "reason": f"Questions at your level from your weakest units: {p} (30 %), {q} (70 %) and {r} (80 %).",
        },
        {
            "template_id": str(templates[p]),
            "template_name": body["next"][1]["template_name"],
            "reason": f"{p}: 30 %, under 60 %.",
        },
        {
            "template_id": str(templates[q]),
            "template_name": body["next"][2]["template_name"],
            "reason": f"{q}: 70 % against a class average of 80 %.",
        },
        {
            "template_id": BOARD_XII,
            "template_name": "CBSE board pattern (Class XII)",
            "reason": "3 practice papers since your last board paper: time for a full one.",
        },
    ]
    assert body["class_averages_computed_at"] is not None


def test_a_board_paper_resets_the_count_of_practices(client, app, designed):
    student, _, (p, *_), _ = designed
    record_history(app, student, {p: (3, 10)}, exam_type="board_exam")
    record_history(app, student, {p: (3, 10)})
    suggested = [s["template_id"] for s in client.get(URL, headers=student["headers"]).get_json()["next"]]
    assert BOARD_XII not in suggested  # one practice paper since the board paper, not three


def test_the_nightly_class_averages(app, designed, settings):
    _, _, (p, q, r, s), _ = designed
    assert refresh_averages(settings) > 0
    with connect(app) as conn:
        rows = conn.execute(
            "SELECT unit, average_percentage, students FROM unit_class_averages WHERE unit = ANY(%s)",
            ([p, q, r, s],),
        ).fetchall()
    assert {r["unit"]: (float(r["average_percentage"]), r["students"]) for r in rows} == {
        p: (30.0, 1),
        q: (80.0, 3),
        r: (80.0, 3),
    }


def test_a_new_student_is_told_to_sit_a_board_paper_then_adaptive_practice(client, make_user):
    student = make_user("student")
    from tests.exam_fixtures import give_subscription as give

    give(client.application, student, "centum")
    body = client.get(URL, headers=student["headers"]).get_json()
    assert body["weak_units"] == []
    assert [(s["template_id"], s["reason"]) for s in body["next"]] == [
        (BOARD_XII, "A full board paper shows where you stand in every unit."),
        (
            ADAPTIVE_XII,
            "A first practice paper from the units that carry the most board marks: "
            "Probability, Continuity and Differentiability and Application of Derivatives.",
        ),
    ]


@pytest.mark.parametrize(("plan", "expected"), [("premium_mcq", []), ("basic", [BOARD_XII]), (None, [])])
def test_only_templates_the_plan_allows_are_suggested(client, app, make_user, plan, expected):
    """Basic has the board paper but no unit practice (so no adaptive practice); Premium MCQ
    has neither written paper; no plan, nothing."""
    student = make_user("student")
    if plan:
        give_subscription(app, student, plan)
    units = [private_unit("plan") for _ in range(3)]
    for unit in units:
        unit_practice(app, unit)
        record_history(app, student, {unit: (2, 10)})
    body = client.get(URL, headers=student["headers"]).get_json()
    assert [u["unit"] for u in body["weak_units"]] == sorted(units)  # all at 20 %: by name
    assert [s["template_id"] for s in body["next"]] == expected


# --- who sees whose -----------------------------------------------------------------------------


def audit_count(app, student_id) -> int:
    with connect(app) as conn:
        return conn.execute(
            "SELECT count(*) AS n FROM audit_logs WHERE event_type = 'student.data_viewed' AND resource_id = %s "
            "AND details ->> 'view' = 'recommendations'",
            (str(student_id),),
        ).fetchone()["n"]


def test_a_parent_sees_a_linked_childs_recommendations_audited(client, app, designed):
    student, parent, _, _ = designed
    own = client.get(URL, headers=student["headers"]).get_json()
    response = client.get(URL, query_string={"student_id": student["user_id"]}, headers=parent["headers"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["weak_units"] == own["weak_units"] and body["next"] == own["next"]
    assert audit_count(app, student["user_id"]) == 1


def test_other_children_are_404_and_not_audited(client, app, make_user, designed):
    student, _, _, _ = designed
    stranger = make_user("parent")
    response = client.get(URL, query_string={"student_id": student["user_id"]}, headers=stranger["headers"])
    assert response.status_code == 404 and response.get_json()["error"] == "NOT_FOUND"
    other_student = make_user("student")
    response = client.get(URL, query_string={"student_id": student["user_id"]}, headers=other_student["headers"])
    assert response.status_code == 404
    assert audit_count(app, student["user_id"]) == 0


def test_a_parent_must_name_the_child(client, make_user):
    parent = make_user("parent")
    response = client.get(URL, headers=parent["headers"])
    assert response.status_code == 422
    assert "student_id" in response.get_json()["details"]["fields"]
    response = client.get(URL, query_string={"student_id": "not-a-uuid"}, headers=parent["headers"])
    assert response.status_code == 422 and "student_id" in response.get_json()["details"]["fields"]


def test_an_admin_may_look_and_a_teacher_may_not(client, make_user, designed):
    student, _, (p, *_), _ = designed
    admin, teacher = make_user("admin"), make_user("teacher")
    response = client.get(URL, query_string={"student_id": student["user_id"]}, headers=admin["headers"])
    assert response.status_code == 200 and response.get_json()["weak_units"][0]["unit"] == p
    response = client.get(URL, query_string={"student_id": student["user_id"]}, headers=teacher["headers"])
    assert response.status_code == 403 and response.get_json()["error"] == "FORBIDDEN"


# --- the dashboard links to practice --------------------------------------------------------------


def test_the_dashboard_links_to_adaptive_practice_and_recommendations(client, make_user, designed):
    student, parent, _, _ = designed
    practice = client.get("/api/v1/analytics/dashboard", headers=student["headers"]).get_json()["practice"]
    assert practice == {
        "adaptive_practice_template_id": ADAPTIVE_XII,
        "adaptive_practice_allowed": True,
        "recommendations_url": URL,
    }
    viewed = client.get(f"/api/v1/analytics/parent-view/{student['user_id']}", headers=parent["headers"])
    assert viewed.get_json()["practice"]["recommendations_url"] == f"{URL}?student_id={student['user_id']}"
    basic = make_user("student", student_class="X")
    give_subscription(client.application, basic, "basic")
    practice = client.get("/api/v1/analytics/dashboard", headers=basic["headers"]).get_json()["practice"]
    assert practice["adaptive_practice_template_id"] == adaptive_practice_template("X")["template_id"]
    assert practice["adaptive_practice_allowed"] is False


def test_recommendations_stay_within_their_statement_budget(client, designed, counter):  # noqa: F811
    student, parent, _, _ = designed
    client.get(URL, headers=student["headers"])
    response, statements = measured(counter, lambda: client.get(URL, headers=student["headers"]))
    assert response.status_code == 200
    assert_within(statements, 5, "GET /analytics/recommendations (student)")
    query = {"student_id": student["user_id"]}
    response, statements = measured(counter, lambda: client.get(URL, query_string=query, headers=parent["headers"]))
    assert response.status_code == 200
    assert_within(statements, 8, "GET /analytics/recommendations (parent, audited)")
